import { Readable, Writable } from 'node:stream';
import type { ContainerHandle, SpawnOptions } from '../runtime/containerRuntime';

/** A process in a container as the byte streams a JSON-RPC connection reads and writes. */
export interface ExecStdio {
  /** The process's stdout; ends when the process exits or the exec stream closes. */
  reader: Readable;
  /** The process's stdin. */
  writer: Writable;
  /** Exit code, null when killed or lost (the container went away). */
  exited: Promise<number | null>;
  /** Kills the process in the container (its whole session), then ends the streams. */
  kill(): Promise<void>;
}

/**
 * Starts `cmd` through the runtime's exec (no docker CLI, no port) with stdin open. stdout feeds
 * the reader; stderr goes to `onStderr` (a server's log, never protocol). The runtime hands out
 * UTF-8-decoded text (split sequences joined by its decoder); JSON-RPC is UTF-8, so re-encoding
 * gives back the exact bytes Content-Length counts.
 */
export async function execStdio(container: ContainerHandle, cmd: string[], options: SpawnOptions & { onStderr?: (text: string) => void } = {}): Promise<ExecStdio> {
  const { onStderr, ...spawnOptions } = options;
  const proc = await container.spawn(cmd, { ...spawnOptions, tty: false });
  let ended = false;
  const reader = new Readable({ read() {} });
  const finish = () => {
    if (ended) return;
    ended = true;
    reader.push(null);
  };
  proc.onOutput((chunk, stream) => {
    if (stream === 'stderr') onStderr?.(chunk);
    else if (!ended) reader.push(Buffer.from(chunk, 'utf8'));
  });
  const exited = proc.exited.then((code) => {
    finish();
    return code;
  });
  const writer = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (ended) return cb(new Error('The language server process has exited.'));
      proc.write(chunk);
      cb();
    },
    final(cb) {
      proc.end();
      cb();
    },
  });
  return {
    reader,
    writer,
    exited,
    kill: async () => {
      // The container may be gone already: then so is the process.
      await proc.kill('KILL').catch(() => undefined);
      finish();
    },
  };
}
