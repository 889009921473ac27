import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { writeFileDurably } from './durableWrite';

/** A lock older than this is taken for a dead holder's (proper-lockfile refreshes a live one's twice as often). */
const STALE_MS = 10_000;
/** Waiting for another holder: a few ms at first, backing off, for up to about 40 s in all (past a dead holder's stale lock). */
const RETRIES = { retries: 200, minTimeout: 5, maxTimeout: 250, factor: 1.3, randomize: true };

/** This process's updates of each file, one after another: the file lock then only arbitrates between processes. */
const queues = new Map<string, Promise<unknown>>();

/** The file holds something that is not JSON: named with its path, never overwritten. */
export class UnreadableJsonFileError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`${file} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}).`);
    this.name = 'UnreadableJsonFileError';
  }
}

/** The parsed file, or undefined when there is none. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UnreadableJsonFileError(file, err);
  }
}

/**
 * A shared JSON file read again only when it changed on disk (inode, mtime, size). A file that
 * cannot be read keeps the last value read (or `parse(undefined)`), and `problem` says why, so a
 * change can refuse to overwrite it.
 */
export class CachedJsonFile<T> {
  private cached: { key: string; data: T } | undefined;
  problem: string | undefined;

  constructor(
    readonly file: string,
    private readonly parse: (raw: unknown) => T,
  ) {}

  read(): T {
    let key: string;
    try {
      const st = fs.statSync(this.file);
      key = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      key = 'none';
    }
    if (this.cached?.key === key) return this.cached.data;
    try {
      this.cached = { key, data: this.parse(readJsonFile(this.file)) };
      this.problem = undefined;
    } catch (err) {
      this.problem = err instanceof Error ? err.message : String(err);
      this.cached = { key, data: this.cached?.data ?? this.parse(undefined) };
    }
    return this.cached.data;
  }
}

/**
 * A read-modify-write of a JSON file that several processes share (the windows of a profile):
 * under a cross-process lock (proper-lockfile: a lock directory beside the file, refreshed while
 * held, taken over once stale), `change` gets what the file holds now and returns what to write
 * (undefined: nothing), which replaces the file in one rename. Readers need no lock: they see the
 * old file or the whole new one. Resolves to what was written.
 */
export async function updateJsonFile<T>(file: string, change: (current: unknown) => T | undefined, options: UpdateJsonOptions = {}): Promise<T | undefined> {
  const key = path.resolve(file);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => lockedUpdate(key, change, options));
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}

export interface UpdateJsonOptions {
  /** Indentation of the written JSON (files people read by hand); none by default. */
  indent?: number;
}

async function lockedUpdate<T>(file: string, change: (current: unknown) => T | undefined, options: UpdateJsonOptions): Promise<T | undefined> {
  return withFileLock(file, (compromised) => {
    const next = change(readJsonFile(file));
    if (next === undefined) return Promise.resolve(undefined);
    const lost = compromised();
    if (lost) throw new Error(`Lost the lock on ${file} (${lost.message}): the change was not written.`);
    writeFileDurably(file, `${JSON.stringify(next, null, options.indent)}\n`);
    return Promise.resolve(next);
  });
}

/**
 * `work` while this process holds the cross-process lock of `file` (proper-lockfile: a lock
 * directory beside it, refreshed while held, taken over once STALE_MS old, waited for up to about
 * 40 s by default). `compromised()` says whether the lock was lost meanwhile (then write nothing).
 */
export async function withFileLock<T>(file: string, work: (compromised: () => Error | undefined) => Promise<T>, retries: lockfile.LockOptions['retries'] = RETRIES): Promise<T> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let compromised: Error | undefined;
  const release = await lockfile.lock(file, {
    realpath: false,
    stale: STALE_MS,
    retries,
    // The default throws from a timer; here it only tells `work`.
    onCompromised: (err) => {
      compromised = err;
    },
  });
  try {
    return await work(() => compromised);
  } finally {
    await release().catch(() => undefined);
  }
}
