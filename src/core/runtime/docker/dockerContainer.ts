import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import type Docker from 'dockerode';
import * as tarFs from 'tar-fs';
import * as tarStream from 'tar-stream';
import type { ContainerHandle, ExecOptions, ExecResult, SpawnedProcess, SpawnOptions } from '../containerRuntime';
import { StringDecoder } from 'node:string_decoder';
import { ContainerGoneError } from '../errors';
import { OutputCollector } from './outputCollector';
import { statusCodeOf, translateEngineError } from './engineErrors';
import { engineCall, ENGINE_TIMEOUTS } from './engineCall';

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;
/** A copy into a container may carry a few hundred MB over a slow link. */
const COPY_IN_TIMEOUT_MS = 15 * 60_000;
/** After a kill, how long we wait for the exec stream to close before cutting it. */
const KILL_GRACE_MS = 2000;

/**
 * The exec'd command runs as leader of its own session, with its PID in a file, so a timeout or
 * a cancel can kill the whole process group from a second exec (Docker has no exec-kill API).
 */
function wrapForKill(cmd: string[], pidFile: string, tty = false, shellStatus = false): string[] {
  // shellStatus: the leader waits instead of exec'ing, so a command killed by a signal ends with
  // 128 + its number as bash and the SWE-bench harness report it (137 for SIGKILL); setsid -w
  // alone answers the bare signal number (9).
  const recordPid = ['/bin/sh', '-c', shellStatus ? 'echo $$ > "$0"; "$@"' : 'echo $$ > "$0"; exec "$@"', pidFile, ...cmd];
  // A pty exec already leads its own session with the pty as controlling terminal (job control
  // and ^C work); a new session there would lose the terminal.
  return tty ? recordPid : ['setsid', '-w', ...recordPid];
}

/**
 * Signals every process of the session whose leader's pid is in the file: children that moved to
 * their own process group (a job-control shell's jobs) go too. Plain sh and /proc only.
 */
const SIGNAL_SESSION = [
  'sid=$(cat "$0" 2>/dev/null) || exit 0',
  'for d in /proc/[0-9]*; do',
  '  s=$(sed "s/.*) //" "$d/stat" 2>/dev/null | cut -d" " -f4)',
  '  [ "$s" = "$sid" ] && kill -"$1" "${d#/proc/}" 2>/dev/null',
  'done',
  '[ "$1" = KILL ] && rm -f "$0"',
  'true',
].join('\n');

export class DockerContainer implements ContainerHandle {
  private removed = false;

  constructor(
    private readonly docker: Docker,
    readonly id: string,
    readonly name: string,
    private readonly endpoint: string,
    /** Told when the container is removed (its heartbeat stops). */
    private readonly onRemoved: () => void = () => undefined,
    /** How it is removed, when the engine needs more than a forced remove (Podman: its own network too). */
    private readonly removal: () => Promise<void> = () => removeContainerById(docker, id, endpoint),
  ) {}

  async exec(cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (cmd.length === 0) throw new Error('exec needs a command');
    if (options.signal?.aborted) return cancelledResult();
    const started = Date.now();
    const pidFile = `/tmp/.swe-gym-exec-${randomBytes(6).toString('hex')}.pid`;
    const hasStdin = options.stdin !== undefined;
    const container = this.docker.getContainer(this.id);
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await this.call('creating an exec', (abortSignal) => container.exec({
        abortSignal,
        Cmd: wrapForKill(cmd, pidFile, false, true),
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: hasStdin,
        Tty: false,
        WorkingDir: options.cwd,
        User: options.user,
        Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      } as Docker.ExecCreateOptions));
    } catch (err) {
      throw this.translate(err, `starting \`${cmd[0]}\``, true);
    }
    try {
      stream = (await this.call('starting an exec', (abortSignal) => exec.start({ hijack: true, stdin: hasStdin, abortSignal } as Docker.ExecStartOptions))) as unknown as NodeJS.ReadWriteStream;
    } catch (err) {
      throw this.translate(err, `starting \`${cmd[0]}\``);
    }

    const collector = new OutputCollector(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT, options.onOutput);
    const sink = (s: 'stdout' | 'stderr') =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          collector.push(s, chunk);
          cb();
        },
      });
    this.docker.modem.demuxStream(stream, sink('stdout'), sink('stderr'));

    let timedOut = false;
    let cancelled = false;
    const ended = new Promise<Error | undefined>((resolve) => {
      stream.on('end', () => resolve(undefined));
      stream.on('close', () => resolve(undefined));
      stream.on('error', (e: Error) => resolve(e));
    });
    const kill = () => {
      this.signalSession(pidFile).catch(() => undefined);
      setTimeout(() => (stream as unknown as PassThrough).destroy(), KILL_GRACE_MS).unref();
    };
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A cancel that came while the exec was being set up (a loaded engine takes a while).
    if (options.signal?.aborted) onAbort();

    if (hasStdin) {
      stream.write(options.stdin as string | Buffer);
      stream.end();
    }
    const streamError = await ended;
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);

    let exitCode: number | null = null;
    if (!timedOut && !cancelled) {
      try {
        exitCode = await waitForExitCode(exec, this.endpoint);
      } catch (err) {
        throw this.translate(err, `running \`${cmd[0]}\``);
      }
      if (exitCode === null && streamError) throw this.translate(streamError, `running \`${cmd[0]}\``);
    }
    const { stdout, stderr, output } = collector.result();
    const stdoutBytes = options.rawStdout ? collector.rawBytes('stdout') : undefined;
    return { exitCode, stdout, stdoutBytes, stderr, output, timedOut, cancelled, truncated: collector.truncated, durationMs: Date.now() - started };
  }

  async spawn(cmd: string[], options: SpawnOptions = {}): Promise<SpawnedProcess> {
    const pidFile = `/tmp/.swe-gym-exec-${randomBytes(6).toString('hex')}.pid`;
    let exec: Docker.Exec;
    let stream: NodeJS.ReadWriteStream;
    try {
      exec = await this.call('creating an exec', (abortSignal) => this.docker.getContainer(this.id).exec({
        abortSignal,
        Cmd: wrapForKill(cmd, pidFile, options.tty),
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: true,
        Tty: options.tty ?? false,
        WorkingDir: options.cwd,
        User: options.user,
        Env: options.env ? Object.entries(options.env).map(([k, v]) => `${k}=${v}`) : undefined,
      } as Docker.ExecCreateOptions));
      stream = (await this.call('starting an exec', (abortSignal) => exec.start({ hijack: true, stdin: true, Tty: options.tty ?? false, abortSignal } as Docker.ExecStartOptions))) as unknown as NodeJS.ReadWriteStream;
    } catch (err) {
      throw this.translate(err, `starting \`${cmd[0]}\``);
    }
    const listeners: ((chunk: string, s: 'stdout' | 'stderr') => void)[] = [];
    // Output before the first listener (a shell's first prompt arrives while the resize below is
    // on its way, a round trip on a remote engine) is kept for it, not dropped.
    const early: [string, 'stdout' | 'stderr'][] = [];
    const emit = (s: 'stdout' | 'stderr', decoder: StringDecoder) =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          const text = decoder.write(chunk);
          if (text && !listeners.length) early.push([text, s]);
          else if (text) for (const l of listeners) l(text, s);
          cb();
        },
      });
    if (options.tty) stream.pipe(emit('stdout', new StringDecoder('utf8')));
    else this.docker.modem.demuxStream(stream, emit('stdout', new StringDecoder('utf8')), emit('stderr', new StringDecoder('utf8')));
    if (options.tty && options.columns && options.rows) await exec.resize({ w: options.columns, h: options.rows }).catch(() => undefined);
    const exited = new Promise<number | null>((resolve) => {
      const done = () => waitForExitCode(exec, this.endpoint).then(resolve, () => resolve(null));
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', () => resolve(null));
    });
    return {
      write: (data) => void stream.write(data),
      end: () => void stream.end(),
      onOutput: (l) => {
        listeners.push(l);
        for (const [text, s] of early.splice(0)) l(text, s);
      },
      resize: async (w, h) => {
        await exec.resize({ w, h }).catch(() => undefined);
      },
      kill: (signal = 'KILL') => this.signalSession(pidFile, signal),
      exited,
    };
  }

  private async signalSession(pidFile: string, signal: 'INT' | 'TERM' | 'KILL' = 'KILL'): Promise<void> {
    const exec = await this.call('creating an exec', (abortSignal) =>
      this.docker.getContainer(this.id).exec({ Cmd: ['/bin/sh', '-c', SIGNAL_SESSION, pidFile, signal], AttachStdout: true, AttachStderr: true, abortSignal } as Docker.ExecCreateOptions),
    );
    const s = await this.call('starting an exec', (abortSignal) => exec.start({ hijack: true, stdin: false, abortSignal } as Docker.ExecStartOptions));
    await new Promise<void>((resolve) => {
      s.on('end', resolve);
      s.on('close', resolve);
      s.on('error', () => resolve());
      s.resume();
    });
  }

  putFile(filePath: string, content: string | Buffer, mode = 0o644): Promise<void> {
    return this.putFiles([{ path: filePath, content, mode }]);
  }

  async putFiles(files: { path: string; content: string | Buffer; mode?: number }[]): Promise<void> {
    // Extracting at / with full relative names creates missing parent folders in one call.
    const pack = tarStream.pack();
    for (const f of files) {
      if (!f.path.startsWith('/')) throw new Error(`putFile needs an absolute path, got ${f.path}`);
      pack.entry({ name: f.path.slice(1), mode: f.mode ?? 0o644 }, typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content);
    }
    pack.finalize();
    try {
      await this.call('writing files', (abortSignal) => this.docker.getContainer(this.id).putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/', abortSignal }));
    } catch (err) {
      throw this.translate(err, `writing ${files.map((f) => f.path).join(', ')}`);
    }
  }

  async readFile(filePath: string): Promise<Buffer> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.call(`reading ${filePath}`, (abortSignal) => this.docker.getContainer(this.id).getArchive({ path: filePath, abortSignal }));
    } catch (err) {
      if (statusCodeOf(err) === 404) throw new Error(`${filePath} does not exist in container ${this.name}`);
      throw this.translate(err, `reading ${filePath}`);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const extract = tarStream.extract();
      let found: Buffer | undefined;
      extract.on('entry', (header, entryStream, next) => {
        const parts: Buffer[] = [];
        entryStream.on('data', (d: Buffer) => parts.push(d));
        entryStream.on('end', () => {
          if (found === undefined && header.type === 'file') found = Buffer.concat(parts);
          next();
        });
      });
      extract.on('finish', () => (found ? resolve(found) : reject(new Error(`${filePath} is not a regular file`))));
      extract.on('error', reject);
      archive.pipe(extract);
    });
  }

  async copyOut(containerPath: string, hostDir: string): Promise<void> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.call(`copying ${containerPath} out`, (abortSignal) => this.docker.getContainer(this.id).getArchive({ path: containerPath.replace(/\/?$/, '/.'), abortSignal }));
    } catch (err) {
      throw this.translate(err, `copying ${containerPath} out`);
    }
    await new Promise<void>((resolve, reject) => {
      const extract = tarFs.extract(hostDir, { map: (h) => ({ ...h, name: h.name.replace(/^\.\/?/, '') || '.' }) });
      extract.on('finish', () => resolve());
      extract.on('error', reject);
      archive.on('error', reject);
      archive.pipe(extract);
    });
  }

  async copyIn(hostDir: string, entries: string[], containerDir: string, signal?: AbortSignal): Promise<void> {
    if (!containerDir.startsWith('/')) throw new Error(`copyIn needs an absolute container path, got ${containerDir}`);
    // The system's tar, streamed: tar-fs took 7 s to pack the language server's 6,000 files here, tar 0.4 s.
    const tar = spawn('tar', ['-C', hostDir, '-cf', '-', '--', ...entries], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const packed = new Promise<void>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar could not pack ${entries.join(', ')} in ${hostDir}: ${stderr.trim() || `exit ${code}`}`))));
    });
    packed.catch(() => undefined);
    try {
      await engineCall(this.endpoint, `copying ${hostDir} into ${this.name}`, COPY_IN_TIMEOUT_MS, (abortSignal) => this.docker.getContainer(this.id).putArchive(tar.stdout as unknown as NodeJS.ReadableStream, { path: containerDir, abortSignal }), signal);
      await packed;
    } catch (err) {
      tar.kill();
      if (signal?.aborted) throw err;
      throw this.translate(err, `copying ${hostDir} into ${containerDir}`);
    }
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.onRemoved();
    await this.removal();
    this.removed = true;
  }

  /** One engine request, bounded in time (the work it starts is bounded by its own options). */
  private call<T>(doing: string, request: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return engineCall(this.endpoint, `${doing} in ${this.name}`, ENGINE_TIMEOUTS.slow, request);
  }

  private translate(err: unknown, doing: string, beforeExec = false): Error {
    // A removal racing the call answers 500 "is not running: Removal In Progress".
    if (statusCodeOf(err) === 404 || statusCodeOf(err) === 409 || (statusCodeOf(err) === 500 && /is not running|removal in progress/i.test(String((err as Error).message)))) {
      return new ContainerGoneError(`Container ${this.name} is gone or not running (${doing}).`, beforeExec);
    }
    return translateEngineError(err, this.endpoint, doing);
  }
}

/** Kills and removes; a container that is already gone (or going) counts as removed. */
export async function removeContainerById(docker: Docker, id: string, endpoint: string): Promise<void> {
  try {
    await engineCall(endpoint, `removing container ${id.slice(0, 12)}`, ENGINE_TIMEOUTS.slow, (abortSignal) => docker.getContainer(id).remove({ force: true, v: true, abortSignal }));
  } catch (err) {
    const code = statusCodeOf(err);
    if (code === 404 || code === 409) return;
    throw translateEngineError(err, endpoint, `removing container ${id.slice(0, 12)}`);
  }
}

/** The stream can end a moment before the engine records the exit code. */
async function waitForExitCode(exec: Docker.Exec, endpoint: string): Promise<number | null> {
  for (let i = 0; i < 50; i++) {
    const info = await engineCall(endpoint, 'reading an exit code', ENGINE_TIMEOUTS.quick, (abortSignal) => exec.inspect({ abortSignal }));
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((r) => setTimeout(r, 10 + i * 5));
  }
  return null;
}

function cancelledResult(): ExecResult {
  return { exitCode: null, stdout: '', stderr: '', output: '', timedOut: false, cancelled: true, truncated: false, durationMs: 0 };
}
