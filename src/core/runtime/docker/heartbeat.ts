import type Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import type { Heartbeat } from '../containerRuntime';
import { engineCall, ENGINE_TIMEOUTS } from './engineCall';

/**
 * Liveness of a container's creator, kept in the engine itself (not a pid, which means nothing
 * in another PID namespace or on another machine): the owning runtime rewrites a small file in
 * each container it owns every few seconds. A creator that dies stops writing; the file goes stale.
 * A container can forge or delete its own file: that only keeps itself alive or gets itself removed.
 */
export const HEARTBEAT_PATH = '/.swe-gym-studio-heartbeat';
export const HEARTBEAT_INTERVAL_MS = Number(process.env.SWE_GYM_HEARTBEAT_MS) || 15_000;
/** Several missed beats: a busy engine or a suspended laptop must not look like a dead creator. */
export const STALE_AFTER_MS = Number(process.env.SWE_GYM_STALE_AFTER_MS) || 120_000;
/** The file is tiny; anything bigger is not ours. */
const MAX_HEARTBEAT_BYTES = 4096;

export class HeartbeatWriter {
  private readonly owned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly docker: Docker,
    private readonly endpoint: string,
    readonly runToken: string,
    intervalMs: number | undefined,
  ) {
    this.intervalMs = intervalMs ?? HEARTBEAT_INTERVAL_MS;
  }

  own(id: string): void {
    this.owned.add(id);
    void this.beat(id);
    // Unref'd: the heartbeat never keeps a finished CLI alive.
    this.timer ??= setInterval(() => void this.beatAll(), this.intervalMs).unref();
  }

  release(id: string): void {
    this.owned.delete(id);
    if (this.owned.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private beatAll(): Promise<unknown> {
    return Promise.all([...this.owned].map((id) => this.beat(id)));
  }

  private async beat(id: string): Promise<void> {
    const body: Heartbeat = { run: this.runToken, at: Date.now() };
    const pack = tarStream.pack();
    pack.entry({ name: HEARTBEAT_PATH.slice(1), mode: 0o644 }, JSON.stringify(body));
    pack.finalize();
    try {
      await engineCall(this.endpoint, 'writing a heartbeat', ENGINE_TIMEOUTS.slow, (abortSignal) =>
        this.docker.getContainer(id).putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/', abortSignal }),
      );
    } catch (err) {
      // Gone: nothing left to keep alive. Anything else (a busy engine): the next beat retries.
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 404) this.release(id);
    }
  }
}

/** Reads a container's heartbeat without trusting it: one regular file, a few bytes, valid JSON. */
export async function readHeartbeat(docker: Docker, endpoint: string, id: string): Promise<Heartbeat | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await engineCall(endpoint, 'reading a heartbeat', ENGINE_TIMEOUTS.quick, (abortSignal) =>
      docker.getContainer(id).getArchive({ path: HEARTBEAT_PATH, abortSignal }),
    );
  } catch (err) {
    if ([404, 409, 500].includes((err as { statusCode?: number }).statusCode ?? 0)) return undefined;
    throw err;
  }
  const text = await new Promise<string | undefined>((resolve) => {
    const extract = tarStream.extract();
    let found: string | undefined;
    let done = false;
    const finish = (value: string | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
      (archive as unknown as { destroy?: () => void }).destroy?.();
    };
    extract.on('entry', (header, entry, next) => {
      if (header.type !== 'file' || (header.size ?? 0) > MAX_HEARTBEAT_BYTES) return finish(undefined);
      const parts: Buffer[] = [];
      let size = 0;
      entry.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_HEARTBEAT_BYTES) return finish(undefined);
        parts.push(d);
      });
      entry.on('end', () => {
        found ??= Buffer.concat(parts).toString('utf8');
        next();
      });
    });
    extract.on('finish', () => finish(found));
    extract.on('error', () => finish(undefined));
    archive.on('error', () => finish(undefined));
    archive.pipe(extract);
  });
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Heartbeat>;
    return typeof parsed.run === 'string' && typeof parsed.at === 'number' && Number.isFinite(parsed.at) ? { run: parsed.run, at: parsed.at } : undefined;
  } catch {
    return undefined;
  }
}
