import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What an owner's file holds: which extension host, and when it last said it was alive. */
export interface OwnerBeat {
  id: string;
  host: string;
  pid: number;
  at: number;
}

export interface RunOwnersOptions {
  /** How often this owner rewrites its file. */
  beatMs?: number;
  /** A beat older than this is a dead owner (several missed beats: a busy host is not a dead one). */
  staleMs?: number;
}

const BEAT_MS = Number(process.env.SWE_GYM_RUN_OWNER_BEAT_MS) || 10_000;
const STALE_MS = Number(process.env.SWE_GYM_RUN_OWNER_STALE_MS) || 60_000;

/**
 * Which extension host owns a rollout row. The run table lives in globalState, which every window
 * of a profile shares, so a row marked running may belong to another window that is still running
 * it. Each extension host keeps a small file named after its session id in a folder of the
 * profile's global storage and rewrites it every few seconds; it deletes it when it shuts down.
 * An owner is gone when its file is missing, its beat is stale, or (same machine) its process is.
 * Free of `vscode`: another process can be an owner (tests start one).
 */
export class RunOwners {
  private timer: NodeJS.Timeout | undefined;
  private readonly beatMs: number;
  private readonly staleMs: number;

  constructor(
    readonly dir: string,
    /** This extension host's session id. */
    readonly self: string,
    options: RunOwnersOptions = {},
  ) {
    this.beatMs = options.beatMs ?? BEAT_MS;
    this.staleMs = options.staleMs ?? STALE_MS;
  }

  /** Starts beating (the first beat is written before this returns). */
  start(): void {
    this.beat();
    // Unref'd: a beat never keeps a finished process alive.
    this.timer ??= setInterval(() => this.beat(), this.beatMs).unref();
  }

  /** Stops beating and removes the file: this owner's rows are cut off from now on. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    fs.rmSync(this.fileOf(this.self), { force: true });
  }

  /** Whether the owner of a row is still running (a row with no owner: written before owners existed, so gone). */
  isAlive(owner: string | undefined, now = Date.now()): boolean {
    if (!owner) return false;
    if (owner === this.self) return true;
    const beat = this.read(owner);
    if (!beat || now - beat.at > this.staleMs) return false;
    // On this machine a pid says more than a recent beat: a killed host is gone at once.
    return beat.host !== os.hostname() || processExists(beat.pid);
  }

  private beat(): void {
    const body: OwnerBeat = { id: this.self, host: os.hostname(), pid: process.pid, at: Date.now() };
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      // Written whole then renamed: a reader never sees half a file.
      const tmp = `${this.fileOf(this.self)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(body));
      fs.renameSync(tmp, this.fileOf(this.self));
    } catch {
      // A full or read-only disk: the next beat retries; others see a stale beat meanwhile.
    }
  }

  private read(owner: string): OwnerBeat | undefined {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.fileOf(owner), 'utf8')) as Partial<OwnerBeat>;
      if (parsed.id !== owner || typeof parsed.at !== 'number' || typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
      return parsed as OwnerBeat;
    } catch {
      return undefined;
    }
  }

  private fileOf(owner: string): string {
    return path.join(this.dir, `${owner.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
