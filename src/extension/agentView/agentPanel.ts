import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { AgentViewState } from '../../shared/agentView';
import { AGENT_VIEW, type AgentEvents, type AgentRequests } from '../../shared/protocol';
import type { AgentHandlers, RpcHost } from '../../shared/rpcHost';
import type { AgentSession } from '../agent/agentSession';
import type { AgentService } from '../agent/agentService';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { BusyTracker } from '../devContainers/busyTracker';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { InstanceViews } from '../webviewHost/instanceViews';
import { WebviewHost } from '../webviewHost/webviewHost';
import type { WebviewKind } from '../webviewHost/webviewKind';

export const AGENT_VIEW_TYPE = 'sweGym.agent';

const AGENT_KIND: WebviewKind<AgentRequests, AgentEvents> = {
  viewType: AGENT_VIEW_TYPE,
  protocol: AGENT_VIEW,
  bundle: 'agent',
  icon: 'agent.svg',
  title: (id) => `Agent: ${id}`,
  loading: (id) => `Loading the agent view of ${id}…`,
  noun: 'agent view',
  beside: true,
  retainContextWhenHidden: true,
};

/** One instance's agent view: the rollout it shows, its live events, the instance's run table. */
export class AgentPanel extends Disposable {
  private readonly host: WebviewHost<AgentRequests, AgentEvents>;
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
    log: Logger,
  ) {
    super();
    const id = ref.instance.instance_id;
    this.host = this.register(new WebviewHost(panel, AGENT_KIND, ref, this.handlers(), extensionUri, log));
    const runsChanged = (changed: string) => changed === id && this.scheduleRuns();
    this.register(service.runs.onDidChange(runsChanged));
    this.register(service.onDidChange(runsChanged));
    this.register(busy.onDidChange(runsChanged));
    this.register(service.onDidStart((s) => s.instanceId === id && this.show(s)));
    const first = service.latest(id);
    if (first) this.show(first, false);
  }

  /** The protocol endpoint (tests post requests to it as the webview would). */
  get rpc(): RpcHost<AgentRequests, AgentEvents> {
    return this.host.rpc;
  }

  get shown(): AgentSession | undefined {
    return this.shownSession;
  }

  get isReady(): boolean {
    return this.host.isReady;
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
      scoreRollouts: async () => {
        await vscode.commands.executeCommand('sweGym.agent.scoreRollouts', id, this.ref.entry.source);
        return null;
      },
      control: async ({ rolloutId, action }) => {
        await (await this.session(rolloutId)).control(action);
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
      getObservation: async ({ rolloutId, step, toolCallId }) => ({ text: (await this.session(rolloutId)).observationText(step, toolCallId) }),
      showDiff: async ({ rolloutId }) => {
        await this.service.showDiff(await this.session(rolloutId), this.ref);
        return null;
      },
      openTrajectory: async ({ rolloutId }) => {
        const row = this.service.runs.row(id, rolloutId);
        // A rollout outside the run table (a gym session) knows its own files.
        const shown = this.shownSession?.rolloutId === rolloutId ? this.shownSession : undefined;
        const file = [row?.trajectoryPath, row?.eventsPath, shown?.finalResult?.trajectoryPath, shown?.rollout?.eventsPath].find((f) => f && fs.existsSync(f));
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
export class AgentPanels extends InstanceViews<AgentPanel, AgentRequests, AgentEvents> {
  constructor(
    extensionUri: vscode.Uri,
    private readonly service: AgentService,
    datasets: DatasetStore,
    private readonly busy: BusyTracker,
    datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super(AGENT_KIND, extensionUri, datasets, datasetsReady);
    service.isViewOpen = (instanceId) => this.isOpen(instanceId);
    service.editorColumn = (instanceId) => (this.get(instanceId)?.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
  }

  /** Opens (or reveals) the instance's agent view beside the editor. */
  override show(ref: InstanceRef): AgentPanel {
    const opened = !this.isOpen(ref.instance.instance_id);
    const p = super.show(ref);
    if (opened && !p.shown) void this.showNewestRecorded(p);
    return p;
  }

  protected create(panel: vscode.WebviewPanel, ref: InstanceRef): AgentPanel {
    return new AgentPanel(panel, ref, this.service, this.busy, this.extensionUri, this.log);
  }

  protected override restored(p: AgentPanel): Promise<void> {
    return this.showNewestRecorded(p);
  }

  private async showNewestRecorded(p: AgentPanel): Promise<void> {
    if (p.shown) return;
    const id = p.ref.instance.instance_id;
    const newest = this.service.runs.rows(id).find((r) => r.eventsPath && fs.existsSync(r.eventsPath));
    if (!newest) return;
    try {
      const recorded = await this.service.open(id, newest.rolloutId);
      // Something else was shown meanwhile (a gym session opened live): that stays.
      if (!p.shown) p.show(recorded);
    } catch (err) {
      this.log.warn(`${id}: could not read rollout ${newest.rolloutId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
