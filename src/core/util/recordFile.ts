import { CachedJsonFile, updateJsonFile } from './lockedJsonFile';

/** What the file holds: one record per key. */
export interface RecordFileData<R> {
  format: string;
  records: Record<string, R>;
}

export interface RecordFileOptions<R> {
  /** The `format` the file carries; a file with another is refused, never overwritten. */
  format: string;
  /** The records as they were kept before this file existed (read until the first write, which takes them over). */
  legacy?: () => Record<string, R> | undefined;
}

/**
 * Records by key in one JSON file that several processes (the windows of a profile) read and
 * write. A change is a read-modify-write of one record as the file holds it at that moment, under
 * a cross-process lock (updateJsonFile), so two windows changing records at once both keep their
 * change; a read is a plain read of the last whole file, cached until the file changes.
 */
export class RecordFile<R> {
  private readonly cache: CachedJsonFile<RecordFileData<R>>;

  constructor(
    readonly file: string,
    private readonly options: RecordFileOptions<R>,
  ) {
    this.cache = new CachedJsonFile(file, (raw) => this.parse(raw));
  }

  /** Why the last read could not use the file (it is left as it is). */
  get problem(): string | undefined {
    return this.cache.problem;
  }

  /** Every record as the file holds it now (the legacy ones while there is no file). */
  all(): Record<string, R> {
    return this.cache.read().records;
  }

  get(key: string): R | undefined {
    return this.all()[key];
  }

  /**
   * Changes one record under the lock: `change` gets it as the file holds it now (undefined: none)
   * and returns the new one (undefined: removed). Resolves to what the file then holds for the key.
   */
  async update(key: string, change: (current: R | undefined) => R | undefined): Promise<R | undefined> {
    let result: R | undefined;
    await updateJsonFile(this.file, (raw) => {
      const data = this.parse(raw);
      const before = JSON.stringify(data.records[key] ?? null);
      result = change(data.records[key] === undefined ? undefined : structuredClone(data.records[key]));
      if (result === undefined) delete data.records[key];
      else data.records[key] = result;
      return JSON.stringify(result ?? null) === before && raw !== undefined ? undefined : data;
    });
    return result;
  }

  private parse(raw: unknown): RecordFileData<R> {
    if (raw === undefined) return { format: this.options.format, records: structuredClone(this.options.legacy?.() ?? {}) };
    const o = raw as Partial<RecordFileData<R>> | null;
    if (!o || typeof o !== 'object' || o.format !== this.options.format || typeof o.records !== 'object' || !o.records || Array.isArray(o.records)) {
      throw new Error(`${this.file} is not a file of ${this.options.format}: move it away to start a new one.`);
    }
    return { format: this.options.format, records: o.records };
  }
}
