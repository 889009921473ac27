import * as vscode from 'vscode';
import { OutputWindow } from '../../core/agent/tools/clip';
import { MARKER_RC, markerRc, ShellMarkerParser } from '../../core/demo/shellMarkers';
import { RC_FILE, REPO_DIR } from '../../core/devcontainer/devShell';
import type { ContainerHandle, SpawnedProcess } from '../../core/runtime/containerRuntime';
import { terminalSafe } from '../../core/util/terminalText';
import { errorMessage } from '../util/logger';

/** A command the person ran in the terminal, as its marks and output told it. */
export interface TerminalCommandRecord {
  command: string;
  output: string;
  exitCode: number;
  cwdBefore: string;
  cwdAfter: string;
  python: string;
}

/** Who listens to the commands run in a container terminal (a demonstration being recorded). */
export interface TerminalCommandHooks {
  /** Awaited when Enter is pressed at the prompt, before the shell gets it (record edits made before the command). */
  beforeCommand?(): Promise<unknown>;
  onCommand?(c: TerminalCommandRecord): void;
}

/** Output kept per command for its record (start and end; the middle is clipped as the agent's tool clips it). */
const KEPT_OUTPUT_CHARS = 15_000;

/**
 * A VS Code terminal whose shell runs inside the dev container: an interactive bash with a TTY
 * started through the engine API (no docker CLI needed), at /testbed, with the image's own
 * ~/.bashrc (which activates the task's environment) sourced first.
 */
export class ContainerPseudoterminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.written.event;
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidClose = this.closed.event;
  private process: SpawnedProcess | undefined;
  /** Keystrokes that arrive before the shell is up. */
  private pending: string[] = [];
  private size: vscode.TerminalDimensions | undefined;
  private disposed = false;
  private readonly marks = new ShellMarkerParser();
  private running: { command: string; cwdBefore: string; output: OutputWindow } | undefined;
  private cwd = REPO_DIR;
  private atPrompt = false;
  private input: Promise<void> = Promise.resolve();
  private shownOutput: () => void = () => undefined;
  /** Settles when the shell first writes (its prompt), or when it could not start. */
  readonly firstOutput = new Promise<void>((resolve) => (this.shownOutput = resolve));

  /**
   * `hooks`: asked at each command (a demonstration may start or end while the terminal is open).
   * `rcWritten`: the launch already wrote the marked rc (prepareDevShell); a container found
   * again after a reload may be an older launch's, so it gets it written here.
   */
  constructor(
    private readonly container: ContainerHandle,
    private readonly hooks: () => TerminalCommandHooks | undefined = () => undefined,
    private readonly rcWritten = false,
  ) {}

  async open(initial: vscode.TerminalDimensions | undefined): Promise<void> {
    this.size = initial ?? this.size;
    try {
      // The marker rc sources the usual one; without it (a write refused) the shell is the same, unmarked.
      const rc = this.rcWritten
        ? MARKER_RC
        : await this.container.putFile(MARKER_RC, markerRc(RC_FILE), 0o644).then(
            () => MARKER_RC,
            () => RC_FILE,
          );
      const p = await this.container.spawn(['bash', '--rcfile', rc, '-i'], {
        tty: true,
        cwd: REPO_DIR,
        env: { TERM: 'xterm-256color' },
        ...(this.size ? { columns: this.size.columns, rows: this.size.rows } : {}),
      });
      if (this.disposed) {
        await p.kill('KILL');
        return;
      }
      this.process = p;
      p.onOutput((chunk) => this.output(chunk));
      void p.exited.then((code) => this.closed.fire(code ?? undefined));
      for (const data of this.pending.splice(0)) p.write(data);
    } catch (err) {
      this.shownOutput();
      this.written.fire(`\r\nCould not start a shell in the container: ${terminalSafe(errorMessage(err))}\r\n`);
      this.closed.fire(1);
    }
  }

  handleInput(data: string): void {
    this.input = this.input.then(() => this.deliver(data));
  }

  private async deliver(data: string): Promise<void> {
    const gate = this.atPrompt ? this.hooks()?.beforeCommand : undefined;
    const enter = data.indexOf('\r');
    if (!gate || enter === -1) return this.send(data);
    this.send(data.slice(0, enter));
    this.atPrompt = false;
    await gate().catch(() => undefined);
    this.send(data.slice(enter));
  }

  private send(data: string): void {
    if (!data) return;
    if (this.process) this.process.write(data);
    else this.pending.push(data);
  }

  private output(chunk: string): void {
    let shown = '';
    for (const part of this.marks.push(chunk)) {
      if (typeof part === 'string') {
        shown += part;
        this.running?.output.push(part);
      } else if (part.kind === 'start') {
        this.running = { command: part.command, cwdBefore: this.cwd, output: new OutputWindow(KEPT_OUTPUT_CHARS, KEPT_OUTPUT_CHARS) };
        this.atPrompt = false;
      } else {
        const ran = this.running;
        this.running = undefined;
        this.atPrompt = true;
        if (ran) this.hooks()?.onCommand?.({ command: ran.command, output: ran.output.text().text, exitCode: part.exitCode, cwdBefore: ran.cwdBefore, cwdAfter: part.cwd || this.cwd, python: part.python });
        if (part.cwd) this.cwd = part.cwd;
      }
    }
    if (shown) {
      this.written.fire(shown);
      this.shownOutput();
    }
  }

  setDimensions(size: vscode.TerminalDimensions): void {
    this.size = size;
    void this.process?.resize(size.columns, size.rows);
  }

  close(): void {
    this.disposed = true;
    this.shownOutput();
    void this.process?.kill('KILL').catch(() => undefined);
    this.written.dispose();
  }
}
