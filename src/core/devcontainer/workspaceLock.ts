import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { throwIfAborted } from '../util/abortError';
import { metaDirOf } from './workspaceLayout';

/**
 * One preparer of a workspace at a time. A launch, a campaign's prefetch, another window's launch:
 * each copies the repository into the same folder, and one that finds another's copy under way
 * takes it for an interrupted one and deletes it while the seed container still writes into it.
 *
 * The lock is proper-lockfile's: an atomic mkdir of `<root>/.swe-gym-studio/<id>.lock` whose
 * mtime the holder refreshes, so a window that died (kill -9, a crash) is taken over once its
 * heartbeat is STALE_MS old, whatever machine or pid namespace it ran in (a pid alone cannot say
 * that for a window in a dev container or on another host sharing the root). Beside it, a small
 * note names the holder (pid, what it does) for the waiter's message only, never for a decision.
 * Within this process, waiters wait for the holder's release directly (no polling, and no chance
 * of taking over a lock whose heartbeat a busy event loop delayed).
 */

/** How late a holder's heartbeat may be before a waiter takes the lock over (a dead window). */
const STALE_MS = 20_000;
/** How often a waiter on another process's lock looks again. */
const POLL_MS = 200;

export interface WorkspaceHolder {
  pid: number;
  host: string;
  /** What it does: 'launch', 'prefetch', 'removal'. */
  purpose: string;
  since: string;
}

export interface WorkspaceLockOptions {
  purpose: WorkspaceHolder['purpose'];
  signal?: AbortSignal;
  /** Called once if the workspace is busy, with its holder when known, before waiting for it. */
  onWait?: (holder: WorkspaceHolder | undefined) => void;
}

/** Held workspaces of this process: their release. */
const held = new Map<string, Promise<void>>();

export function workspaceLockPath(workspaceDir: string): string {
  return `${metaDirOf(workspaceDir)}.lock`;
}

function notePath(workspaceDir: string): string {
  return `${workspaceLockPath(workspaceDir)}.json`;
}

/** Who holds the workspace, as its note says (undefined when free or unknown). */
export function workspaceHolder(workspaceDir: string): WorkspaceHolder | undefined {
  if (!fs.existsSync(workspaceLockPath(workspaceDir))) return undefined;
  try {
    const note = JSON.parse(fs.readFileSync(notePath(workspaceDir), 'utf8')) as Partial<WorkspaceHolder>;
    return typeof note.pid === 'number' && typeof note.purpose === 'string' ? (note as WorkspaceHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** How a holder reads in a progress message. */
export function describeHolder(h: WorkspaceHolder | undefined): string {
  if (!h) return 'another preparation';
  const what = h.purpose === 'prefetch' ? 'a campaign preparing it ahead' : h.purpose === 'launch' ? 'another launch' : `another ${h.purpose}`;
  return `${what} (pid ${h.pid}${h.host === os.hostname() ? '' : ` on ${h.host}`}${h.pid === process.pid ? ', this window' : ''})`;
}

/**
 * Runs `work` as the workspace's only preparer: waits (cancellably) while another one, in this
 * process or another, holds it, then holds it until `work` settles.
 */
export async function withWorkspaceLock<T>(workspaceDir: string, options: WorkspaceLockOptions, work: () => Promise<T>): Promise<T> {
  const release = await acquire(workspaceDir, options, true);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** The lock if it is free now (undefined when another preparer holds it): for work that is skipped rather than delayed. */
export async function tryWorkspaceLock(workspaceDir: string, purpose: string): Promise<(() => Promise<void>) | undefined> {
  return acquire(workspaceDir, { purpose }, false);
}

async function acquire(workspaceDir: string, options: WorkspaceLockOptions, wait: true): Promise<() => Promise<void>>;
async function acquire(workspaceDir: string, options: WorkspaceLockOptions, wait: boolean): Promise<(() => Promise<void>) | undefined>;
async function acquire(workspaceDir: string, options: WorkspaceLockOptions, wait: boolean): Promise<(() => Promise<void>) | undefined> {
  const key = path.resolve(workspaceDir);
  const lockPath = workspaceLockPath(key);
  let told = false;
  const waiting = () => {
    if (told) return;
    told = true;
    options.onWait?.(workspaceHolder(key));
  };
  for (;;) {
    throwIfAborted(options.signal, 'Waiting for the workspace');
    const mine = held.get(key);
    if (mine) {
      if (!wait) return undefined;
      waiting();
      await untilSettledOrAborted(mine, options.signal);
      continue;
    }
    let freed!: () => void;
    // Claimed before the first await, so another caller of this process waits on it instead of polling.
    held.set(key, new Promise<void>((resolve) => (freed = resolve)));
    let unlock: () => Promise<void>;
    try {
      fs.mkdirSync(path.dirname(lockPath), { recursive: true });
      unlock = await lockfile.lock(key, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: STALE_MS / 4,
        retries: 0,
        // Our heartbeat was late past STALE_MS and a waiter took over: nothing to undo from here;
        // the default (throw) would crash the extension host.
        onCompromised: () => undefined,
      });
    } catch (err) {
      held.delete(key);
      freed();
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: the metadata root was removed between our mkdir and the lock's (another releaser tidying up).
      if (code === 'ENOENT') continue;
      if (code !== 'ELOCKED') throw err;
      if (!wait) return undefined;
      waiting();
      await sleep(POLL_MS, options.signal);
      continue;
    }
    writeNote(key, options.purpose);
    return async () => {
      fs.rmSync(notePath(key), { force: true });
      await unlock().catch(() => undefined);
      held.delete(key);
      freed();
      // The metadata root goes when nothing else is in it (as abandonWorkspace leaves it).
      try {
        fs.rmdirSync(path.dirname(lockPath));
      } catch {
        // Other workspaces' metadata or locks are there.
      }
    };
  }
}

function writeNote(workspaceDir: string, purpose: string): void {
  const note: WorkspaceHolder = { pid: process.pid, host: os.hostname(), purpose, since: new Date().toISOString() };
  try {
    fs.writeFileSync(notePath(workspaceDir), JSON.stringify(note) + '\n');
  } catch {
    // Only a message reads it.
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return untilSettledOrAborted(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

/** Resolves when `p` settles or the signal aborts (the caller's next throwIfAborted throws). */
function untilSettledOrAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void p.then(done, done);
  });
}
