import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryMode } from '../core/devcontainer/gitHistory';
import { parseByteSize } from '../core/runtime/containerPolicy';
import type { ContainerLimits } from '../core/runtime/containerRuntime';
import type { EngineConnectSettings } from '../core/runtime/docker/engineAddress';

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
  /** sweGym.workspace.earlyPrompt: a new local workspace's terminal before its files reach the editor (core earlyLaunch). */
  get earlyPrompt(): boolean {
    return this.cfg.get<boolean>('workspace.earlyPrompt') ?? true;
  }
  get historyMode(): HistoryMode {
    return this.cfg.get<HistoryMode>('workspace.gitHistory') ?? 'full';
  }
  /** sweGym.engine: docker, podman, a socket, unix:// or tcp:// (see engineAddress). */
  get engine(): string | undefined {
    return this.cfg.get<string>('engine')?.trim() || undefined;
  }
  /** sweGym.ssh.* and sweGym.tls.*: how a remote engine is reached (unset: the environment's defaults). */
  get engineConnect(): EngineConnectSettings {
    const file = (key: string) => {
      const v = this.cfg.get<string>(key)?.trim();
      if (!v) return undefined;
      return v.startsWith('~') ? path.join(os.homedir(), v.slice(1)) : path.resolve(v);
    };
    return {
      ssh: { identityFile: file('ssh.identityFile'), knownHostsFile: file('ssh.knownHostsFile') },
      tls: { ca: file('tls.caFile'), cert: file('tls.certFile'), key: file('tls.keyFile') },
    };
  }
  get dockerSocket(): string | undefined {
    return this.cfg.get<string>('docker.socketPath')?.trim() || undefined;
  }
  /** Limits for every container; a malformed size falls back to the default (logged by the provider). */
  get containerLimits(): { limits: ContainerLimits; problem?: string } {
    const limits: ContainerLimits = {};
    let problem: string | undefined;
    const memory = this.cfg.get<string>('containers.memory')?.trim();
    if (memory) {
      try {
        limits.memoryBytes = parseByteSize(memory);
      } catch (err) {
        problem = `sweGym.containers.memory: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    const pids = this.cfg.get<number>('containers.pidsLimit');
    if (pids !== undefined && Number.isInteger(pids) && pids >= 16) limits.pidsLimit = pids;
    const cpus = this.cfg.get<number>('containers.cpus');
    if (cpus !== undefined && Number.isFinite(cpus) && cpus > 0) limits.cpus = cpus;
    return { limits, problem };
  }
  get allowInternet(): boolean {
    return this.cfg.get<boolean>('containers.allowInternet') ?? false;
  }
}
