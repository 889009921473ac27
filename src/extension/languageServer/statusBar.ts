import * as vscode from 'vscode';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import type { InstanceServerState, LanguageServerService } from './languageServerService';

const TEXT: Record<InstanceServerState, string | undefined> = {
  starting: '$(sync~spin) Python: starting',
  indexing: '$(sync~spin) Python: indexing',
  ready: '$(check) Python',
  restarting: '$(sync~spin) Python: restarting',
  stopped: undefined,
  failed: '$(error) Python: stopped',
  off: undefined,
  unavailable: '$(circle-slash) Python',
};

/** The language server of the active instance: starting, indexing, ready, crashed. */
export class LanguageServerStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('sweGym.languageServer', vscode.StatusBarAlignment.Left, 9));

  constructor(
    private readonly service: LanguageServerService,
    private readonly devContainers: DevContainerManager,
  ) {
    super();
    this.item.name = 'SWE-Gym Python language server';
    this.item.command = 'sweGym.showLog';
    this.register(service.onDidChange(() => this.update()));
    this.register(devContainers.onDidChangeActive(() => this.update()));
  }

  private update(): void {
    const id = this.devContainers.active;
    const s = id ? this.service.stateOf(id) : undefined;
    const text = s && TEXT[s.state];
    if (!id || !s || !text) {
      this.item.hide();
      return;
    }
    this.item.text = text;
    this.item.tooltip = `Python language server (pyright) in the container of ${id}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`;
    this.item.show();
  }
}
