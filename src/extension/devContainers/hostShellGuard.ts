import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';

export interface InstanceFolder {
  instanceId: string;
  workspaceDir: string;
}

/**
 * After a reload VS Code cannot revive an extension's container terminal; with the terminal panel
 * open it starts a host shell by itself instead, in the first folder, which may be an instance's
 * (then titled after it): a user would type into the host believing it is the task's environment.
 * During the first moments after activation, host shells in an instance's folder or titled after
 * it are closed; the instance's terminals are opened again in their containers by the session
 * manager. Shells the user opens later are left alone.
 */
export class HostShellGuard extends Disposable {
  constructor(
    private readonly folders: () => InstanceFolder[],
    private readonly log: Logger,
  ) {
    super();
  }

  /** Checks the terminals there now, and those that open or report their folder for `ms`. */
  watch(ms: number): void {
    for (const t of vscode.window.terminals) this.check(t);
    const subs = [vscode.window.onDidOpenTerminal((t) => this.check(t)), vscode.window.onDidChangeTerminalShellIntegration((e) => this.check(e.terminal))];
    const timer = setTimeout(() => subs.forEach((s) => s.dispose()), ms);
    this.register({ dispose: () => (clearTimeout(timer), subs.forEach((s) => s.dispose())) });
  }

  private check(t: vscode.Terminal): void {
    if (!isHostShell(t) || t.exitStatus) return;
    const folder = this.folders().find((f) => t.name.includes(f.instanceId) || isInside(terminalCwd(t), f.workspaceDir));
    if (!folder) return;
    this.log.info(`Closing the host shell "${t.name}" VS Code opened by itself in the folder of ${folder.instanceId}; its terminal runs in the container`);
    t.dispose();
  }
}

/** A process VS Code starts (an extension's pseudoterminal is not one). */
function isHostShell(t: vscode.Terminal): boolean {
  return !('pty' in t.creationOptions);
}

function terminalCwd(t: vscode.Terminal): string | undefined {
  const fromShell = t.shellIntegration?.cwd;
  if (fromShell) return fromShell.fsPath;
  const options = t.creationOptions as vscode.TerminalOptions;
  const cwd = 'pty' in options ? undefined : options.cwd;
  return typeof cwd === 'string' ? cwd : cwd?.fsPath;
}

function isInside(dir: string | undefined, root: string): boolean {
  if (!dir) return false;
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
