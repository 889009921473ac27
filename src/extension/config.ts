import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryMode } from '../core/devcontainer/gitHistory';

export type OpenWorkspaceIn = 'addToWorkspace' | 'newWindow' | 'none';

/** Typed reads of the `sweGym.*` settings (declared in package.json). */
export class Settings {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('sweGym');
  }

  get datasets(): string[] {
    return (this.cfg.get<string[]>('datasets') ?? []).map((s) => s.trim()).filter(Boolean);
  }
  get imageTemplate(): string | undefined {
    return this.cfg.get<string>('images.template')?.trim() || undefined;
  }
  get allowPull(): boolean {
    return this.cfg.get<boolean>('images.allowPull') ?? true;
  }
  get timeoutSeconds(): number {
    const v = this.cfg.get<number>('evaluation.timeoutSeconds') ?? 1800;
    return Number.isFinite(v) && v > 0 ? v : 1800;
  }
  get skipInstall(): boolean {
    return this.cfg.get<boolean>('evaluation.skipInstall') ?? false;
  }
  get workspaceRoot(): string {
    const v = this.cfg.get<string>('workspace.root')?.trim();
    if (!v) return path.join(os.homedir(), 'swe-gym-workspaces');
    return v.startsWith('~') ? path.join(os.homedir(), v.slice(1)) : path.resolve(v);
  }
  get openIn(): OpenWorkspaceIn {
    return this.cfg.get<OpenWorkspaceIn>('workspace.openIn') ?? 'addToWorkspace';
  }
  get historyMode(): HistoryMode {
    return this.cfg.get<HistoryMode>('workspace.gitHistory') ?? 'full';
  }
  get dockerSocket(): string | undefined {
    return this.cfg.get<string>('docker.socketPath')?.trim() || undefined;
  }
}
