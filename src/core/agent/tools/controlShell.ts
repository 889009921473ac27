import { randomBytes } from 'node:crypto';
import type { ContainerHandle, SpawnedProcess } from '../../runtime/containerRuntime';
import { abortError } from '../../util/abortError';

export interface ControlResult {
  exitCode: number;
  /** stdout and stderr merged. */
  output: string;
}

/**
 * A private, non-interactive `/bin/sh` kept open in the container for the agent's own plumbing
 * (file reads and writes for the editor, workspace snapshots). One exec costs tens of
 * milliseconds; a line on an open shell costs about one. Never seen by the model.
 */
export class ControlShell {
  private queue: Promise<unknown> = Promise.resolve();
  private buffer = '';
  private waiter: (() => void) | undefined;
  private dead = false;
  private seq = 0;
  private readonly tag = randomBytes(6).toString('hex');

  private constructor(private readonly proc: SpawnedProcess) {
    proc.onOutput((chunk) => {
      this.buffer += chunk;
      this.waiter?.();
    });
    void proc.exited.then(() => {
      this.dead = true;
      this.waiter?.();
    });
  }

  static async start(container: ContainerHandle): Promise<ControlShell> {
    const proc = await container.spawn(['/bin/sh'], { env: { LC_ALL: 'C.UTF-8' } });
    return new ControlShell(proc);
  }

  /** Runs a script in a subshell (stdin /dev/null); resolves with its exit code and merged output. */
  run(script: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ControlResult> {
    const next = this.queue.then(() => this.runNow(script, options.timeoutMs ?? 60_000, options.signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(script: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<ControlResult> {
    if (this.dead) throw new Error('The control shell in the container has exited.');
    const id = `${this.tag}_${++this.seq}`;
    // The marker is built by printf at run time, so the script text itself never contains it.
    const end = `\x1fCTL${id}\x1f`;
    this.buffer = '';
    // A subshell, so a script's `exit` ends only the script.
    this.proc.write(`(\n${script}\n) </dev/null 2>&1; printf '\\037CTL%s\\037%d\\n' '${id}' "$?"\n`);
    const started = Date.now();
    for (;;) {
      const at = this.buffer.indexOf(end);
      if (at >= 0) {
        const rest = this.buffer.slice(at + end.length);
        const nl = rest.indexOf('\n');
        if (nl >= 0) {
          const output = this.buffer.slice(0, at);
          this.buffer = '';
          return { exitCode: Number.parseInt(rest.slice(0, nl), 10), output };
        }
      }
      if (this.dead) throw new Error('The control shell in the container exited while running a command.');
      if (signal?.aborted) throw abortError();
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) {
        this.dead = true;
        await this.proc.kill('KILL').catch(() => undefined);
        throw new Error(`A control command in the container did not finish within ${timeoutMs} ms.`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.dead = true;
    await this.proc.kill('KILL').catch(() => undefined);
  }
}

