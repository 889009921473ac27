import * as vscode from 'vscode';
import { PAGE, type PageEvents, type PageRequests } from '../../shared/protocol';
import type { PageHandlers } from '../../shared/rpcHost';
import type { RunSpecView } from '../../shared/instancePage';
import type { InstanceActions } from '../actions';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { InstanceViews } from '../webviewHost/instanceViews';
import { WebviewHost } from '../webviewHost/webviewHost';
import type { WebviewKind } from '../webviewHost/webviewKind';
import { CandidateWatcher } from './candidateWatcher';
import { buildPageState, runSpecView, type PageStateDeps } from './pageState';

export const PAGE_VIEW_TYPE = 'sweGym.instance';

const PAGE_KIND: WebviewKind<PageRequests, PageEvents> = {
  viewType: PAGE_VIEW_TYPE,
  protocol: PAGE,
  bundle: 'main',
  icon: 'swe-gym.svg',
  title: (id) => id,
  loading: (id) => `Loading ${id}…`,
  noun: 'page',
  remoteImages: true,
};

export interface PanelDeps extends PageStateDeps {
  datasets: DatasetStore;
  actions: InstanceActions;
  /** What the instance's spec is made with (the page says how it is run and why). */
  settings: Pick<Settings, 'imageTemplate' | 'allowPull' | 'skipInstall'>;
  /** Fires with an instance id whose agent figures changed. */
  onDidChangeAgents?: vscode.Event<string>;
  /** Fires with an instance id whose annotations changed. */
  onDidChangeAnnotations?: vscode.Event<string>;
}

/** One instance page: its handlers, and pushes of fresh state. */
class InstancePanel extends Disposable {
  private readonly host: WebviewHost<PageRequests, PageEvents>;
  private pushTimer: NodeJS.Timeout | undefined;
  /** The spec's view, made again only when a setting it depends on changes (it reads the row's heavy fields). */
  private specView: { key: string; view: RunSpecView | { cannotRun: string } } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: InstanceRef,
    private readonly deps: PanelDeps,
    extensionUri: vscode.Uri,
    log: Logger,
  ) {
    super();
    const id = ref.instance.instance_id;
    this.host = this.register(new WebviewHost(panel, PAGE_KIND, ref, this.handlers(), extensionUri, log));
    const onChange = (changed: string) => {
      if (changed === id) this.schedulePush();
    };
    this.register(deps.status.onDidChange(onChange));
    this.register(deps.evaluation.onDidChange(onChange));
    if (deps.onDidChangeAgents) this.register(deps.onDidChangeAgents(onChange));
    if (deps.onDidChangeAnnotations) this.register(deps.onDidChangeAnnotations(onChange));
    this.register(new CandidateWatcher(ref, deps.devContainers, deps.evaluation, log));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sweGym')) this.schedulePush();
      }),
    );
    this.register(
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) deps.devContainers.setActive(id);
      }),
    );
  }

  override dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    super.dispose();
  }

  get isReady(): boolean {
    return this.host.isReady;
  }

  /** The state the page shows now. */
  pageState() {
    const s = this.deps.settings;
    const key = JSON.stringify([s.imageTemplate, s.allowPull, s.skipInstall]);
    if (this.specView?.key !== key) this.specView = { key, view: runSpecView(() => specFor(this.ref, s)) };
    return buildPageState(this.ref, this.deps, this.specView.view);
  }

  private schedulePush(): void {
    if (this.pushTimer || this.isDisposed) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      if (!this.isDisposed) this.host.rpc.emit('state', this.pageState());
    }, 50);
  }

  private handlers(): PageHandlers {
    const { actions } = this.deps;
    const ref = this.ref;
    return {
      getState: async () => this.pageState(),
      reveal: async ({ what }) => {
        await actions.reveal(ref, what);
        return this.pageState();
      },
      launch: async (_p, signal) => {
        await actions.launch(ref, signal);
        return this.pageState();
      },
      openTerminal: async () => {
        actions.openTerminal(ref);
        return null;
      },
      runTests: async (_p, signal) => {
        await actions.runTests(ref, signal);
        return this.pageState();
      },
      refreshCandidate: async (_p, signal) => {
        await this.deps.evaluation.refreshCandidate(ref, signal);
        return this.pageState();
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
        return this.pageState();
      },
      startAgent: async () => {
        await vscode.commands.executeCommand('sweGym.agent.start', ref.instance.instance_id, ref.entry.source);
        return null;
      },
      annotate: async () => {
        await vscode.commands.executeCommand('sweGym.annotate', ref.instance.instance_id);
        return null;
      },
    };
  }
}

/** The open instance pages, one per instance, restored after a reload by the serializer. */
export class InstancePanels extends InstanceViews<InstancePanel, PageRequests, PageEvents> {
  constructor(
    extensionUri: vscode.Uri,
    private readonly deps: PanelDeps,
    datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super(PAGE_KIND, extensionUri, deps.datasets, datasetsReady);
  }

  protected create(panel: vscode.WebviewPanel, ref: InstanceRef): InstancePanel {
    return new InstancePanel(panel, ref, this.deps, this.extensionUri, this.log);
  }
}
