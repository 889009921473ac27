import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgentViewState } from '../../shared/agentView';
import type { AgentHostToWebview } from '../../shared/protocol';
import { AgentRpcHost, type AgentHandlers } from '../../shared/rpcHost';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { BusyTracker } from '../devContainers/busyTracker';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { agentHtml } from './agentHtml';
import type { AgentSession } from '../agent/agentSession';
import type { AgentService } from '../agent/agentService';

export const AGENT_VIEW_TYPE = 'sweGym.agent';

/** One instance's agent view: the rollout it shows, its live events, the instance's run table. */
export class AgentPanel extends Disposable {
  readonly rpc: AgentRpcHost;
  private shownSession: AgentSession | undefined;
  private unsubscribe: (() => void) | undefined;
  private runsTimer: NodeJS.Timeout | undefined;
  /** What the webview last said it rendered (tests read it). */
  lastRendered: { rolloutId: string; seq: number; steps: number; busySteps?: number } | undefined;
  /** Live events posted to the webview so far. */
  eventsPosted = 0;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: InstanceRef,
    private readonly service: AgentService,
    busy: BusyTracker,
    extensionUri: vscode.Uri,
    private readonly log: Logger,
    onDisposed: () => void,
  ) {
    super();
    const id = ref.instance.instance_id;
    panel.title = `Agent: ${id}`;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'agent.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
    this.rpc = new AgentRpcHost((m: AgentHostToWebview) => panel.webview.postMessage(m), this.handlers(), (reason) => log.warn(`${id}: ignored a malformed agent view message (${reason})`));
    this.register(panel.webview.onDidReceiveMessage((m: unknown) => void this.rpc.handle(m)));
    panel.webview.html = agentHtml(panel.webview, extensionUri, id, ref.entry.source);
    const runsChanged = (changed: string) => changed === id && this.scheduleRuns();
    this.register(service.runs.onDidChange(runsChanged));
    this.register(service.onDidChange(runsChanged));
    this.register(busy.onDidChange(runsChanged));
    this.register(service.onDidStart((s) => s.instanceId === id && this.show(s)));
    this.register(
      panel.onDidDispose(() => {
        this.rpc.reset();
        onDisposed();
        this.dispose();
      }),
    );
    const first = service.latest(id);
    if (first) this.show(first, false);
  }

  get shown(): AgentSession | undefined {
    return this.shownSession;
  }

  get isReady(): boolean {
    return this.rpc.ready;
  }

  override dispose(): void {
    this.unsubscribe?.();
    if (this.runsTimer) clearTimeout(this.runsTimer);
    super.dispose();
  }

  /** Shows a rollout: its state now, then each of its events as it comes. */
  show(session: AgentSession, post = true): AgentViewState {
    this.unsubscribe?.();
    this.shownSession = session;
    this.unsubscribe = session.onView((e) => {
      if (this.rpc.emitIfReady('event', { ...e, rolloutId: session.rolloutId })) this.eventsPosted++;
    });
    const snapshot = structuredClone(session.view);
    if (post) this.rpc.emitIfReady('view', snapshot);
    return snapshot;
  }

  private scheduleRuns(): void {
    if (this.runsTimer || this.isDisposed) return;
    this.runsTimer = setTimeout(() => {
      this.runsTimer = undefined;
      if (!this.isDisposed) this.rpc.emit('runs', this.service.runsView(this.ref.instance.instance_id));
    }, 150);
  }

  /** The rollout a request is about: the one shown, one in memory, or one read back from its file. */
  private async session(rolloutId: string): Promise<AgentSession> {
    if (this.shownSession?.rolloutId === rolloutId) return this.shownSession;
    return this.service.session(rolloutId) ?? this.service.open(this.ref.instance.instance_id, rolloutId);
  }

  private handlers(): AgentHandlers {
    const id = this.ref.instance.instance_id;
    return {
      getState: async () => ({ view: this.shownSession ? structuredClone(this.shownSession.view) : null, runs: this.service.runsView(id) }),
      select: async ({ rolloutId }) => this.show(await this.service.open(id, rolloutId), false),
      start: async () => {
        await vscode.commands.executeCommand('sweGym.agent.start', id, this.ref.entry.source);
        return null;
      },
      control: async ({ rolloutId, action }) => {
        (await this.session(rolloutId)).control(action);
        return null;
      },
      editAction: async ({ rolloutId, name, arguments: args }) => {
        (await this.session(rolloutId)).editAction(name, args);
        return null;
      },
      editObservation: async ({ rolloutId, toolCallId, content }) => {
        (await this.session(rolloutId)).editObservation(toolCallId, content);
        return null;
      },
      addNote: async ({ rolloutId, content }) => {
        (await this.session(rolloutId)).addNote(content);
        return null;
      },
      fork: async ({ rolloutId, step }) => ({ rolloutId: (await this.service.fork(await this.session(rolloutId), step)).rolloutId }),
      getRequest: async ({ rolloutId, step }) => (await this.session(rolloutId)).requestJson(step),
      getObservation: async ({ rolloutId, toolCallId }) => ({ text: (await this.session(rolloutId)).observationText(toolCallId) }),
      showDiff: async ({ rolloutId }) => {
        await this.service.showDiff(await this.session(rolloutId), this.ref);
        return null;
      },
      openTrajectory: async ({ rolloutId }) => {
        const row = this.service.runs.row(id, rolloutId);
        const file = [row?.trajectoryPath, row?.eventsPath].find((f) => f && fs.existsSync(f));
        if (!file) throw new Error(`Rollout ${rolloutId} has no trajectory file${row?.state === 'running' || row?.state === 'paused' ? ' yet: it is written when the rollout ends (the event log grows as it runs)' : ''}.`);
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
        return null;
      },
      rendered: async (r) => {
        this.lastRendered = r;
        return null;
      },
    };
  }
}

/** The agent views, one per instance, restored after a reload by the serializer. */
export class AgentPanels extends Disposable {
  private readonly panels = new Map<string, AgentPanel>();
  /** Instances whose view VS Code is restoring right now. */
  private readonly restoring = new Set<string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly service: AgentService,
    private readonly datasets: DatasetStore,
    private readonly busy: BusyTracker,
    datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super();
    service.editorColumn = (instanceId) => (this.panels.get(instanceId)?.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    this.register(
      vscode.window.registerWebviewPanelSerializer(AGENT_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const s = (state ?? {}) as { instanceId?: unknown; datasetSource?: unknown };
          if (typeof s.instanceId === 'string') this.restoring.add(s.instanceId);
          try {
            await datasetsReady;
          } finally {
            if (typeof s.instanceId === 'string') this.restoring.delete(s.instanceId);
          }
          const ref = typeof s.instanceId === 'string' ? datasets.find(s.instanceId, typeof s.datasetSource === 'string' ? s.datasetSource : undefined) : undefined;
          if (!ref) {
            panel.dispose();
            return;
          }
          const p = this.adopt(panel, ref);
          await this.showNewestRecorded(p);
        },
      }),
    );
  }

  /** Opens (or reveals) the instance's agent view beside the editor. */
  show(ref: InstanceRef): AgentPanel {
    const existing = this.panels.get(ref.instance.instance_id);
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(AGENT_VIEW_TYPE, `Agent: ${ref.instance.instance_id}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true });
    const p = this.adopt(panel, ref);
    if (!p.shown) void this.showNewestRecorded(p);
    return p;
  }

  /**
   * After a reload: opens the view unless VS Code is restoring one (its serializer waits for the
   * datasets, so a view opened here would race it and be replaced).
   */
  showUnlessRestoring(ref: InstanceRef): boolean {
    if (this.panels.has(ref.instance.instance_id) || this.restoring.has(ref.instance.instance_id)) return false;
    this.show(ref);
    return true;
  }

  get(instanceId: string): AgentPanel | undefined {
    return this.panels.get(instanceId);
  }

  private async showNewestRecorded(p: AgentPanel): Promise<void> {
    if (p.shown) return;
    const id = p.ref.instance.instance_id;
    const newest = this.service.runs.rows(id).find((r) => r.eventsPath && fs.existsSync(r.eventsPath));
    if (!newest) return;
    try {
      p.show(await this.service.open(id, newest.rolloutId));
    } catch (err) {
      this.log.warn(`${id}: could not read rollout ${newest.rolloutId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private adopt(panel: vscode.WebviewPanel, ref: InstanceRef): AgentPanel {
    const id = ref.instance.instance_id;
    this.panels.get(id)?.panel.dispose();
    const p = new AgentPanel(panel, ref, this.service, this.busy, this.extensionUri, this.log, () => this.panels.delete(id));
    this.panels.set(id, p);
    return p;
  }

  override dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
    super.dispose();
  }
}
