import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SyncReport, WorkspaceSync } from '../../core/devcontainer/workspaceSync';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import type { TerminalCommandHooks } from './containerTerminal';

/** How often a synced workspace takes the container's edits back when nothing else asked. */
const PULL_EVERY_MS = 5_000;

/**
 * The workspaces of dev containers on a remote engine (no bind mount; see core WorkspaceSync):
 * a save pushes, a grade pushes first, a command typed in the container terminal pushes before
 * it runs and pulls after it ends, and a timer pulls every few seconds. What travels and any file
 * edited on both sides is logged.
 */
export class SyncedWorkspaces extends Disposable {
  private readonly synced = new Map<string, { sync: WorkspaceSync; timer: NodeJS.Timeout; ticking?: Promise<void> }>();

  constructor(private readonly log: Logger) {
    super();
    this.register(
      vscode.workspace.onDidSaveTextDocument((doc) => {
        for (const [id, s] of this.synced) {
          const rel = path.relative(s.sync.workspaceDir, doc.uri.fsPath);
          if (doc.uri.scheme === 'file' && rel && !rel.startsWith('..') && !path.isAbsolute(rel)) void this.push(id);
        }
      }),
    );
    this.register({ dispose: () => [...this.synced.keys()].forEach((id) => this.detach(id)) });
  }

  attach(instanceId: string, sync: WorkspaceSync): void {
    this.detach(instanceId);
    // One timed pull at a time: on a slow engine a pull can outlast the period, and queued pulls
    // would hold up the pushes a save or a grade waits for.
    const timer = setInterval(() => {
      const s = this.synced.get(instanceId);
      if (!s || s.ticking) return;
      s.ticking = this.pull(instanceId).finally(() => (s.ticking = undefined));
    }, PULL_EVERY_MS);
    timer.unref();
    this.synced.set(instanceId, { sync, timer });
  }

  detach(instanceId: string): void {
    const s = this.synced.get(instanceId);
    if (s) clearInterval(s.timer);
    this.synced.delete(instanceId);
  }

  has(instanceId: string): boolean {
    return this.synced.has(instanceId);
  }

  /** Host edits into the container (awaited before a grade: the patch is taken in the container). */
  push(instanceId: string, signal?: AbortSignal): Promise<void> {
    return this.run(instanceId, (s) => s.push(signal));
  }

  /** The container's edits back to the host (before a diff, before the container goes). */
  pull(instanceId: string, signal?: AbortSignal): Promise<void> {
    return this.run(instanceId, (s) => s.pull(signal));
  }

  /** The container terminal's part: saved edits in before a command, its edits out after. */
  terminalHooks(instanceId: string): TerminalCommandHooks | undefined {
    if (!this.synced.has(instanceId)) return undefined;
    return { beforeCommand: () => this.push(instanceId), onCommand: () => void this.pull(instanceId) };
  }

  private async run(instanceId: string, work: (s: WorkspaceSync) => Promise<SyncReport>): Promise<void> {
    const s = this.synced.get(instanceId);
    if (!s) return;
    try {
      const r = await work(s.sync);
      if (r.written.length || r.deleted.length || r.conflicts.length) {
        const arrow = r.direction === 'push' ? 'host -> container' : 'container -> host';
        this.log.info(`${instanceId}: synced ${arrow} in ${r.ms} ms: ${r.written.length} written, ${r.deleted.length} deleted${r.written.length + r.deleted.length <= 5 ? ` (${[...r.written, ...r.deleted].join(', ')})` : ''}`);
      }
      if (r.outsideLinks.length) {
        const where = r.direction === 'push' ? 'on the host' : 'in the container';
        this.log.warn(`${instanceId}: symbolic links ${where} that lead outside the workspace are not synced: ${r.outsideLinks.join(', ')}`);
      }
      if (r.conflicts.length) {
        this.log.warn(`${instanceId}: edited on both sides since the last sync, the host's copy kept: ${r.conflicts.join(', ')}`);
      }
    } catch (err) {
      // Detached meanwhile (stopped): a pull that was already queued finds the container gone.
      if (this.synced.get(instanceId)?.sync !== s.sync) return;
      this.log.warn(`${instanceId}: workspace sync failed: ${errorMessage(err)}`);
    }
  }
}
