import * as vscode from 'vscode';
import { RC_FILE, REPO_DIR } from '../../core/devcontainer/devShell';
import type { ContainerHandle, SpawnedProcess } from '../../core/runtime/containerRuntime';
import { terminalSafe } from '../../core/util/terminalText';
import { errorMessage } from '../util/logger';

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

  constructor(private readonly container: ContainerHandle) {}

  async open(initial: vscode.TerminalDimensions | undefined): Promise<void> {
    this.size = initial ?? this.size;
    try {
      const p = await this.container.spawn(['bash', '--rcfile', RC_FILE, '-i'], {
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
      p.onOutput((chunk) => this.written.fire(chunk));
      void p.exited.then((code) => this.closed.fire(code ?? undefined));
      for (const data of this.pending.splice(0)) p.write(data);
    } catch (err) {
      this.written.fire(`\r\nCould not start a shell in the container: ${terminalSafe(errorMessage(err))}\r\n`);
      this.closed.fire(1);
    }
  }

  handleInput(data: string): void {
    if (this.process) this.process.write(data);
    else this.pending.push(data);
  }

  setDimensions(size: vscode.TerminalDimensions): void {
    this.size = size;
    void this.process?.resize(size.columns, size.rows);
  }

  close(): void {
    this.disposed = true;
    void this.process?.kill('KILL').catch(() => undefined);
    this.written.dispose();
  }
}
