import * as vscode from 'vscode';
import type { PageHandlers } from '../../shared/rpcHost';
import { PageRpcHost } from '../../shared/rpcHost';
import type { InstanceActions } from '../actions';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { CandidateWatcher } from './candidateWatcher';
import { pageHtml } from './pageHtml';
import { buildPageState, type PageStateDeps } from './pageState';

export const PAGE_VIEW_TYPE = 'sweGym.instance';

export interface PanelDeps extends PageStateDeps {
  datasets: DatasetStore;
  actions: InstanceActions;
  /** Fires with an instance id whose agent figures changed. */
  onDidChangeAgents?: vscode.Event<string>;
}

/** One instance page: the webview, its protocol endpoint, and pushes of fresh state. */
class InstancePanel extends Disposable {
  private readonly rpc: PageRpcHost;
  private pushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: InstanceRef,
    private readonly deps: PanelDeps,
    extensionUri: vscode.Uri,
    private readonly log: Logger,
    onDisposed: () => void,
  ) {
    super();
    const id = ref.instance.instance_id;
    panel.title = id;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'swe-gym.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')] };
    this.rpc = new PageRpcHost((m) => panel.webview.postMessage(m), this.handlers(), (reason) => log.warn(`${id}: ignored a malformed page message (${reason})`));
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.rpc.handle(m)));
    panel.webview.html = pageHtml(panel.webview, extensionUri, id, ref.entry.source);
    const onChange = (changed: string) => {
      if (changed === id) this.schedulePush();
    };
    this.register(deps.status.onDidChange(onChange));
    this.register(deps.evaluation.onDidChange(onChange));
    if (deps.onDidChangeAgents) this.register(deps.onDidChangeAgents(onChange));
    this.register(new CandidateWatcher(ref, deps.devContainers, deps.evaluation, log));
    this.register(
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) deps.devContainers.setActive(id);
      }),
    );
    this.register(
      panel.onDidDispose(() => {
        this.rpc.reset();
        onDisposed();
        this.dispose();
      }),
    );
  }

  override dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    super.dispose();
  }

  get isReady(): boolean {
    return this.rpc.ready;
  }

  private state() {
    return buildPageState(this.ref, this.deps);
  }

  private schedulePush(): void {
    if (this.pushTimer || this.isDisposed) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      if (!this.isDisposed) this.rpc.emit('state', this.state());
    }, 50);
  }

  private handlers(): PageHandlers {
    const { actions } = this.deps;
    const ref = this.ref;
    return {
      getState: async () => this.state(),
      reveal: async ({ what }) => {
        await actions.reveal(ref, what);
        return this.state();
      },
      launch: async (_p, signal) => {
        await actions.launch(ref, signal);
        return this.state();
      },
      openTerminal: async () => {
        actions.openTerminal(ref);
        return null;
      },
      runTests: async (_p, signal) => {
        await actions.runTests(ref, signal);
        return this.state();
      },
      refreshCandidate: async (_p, signal) => {
        await this.deps.evaluation.refreshCandidate(ref, signal);
        return this.state();
      },
      showDiff: async ({ against }, signal) => {
        await actions.showDiff(ref, against, signal);
        return null;
      },
      openWorkspace: async () => {
        await this.deps.devContainers.openWorkspace(ref.instance.instance_id, true);
        return null;
      },
      showLog: async () => {
        await actions.showTestLog(ref);
        return null;
      },
      stop: async () => {
        await actions.stop(ref);
        return this.state();
      },
      startAgent: async () => {
        await vscode.commands.executeCommand('sweGym.agent.start', ref.instance.instance_id, ref.entry.source);
        return null;
      },
    };
  }
}

/** The open instance pages, one per instance, restored after a reload by the serializer. */
export class InstancePanels extends Disposable {
  private readonly panels = new Map<string, InstancePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: PanelDeps,
    private readonly datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super();
    this.register(
      vscode.window.registerWebviewPanelSerializer(PAGE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          await this.datasetsReady;
          const s = (state ?? {}) as { instanceId?: unknown; datasetSource?: unknown };
          const ref = typeof s.instanceId === 'string' ? deps.datasets.find(s.instanceId, typeof s.datasetSource === 'string' ? s.datasetSource : undefined) : undefined;
          if (!ref) {
            panel.dispose();
            return;
          }
          this.adopt(panel, ref);
        },
      }),
    );
  }

  show(ref: InstanceRef): vscode.WebviewPanel {
    const existing = this.panels.get(ref.instance.instance_id);
    if (existing) {
      existing.panel.reveal();
      return existing.panel;
    }
    const panel = vscode.window.createWebviewPanel(PAGE_VIEW_TYPE, ref.instance.instance_id, vscode.ViewColumn.Active, { enableScripts: true });
    this.adopt(panel, ref);
    return panel;
  }

  isOpen(instanceId: string): boolean {
    return this.panels.has(instanceId);
  }

  isReady(instanceId: string): boolean {
    return this.panels.get(instanceId)?.isReady ?? false;
  }

  private adopt(panel: vscode.WebviewPanel, ref: InstanceRef): void {
    const id = ref.instance.instance_id;
    this.panels.get(id)?.panel.dispose();
    const p = new InstancePanel(panel, ref, this.deps, this.extensionUri, this.log, () => this.panels.delete(id));
    this.panels.set(id, p);
  }

  override dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    super.dispose();
  }
}
