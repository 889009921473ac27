import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import type { DemoEvent, StampedDemoEvent } from './demoEvents';
import type { FileState } from './fileState';
import { writeFileDurably } from '../util/durableWrite';
import { removeDemoFiles } from './demoFiles';

/** A recorded path state in the log: file content by hash (kept beside the log), a link, or deleted. */
export type StateRef = { sha256: string; executable: boolean } | { link: string } | null;

/**
 * A demonstration's append-only log, in a run folder beside agent rollouts: `<name>.jsonl`, one
 * event per line, each written whole and flushed to disk (fsync) before the recorder goes on, so a
 * crash or kill -9 loses at most the step in flight. File contents the recorder must remember (to
 * encode later edits after a resume) go to `<name>.files/<sha256>` first, written whole (temporary
 * name, then renamed) but not synced: a second fsync per save was half of a save's cost, and only
 * an OS crash can lose them (a VS Code crash or kill -9 cannot); a resume then drops the log from
 * the first step whose content is missing (see DemoRecorder.resume). Closing writes `<name>.json`,
 * the same closed trajectory file a rollout writes.
 */
export class DemoLog {
  private fd: number | undefined;
  private seq = 0;
  readonly blobDir: string;

  private constructor(
    readonly eventsPath: string,
    readonly jsonPath: string,
  ) {
    this.blobDir = eventsPath.replace(/\.jsonl$/, '.files');
  }

  /** A new log; never overwrites one. */
  static create(dir: string, baseName: string): DemoLog {
    fs.mkdirSync(dir, { recursive: true });
    const log = new DemoLog(path.join(dir, `${baseName}.jsonl`), path.join(dir, `${baseName}.json`));
    try {
      log.fd = fs.openSync(log.eventsPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`The demonstration log ${log.eventsPath} already exists; a new demonstration never overwrites one.`);
      throw new Error(`Cannot write the demonstration log ${log.eventsPath}: ${(err as Error).message}`);
    }
    return log;
  }

  /**
   * Reopens a log for appending after a crash: the events it holds, with a torn last line (the
   * step in flight) cut off the file so the next event starts on a line of its own.
   */
  static reopen(eventsPath: string): { log: DemoLog; events: StampedDemoEvent[]; offsets: number[]; cut: boolean } {
    if (!eventsPath.endsWith('.jsonl')) throw new Error(`${eventsPath} is not a demonstration log (.jsonl).`);
    const st = fs.lstatSync(eventsPath);
    if (!st.isFile()) throw new Error(`${eventsPath} is not a regular file.`);
    const text = fs.readFileSync(eventsPath, 'utf8');
    const events: StampedDemoEvent[] = [];
    const offsets: number[] = [];
    let keep = 0;
    let cut = false;
    let at = 0;
    while (at < text.length) {
      const nl = text.indexOf('\n', at);
      if (nl === -1) {
        cut = true;
        break;
      }
      const line = text.slice(at, nl);
      if (line.trim()) {
        try {
          events.push(JSON.parse(line) as StampedDemoEvent);
          offsets.push(Buffer.byteLength(text.slice(0, at), 'utf8'));
        } catch (err) {
          if (text.slice(nl + 1).trim()) throw new Error(`${eventsPath} line ${events.length + 1} is not valid JSON (${(err as Error).message}) and is not the last line.`);
          cut = true;
          break;
        }
      }
      at = nl + 1;
      keep = at;
    }
    const log = new DemoLog(eventsPath, eventsPath.replace(/\.jsonl$/, '.json'));
    if (cut) fs.truncateSync(eventsPath, Buffer.byteLength(text.slice(0, keep), 'utf8'));
    log.fd = fs.openSync(eventsPath, 'a');
    log.seq = events.reduce((n, e) => Math.max(n, e.seq), 0);
    return { log, events, offsets, cut };
  }

  /** Cuts the log at a byte offset (a line start): what follows is dropped, appends go on from there. */
  cutAt(offset: number): void {
    if (this.fd === undefined) throw new Error('The demonstration log is closed.');
    fs.ftruncateSync(this.fd, offset);
    fs.fsyncSync(this.fd);
  }

  append(event: DemoEvent): StampedDemoEvent {
    const stamped = this.appendUnsynced(event);
    fs.fsyncSync(this.fd as number);
    return stamped;
  }

  /**
   * Writes an event (whole, in order: a VS Code crash can no longer lose it); `sync()` then makes
   * it durable. For steps: a synchronous fsync held the editor's event loop for the disk's
   * latency (10-30 ms on a loaded host) at every save.
   */
  appendUnsynced(event: DemoEvent): StampedDemoEvent {
    if (this.fd === undefined) throw new Error('The demonstration log is closed.');
    const stamped = { ...event, seq: ++this.seq, time: new Date().toISOString() } as StampedDemoEvent;
    fs.writeSync(this.fd, `${JSON.stringify(stamped)}\n`);
    return stamped;
  }

  /** Resolves once everything written so far is on disk (fdatasync in libuv's thread pool). */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.reject(new Error('The demonstration log is closed.'));
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Stores a state's content (once per content) and returns how the log refers to it. */
  putState(state: FileState | undefined): StateRef {
    if (!state) return null;
    if (state.kind === 'symlink') return { link: state.target };
    const sha256 = createHash('sha256').update(state.bytes).digest('hex');
    const file = path.join(this.blobDir, sha256);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(this.blobDir, { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, state.bytes);
      fs.renameSync(tmp, file);
    }
    return { sha256, executable: state.executable };
  }

  getState(ref: StateRef): FileState | undefined {
    if (ref === null) return undefined;
    if ('link' in ref) return { kind: 'symlink', target: ref.link };
    const bytes = fs.readFileSync(path.join(this.blobDir, ref.sha256));
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) throw new Error(`The stored content ${ref.sha256} of ${this.eventsPath} is damaged.`);
    return { kind: 'file', bytes, executable: ref.executable };
  }

  /** Ends the log and writes the closed trajectory (temporary name, then renamed: never half a file). */
  close(trajectory?: ClosedTrajectory): void {
    if (this.fd !== undefined) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (!trajectory) return;
    writeFileDurably(this.jsonPath, `${JSON.stringify(trajectory, null, 1)}\n`);
  }

  /** Removes the log, its stored contents and any closed file (a discarded demonstration). */
  remove(): void {
    this.close();
    removeDemoFiles(this.eventsPath);
  }
}
