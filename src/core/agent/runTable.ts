import * as path from 'node:path';
import { CachedJsonFile, updateJsonFile } from '../util/lockedJsonFile';

/** What the table needs of a row; the extension's rows carry much more. */
export interface RunTableRow {
  rolloutId: string;
  instanceId: string;
  startedAt: string;
  /** The rollout's number within its instance (its files are `<instance>_<index>.*`). */
  index: number;
}

export const RUN_TABLE_FORMAT = 'swe-gym-studio/agent-runs@1';

/** The file: rows per instance, newest first, and the next free index of each instance. */
export interface RunTableData<R extends RunTableRow> {
  format: typeof RUN_TABLE_FORMAT;
  instances: Record<string, R[]>;
  /** Indexes handed out before their rows were written (two windows starting at once get two). */
  nextIndex: Record<string, number>;
}

export interface RunTableOptions<R extends RunTableRow> {
  /** Rows kept per instance (the oldest go first). */
  maxPerInstance?: number;
  /** The table as it was kept before this file existed (read until the first write, which takes it over). */
  legacy?: () => Record<string, R[]> | undefined;
}

/**
 * The agent rollouts of every instance in one JSON file that every window of a profile (every
 * extension host, and any other process) reads and writes. A change is a read-modify-write of the
 * whole file under a cross-process lock, so two windows changing rows at the same moment both
 * keep their change; a read is a plain read of the last whole file, cached until it changes.
 */
export class RunTable<R extends RunTableRow> {
  private readonly cache: CachedJsonFile<RunTableData<R>>;
  private readonly maxPerInstance: number;

  constructor(
    readonly file: string,
    private readonly options: RunTableOptions<R> = {},
  ) {
    this.maxPerInstance = options.maxPerInstance ?? 200;
    this.cache = new CachedJsonFile(file, (raw) => this.parse(raw));
  }

  /** Why the last read could not use the file (it is left as it is). */
  get problem(): string | undefined {
    return this.cache.problem;
  }

  /** The table as the file holds it now (the legacy table while there is no file). */
  read(): RunTableData<R> {
    return this.cache.read();
  }

  rows(instanceId: string): R[] {
    return this.read().instances[instanceId] ?? [];
  }

  instanceIds(): string[] {
    return Object.entries(this.read().instances).flatMap(([id, rows]) => (rows.length ? [id] : []));
  }

  /**
   * Changes the table under the lock: `change` edits `data` (what the file holds now) in place and
   * returns its result; the rows of each instance are then put newest first and capped.
   */
  async update<T>(change: (data: RunTableData<R>) => T): Promise<T> {
    let result!: T;
    await updateJsonFile(this.file, (raw) => {
      const data = this.parse(raw);
      const before = JSON.stringify(data);
      result = change(data);
      for (const [id, rows] of Object.entries(data.instances)) data.instances[id] = [...rows].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, this.maxPerInstance);
      return JSON.stringify(data) === before && raw !== undefined ? undefined : data;
    });
    return result;
  }

  /** Writes a row (replacing the one of its rollout). */
  async upsert(row: R): Promise<void> {
    await this.update((data) => {
      data.instances[row.instanceId] = [row, ...(data.instances[row.instanceId] ?? []).filter((r) => r.rolloutId !== row.rolloutId)];
    });
  }

  /** Changes one row as the file holds it now (undefined from `change`, or no such row: nothing). Resolves to the new row. */
  async patch(instanceId: string, rolloutId: string, change: (row: R) => R | undefined): Promise<R | undefined> {
    return this.update((data) => {
      const rows = data.instances[instanceId] ?? [];
      const i = rows.findIndex((r) => r.rolloutId === rolloutId);
      const next = i >= 0 ? change(rows[i]!) : undefined;
      if (next) rows[i] = next;
      return next;
    });
  }

  /** The next rollout index of an instance, handed out once: no other window or process gets it. */
  async reserveIndex(instanceId: string): Promise<number> {
    return this.update((data) => {
      const fromRows = (data.instances[instanceId] ?? []).reduce((n, r) => Math.max(n, r.index + 1), 0);
      const index = Math.max(fromRows, data.nextIndex[instanceId] ?? 0);
      data.nextIndex[instanceId] = index + 1;
      return index;
    });
  }

  private parse(raw: unknown): RunTableData<R> {
    if (raw === undefined) return { format: RUN_TABLE_FORMAT, instances: structuredClone(this.options.legacy?.() ?? {}), nextIndex: {} };
    const o = raw as Partial<RunTableData<R>> | null;
    if (!o || typeof o !== 'object' || o.format !== RUN_TABLE_FORMAT || typeof o.instances !== 'object' || !o.instances) {
      throw new Error(`${this.file} is not a run table (${RUN_TABLE_FORMAT}): move it away to start a new one.`);
    }
    return { format: RUN_TABLE_FORMAT, instances: o.instances, nextIndex: o.nextIndex && typeof o.nextIndex === 'object' ? o.nextIndex : {} };
  }
}

/** Where a profile's run table lives in its global storage. */
export function runTableFile(globalStorageDir: string): string {
  return path.join(globalStorageDir, 'agent-runs.json');
}
