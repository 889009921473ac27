import * as vscode from 'vscode';
import type { InstanceStatus } from '../shared/instancePage';
import type { RunRecord } from '../shared/runRecord';
import type { BusyTracker } from './devContainers/busyTracker';
import type { DevContainerManager } from './devContainers/devContainerManager';
import type { StateStore } from './state/stateStore';
import { Disposable } from './util/disposable';

export function statusOfRun(run: RunRecord): InstanceStatus | undefined {
  switch (run.status) {
    case 'resolved':
      return 'resolved';
    case 'unresolved':
    case 'empty_patch':
    case 'patch_apply_failed':
      return 'failed';
    case 'timeout':
    case 'error':
      return 'error';
    case 'cancelled':
      return undefined;
  }
}

/**
 * One status per instance for the tree, the page and the status bar: an evaluation in progress or
 * a live dev container without a verdict yet is `running`; otherwise the last finished run decides.
 */
export class InstanceStatusService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: StateStore,
    private readonly devContainers: DevContainerManager,
    private readonly busy: BusyTracker,
  ) {
    super();
    for (const e of [state.onDidChange, devContainers.onDidChange, busy.onDidChange]) this.register(e((id) => this.changed.fire(id)));
  }

  statusOf(instanceId: string): InstanceStatus {
    const op = this.busy.get(instanceId)?.operation;
    if (op === 'runTests' || op === 'launch') return 'running';
    for (const run of this.state.get(instanceId).history ?? []) {
      const s = statusOfRun(run);
      if (s) return s;
    }
    return this.devContainers.isRunning(instanceId) ? 'running' : 'not-started';
  }
}

export const STATUS_LABELS: Record<InstanceStatus, string> = {
  'not-started': 'not started',
  running: 'running',
  resolved: 'resolved',
  // The card's own words for the same state, so badge, tree, status bar and card agree.
  failed: 'not resolved',
  error: 'error',
};
