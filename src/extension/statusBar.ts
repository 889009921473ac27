import * as vscode from 'vscode';
import { STATUS_LABELS, type InstanceStatusService } from './instanceStatus';
import type { DevContainerManager } from './devContainers/devContainerManager';
import { Disposable } from './util/disposable';

/** Names the active instance; a click offers its actions (run hidden tests among them). */
export class ActiveInstanceStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('sweGym.activeInstance', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly devContainers: DevContainerManager,
    private readonly status: InstanceStatusService,
  ) {
    super();
    this.item.name = 'SWE-Gym active instance';
    this.item.command = 'sweGym.statusBarActions';
    this.register(devContainers.onDidChangeActive(() => this.update()));
    this.register(devContainers.onDidChange(() => this.update()));
    this.register(status.onDidChange((id) => id === this.devContainers.active && this.update()));
    this.update();
  }

  update(): void {
    const id = this.devContainers.active;
    if (!id) {
      this.item.text = '';
      this.item.hide();
      return;
    }
    const s = this.status.statusOf(id);
    const icon = s === 'resolved' ? '$(pass-filled)' : s === 'failed' ? '$(error)' : s === 'error' ? '$(warning)' : '$(beaker)';
    this.item.text = `${icon} ${id}`;
    this.item.tooltip = `SWE-Gym: ${id} — ${STATUS_LABELS[s]}. Click for actions (run hidden tests, terminal, diff, stop).`;
    this.item.show();
  }
}
