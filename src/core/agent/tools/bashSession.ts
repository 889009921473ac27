import { randomBytes } from 'node:crypto';
import type { ContainerHandle, SpawnedProcess } from '../../runtime/containerRuntime';
import { OutputWindow } from './clip';
import { abortError } from '../../util/abortError';

export interface BashSessionOptions {
  /** Where the shell starts (the repository). */
  cwd?: string;
  /** Host name shown in the prompt line of observations (SWE-Gym rows show `openhands-workspace`). */
  promptHost?: string;
  /** A command still running after this long is interrupted (SIGINT) and reported as timed out. */
  timeoutMs?: number;
  /** A running command that prints nothing for this long is reported as still running (exit code -1). */
  noOutputTimeoutMs?: number;
  /** Output beyond this many characters loses its middle (start and end kept) with a `<response clipped>` note. */
  maxOutputChars?: number;
  /** How long one SIGINT gets to bring the prompt back. */
  interruptGraceMs?: number;
  columns?: number;
  rows?: number;
  env?: Record<string, string>;
  /** Writes a file in the container: long or multi-line commands are sourced from one. */
  writeFile: (path: string, content: string) => Promise<void>;
}

export type BashRunState = 'finished' | 'running' | 'timed_out' | 'interrupted' | 'restarted';

export interface BashRun {
  /** The observation body (what follows `OBSERVATION:\n`). */
  text: string;
  /** -1 while the command is still running. */
  exitCode: number;
  state: BashRunState;
  /** From writing the command to the prompt (or to giving up waiting): the command's own time. */
  commandMs: number;
  outputChars: number;
  clipped: boolean;
  /** The request could not be run at all (e.g. an empty command with nothing running). */
  error?: string;
}

interface Prompt {
  exitCode: number;
  python: string;
  user: string;
  cwdDisplay: string;
}

type WaitOutcome = 'prompt' | 'deadline' | 'idle' | 'exited' | 'aborted';

const DEFAULTS = { cwd: '/testbed', promptHost: 'openhands-workspace', timeoutMs: 120_000, noOutputTimeoutMs: 30_000, maxOutputChars: 30_000, interruptGraceMs: 1000 };
/** Longer command lines go through a file: a terminal in canonical mode cuts lines at 4096 bytes. */
const MAX_TYPED_COMMAND = 2000;
const START_TIMEOUT_MS = 20_000;

/**
 * One persistent interactive bash per rollout, on a pseudo-terminal, as SWE-Gym's agents had:
 * the working directory, variables and functions carry over between commands, output has the
 * terminal's `\r\n` line ends, and a command that waits for input can be fed or interrupted.
 *
 * Completion is detected by a prompt that carries a per-session random marker, the exit code,
 * the Python interpreter, the user and the working directory; the marker never appears in
 * anything typed (its control characters come from the prompt's octal escapes), so no output can
 * fake it. Echo is off, so the output is the command's own; the observation re-adds the command
 * line at the top, as SWE-Gym's did.
 */
export class BashSession {
  private proc!: SpawnedProcess;
  private window!: OutputWindow;
  private found: Prompt | undefined;
  private foundAt = 0;
  private exited = false;
  private shellExitCode: number | null = null;
  private notify: (() => void) | undefined;
  private running = false;
  private deadline = 0;
  private scriptSeq = 0;
  private bashPid = 0;
  private home = '/root';
  private readonly nonce = randomBytes(6).toString('hex');
  private readonly markerRe: RegExp;
  private readonly o: Required<Omit<BashSessionOptions, 'env' | 'columns' | 'rows'>> & Pick<BashSessionOptions, 'env' | 'columns' | 'rows'>;
  /** The shell's working directory after the last command (absolute). */
  cwd: string;

  private constructor(
    private readonly container: ContainerHandle,
    options: BashSessionOptions,
  ) {
    this.o = { ...DEFAULTS, ...stripUndefined(options) } as typeof this.o;
    this.cwd = this.o.cwd;
    this.markerRe = new RegExp(`\\x1fSGB${this.nonce}\\x1f(-?\\d+)\\x1f([^\\x1f]*)\\x1f([^\\x1f]*)\\x1f([^\\x1f]*)\\x1fSGE${this.nonce}\\x1f`, 'g');
  }

  static async start(container: ContainerHandle, options: BashSessionOptions): Promise<BashSession> {
    const session = new BashSession(container, options);
    await session.spawnShell(options.cwd ?? DEFAULTS.cwd);
    return session;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private newWindow(): OutputWindow {
    const half = Math.max(1, Math.floor(this.o.maxOutputChars / 2));
    return new OutputWindow(half, half);
  }

  private async spawnShell(cwd: string): Promise<void> {
    this.window = this.newWindow();
    this.found = undefined;
    this.exited = false;
    this.running = false;
    const columns = this.o.columns ?? 80;
    const rows = this.o.rows ?? 24;
    // --noediting: no readline, so a tab in a command is a tab, not a completion request.
    const proc = await this.container.spawn(['/bin/bash', '--noediting', '-i'], { tty: true, cwd, env: this.o.env, columns, rows });
    this.proc = proc;
    proc.onOutput((chunk) => {
      if (proc !== this.proc) return;
      this.window.push(chunk);
      this.scanForPrompt(chunk.length);
      this.notify?.();
    });
    void proc.exited.then((code) => {
      if (proc !== this.proc) return;
      this.exited = true;
      this.shellExitCode = code;
      this.notify?.();
    });
    const ps1 = `\\037SGB${this.nonce}\\037$?\\037$(command -v python 2>/dev/null || command -v python3 2>/dev/null)\\037\\u\\037\\w\\037SGE${this.nonce}\\037`;
    // Typed while echo is still on, so this line is echoed once; everything before the first
    // marked prompt is discarded. Pagers would wait for a key on a terminal: cat instead.
    proc.write(
      `stty -echo cols ${columns} rows ${rows} 2>/dev/null; unset PROMPT_COMMAND; PS1='${ps1}'; PS2=''; export PAGER=cat GIT_PAGER=cat; cd ${quote(cwd)}; printf '\\037PID%s\\037%s\\037' "$$" "$HOME"\n`,
    );
    const outcome = await this.waitFor(Date.now() + START_TIMEOUT_MS, undefined, undefined);
    if (outcome !== 'prompt') {
      await proc.kill('KILL').catch(() => undefined);
      throw new Error(`bash did not start in the container (${outcome === 'exited' ? `it exited with code ${this.shellExitCode}` : 'no prompt within 20 s'}).`);
    }
    const pre = this.window.text().text;
    const info = /\x1fPID(\d+)\x1f([^\x1f]*)\x1f/.exec(pre);
    if (info) {
      this.bashPid = Number(info[1]);
      this.home = info[2] || this.home;
    }
    this.updateCwd(this.found);
    this.found = undefined;
    this.window = this.newWindow();
  }

  private scanForPrompt(chunkLength: number): void {
    const recent = this.window.recent(chunkLength + 4096);
    let last: RegExpExecArray | null = null;
    this.markerRe.lastIndex = 0;
    for (let m = this.markerRe.exec(recent); m; m = this.markerRe.exec(recent)) last = m;
    if (!last) return;
    const end = last.index + last[0].length;
    const after = recent.slice(end);
    this.window.dropLast(recent.length - last.index);
    this.found = { exitCode: Number(last[1]), python: last[2] ?? '', user: last[3] ?? 'root', cwdDisplay: last[4] ?? '' };
    this.foundAt = Date.now();
    // Anything printed after the prompt (a background job) starts the next output.
    if (after) {
      this.window = this.newWindow();
      this.window.push(after);
    }
  }

  private waitFor(deadline: number, idleMs: number | undefined, signal: AbortSignal | undefined): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      let idleTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (o: WaitOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(idleTimer);
        clearTimeout(hardTimer);
        this.notify = undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const onAbort = () => finish('aborted');
      const armIdle = () => {
        if (idleMs === undefined) return;
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => finish('idle'), idleMs);
      };
      const hardTimer = setTimeout(() => finish('deadline'), Math.max(0, deadline - Date.now()));
      this.notify = () => {
        if (this.found) finish('prompt');
        else if (this.exited) finish('exited');
        else armIdle();
      };
      if (signal?.aborted) return finish('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      armIdle();
      if (this.found) finish('prompt');
      else if (this.exited) finish('exited');
    });
  }

  /**
   * Runs one execute_bash request: a new command, or (while one is still running) an empty string
   * to read more output, `ctrl+c` to interrupt it, or any other text for its standard input.
   */
  async run(rawCommand: string, options: { signal?: AbortSignal } = {}): Promise<BashRun> {
    const started = Date.now();
    // A trailing newline is the model ending its line, not an extra empty command.
    const command = rawCommand.replace(/[\r\n]+$/, '');
    if (this.exited) await this.restart();
    const isCtrlC = command.trim().toLowerCase() === 'ctrl+c';
    if (!this.running && command.trim() === '') {
      return { text: '', exitCode: -1, state: 'finished', commandMs: 0, outputChars: 0, clipped: false, error: 'No previous running command to retrieve logs from.' };
    }
    this.found = undefined;
    if (isCtrlC) return this.interrupt(command, started, null, options.signal);
    if (this.running) {
      if (command !== '') this.proc.write(`${command}\n`);
    } else {
      this.running = true;
      this.deadline = Date.now() + this.o.timeoutMs;
      await this.send(command);
    }
    const outcome = await this.waitFor(this.deadline, this.o.noOutputTimeoutMs, options.signal);
    return this.conclude(command, outcome, started, options.signal);
  }

  private async send(command: string): Promise<void> {
    if (command.includes('\n') || command.length > MAX_TYPED_COMMAND || /[\x00-\x08\x0b-\x1f\x7f]/.test(command)) {
      const file = `/tmp/.swe-gym-cmd-${this.nonce}-${++this.scriptSeq}.sh`;
      await this.o.writeFile(file, `${command}\n`);
      this.proc.write(`source ${file}\n`);
    } else {
      this.proc.write(`${command}\n`);
    }
  }

  private async conclude(echo: string, outcome: WaitOutcome, started: number, signal: AbortSignal | undefined): Promise<BashRun> {
    switch (outcome) {
      case 'aborted':
        this.proc.write('\x03');
        throw abortError();
      case 'prompt':
        return this.finished(echo, '', started);
      case 'idle': {
        const { text, omitted } = this.window.text();
        this.window = this.newWindow();
        const seconds = Math.round(this.o.noOutputTimeoutMs / 100) / 10;
        const note = `\r\n[The command is still running: no new output for ${seconds} s. Send an empty command to wait for more output, other text to send it to the program's standard input, or ctrl+c to interrupt it.]`;
        const body = `${echo}\r\n${stripTerminalControl(text)}`.replace(/[\r\n]+$/, '') + note;
        return { text: `${body}\n[Command finished with exit code -1]`, exitCode: -1, state: 'running', commandMs: Date.now() - started, outputChars: text.length, clipped: omitted > 0 };
      }
      case 'deadline':
        return this.interrupt(echo, started, Math.round(this.o.timeoutMs / 1000), signal);
      case 'exited':
        return this.shellGone(echo, started);
    }
  }

  /** SIGINT through the terminal (twice), then killing the command's processes, then a new shell. */
  private async interrupt(echo: string, started: number, timedOutAfterS: number | null, signal: AbortSignal | undefined): Promise<BashRun> {
    const prefix = timedOutAfterS !== null ? `Command timed out after ${timedOutAfterS} seconds. ` : '';
    for (let attempt = 0; attempt < 2; attempt++) {
      this.proc.write('\x03');
      const o = await this.waitFor(Date.now() + this.o.interruptGraceMs, undefined, signal);
      if (o === 'aborted') throw abortError();
      if (o === 'exited') return this.shellGone(echo, started);
      if (o === 'prompt') return this.finished(echo, `\r\n\r\n[${prefix}SIGINT was sent to interrupt the command.]`, started, 130, timedOutAfterS !== null ? 'timed_out' : 'interrupted');
    }
    await this.killForeground();
    const o = await this.waitFor(Date.now() + 2000, undefined, signal);
    if (o === 'aborted') throw abortError();
    if (o === 'prompt') {
      return this.finished(echo, `\r\n\r\n[${prefix}SIGINT was sent to interrupt the command, but failed. The command was killed.]`, started, 130, timedOutAfterS !== null ? 'timed_out' : 'interrupted');
    }
    const { text } = this.window.text();
    await this.proc.kill('KILL').catch(() => undefined);
    await this.restart();
    const body = `${echo}\r\n${stripTerminalControl(text)}`.replace(/[\r\n]+$/, '');
    return {
      text: `${body}\r\n\r\n[${prefix}The command could not be interrupted; the shell was restarted in ${this.cwd} (variables and the working directory were reset).]\n[Command finished with exit code 130]`,
      exitCode: 130,
      state: 'restarted',
      commandMs: Date.now() - started,
      outputChars: text.length,
      clipped: false,
    };
  }

  private finished(echo: string, note: string, started: number, exitOverride?: number, state: BashRunState = 'finished'): BashRun {
    const prompt = this.found as Prompt;
    this.found = undefined;
    this.running = false;
    this.updateCwd(prompt);
    const { text, omitted } = this.window.text();
    this.window = this.newWindow();
    const exitCode = exitOverride ?? prompt.exitCode;
    // The newline bash prints on a SIGINT is not output: the note follows the last output line.
    const output = note ? text.replace(/[\r\n]+$/, '') + note : text;
    return {
      text: renderCommandObservation(echo, output, prompt, exitCode, this.o.promptHost),
      exitCode,
      state,
      commandMs: this.foundAt - started,
      outputChars: text.length,
      clipped: omitted > 0,
    };
  }

  private async shellGone(echo: string, started: number): Promise<BashRun> {
    const { text } = this.window.text();
    const code = this.shellExitCode ?? -1;
    await this.restart();
    const body = `${echo}\r\n${stripTerminalControl(text)}`.replace(/[\r\n]+$/, '');
    return {
      text: `${body}\r\n\r\n[The shell exited. A new shell was started in ${this.cwd}; variables and the working directory were reset.]\n[Command finished with exit code ${code}]`,
      exitCode: code,
      state: 'restarted',
      commandMs: Date.now() - started,
      outputChars: text.length,
      clipped: false,
    };
  }

  private async restart(): Promise<void> {
    const old = this.proc;
    this.proc = undefined as unknown as SpawnedProcess;
    await old?.kill('KILL').catch(() => undefined);
    await this.spawnShell(this.o.cwd);
  }

  /** Kills every process of the shell's session except the shell itself. */
  private async killForeground(): Promise<void> {
    if (!this.bashPid) return;
    await this.container
      .exec(['/bin/sh', '-c', 'for p in $(pgrep -s "$1" 2>/dev/null); do [ "$p" = "$1" ] || kill -KILL "$p" 2>/dev/null; done; true', 'sh', String(this.bashPid)], { timeoutMs: 5000 })
      .catch(() => undefined);
  }

  private updateCwd(prompt: Prompt | undefined): void {
    if (!prompt?.cwdDisplay) return;
    const d = prompt.cwdDisplay;
    this.cwd = d === '~' ? this.home : d.startsWith('~/') ? `${this.home}${d.slice(1)}` : d;
  }

  async close(): Promise<void> {
    const p = this.proc;
    this.exited = true;
    await p?.kill('KILL').catch(() => undefined);
  }
}

/**
 * SWE-Gym's execute_bash observation, byte for byte as in its released rollouts: the command
 * line, then (when there was output) a terminal line end and the output without its own trailing
 * line end, then `[Python Interpreter: ...]` glued to the last character, the prompt line on its
 * own line, and the exit code. Colour and terminal-control sequences are removed (the released
 * rows have none). Without a Python on PATH the prompt line follows directly.
 */
export function renderCommandObservation(echo: string, output: string, prompt: Prompt, exitCode: number, host: string): string {
  const userHost = `${prompt.user}@${host}:${prompt.cwdDisplay} ${prompt.user === 'root' ? '#' : '$'} `;
  const body = stripTerminalControl(output).replace(/[\r\n]+$/, '');
  const content = body ? `${echo}\r\n${body}` : echo;
  const shown = prompt.python ? `${content}[Python Interpreter: ${prompt.python}]\n${userHost}` : `${content}\n${userHost}`;
  return `${shown}\n[Command finished with exit code ${exitCode}]`;
}

/**
 * Removes what a terminal would interpret rather than show: CSI sequences (colours, cursor
 * moves, erases), OSC sequences (titles, hyperlinks), two-character escapes (charset and keypad
 * selection), and the bell. Tools that colour their output on a terminal (mypy, pytest, git)
 * then read as they did in SWE-Gym's rollouts, which were taken from a terminal's screen text.
 */
export function stripTerminalControl(text: string): string {
  if (!text.includes('\x1b') && !text.includes('\x9b') && !text.includes('\x07')) return text;
  return text
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '')
    .replace(/(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[PX^_][^\x1b]*(?:\x1b\\)?/g, '')
    .replace(/\x1b[ -/]*[0-~]/g, '')
    .replace(/[\x07\x1b]/g, '');
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

