import * as vscode from 'vscode';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import { foldText } from '../../shared/agentView';
import { TRAJECTORY_VIEW, type TrajectoryEvents, type TrajectoryRequests } from '../../shared/protocol';
import type { Handlers, RpcHost } from '../../shared/rpcHost';
import type { ReplayView, SelectedRunView, TrajectoryViewState } from '../../shared/trajectoryView';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { ImportedRunActions } from '../trajectories/importedRunActions';
import type { ImportedRunStore } from '../trajectories/importedRunStore';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { InstanceViews } from '../webviewHost/instanceViews';
import { WebviewHost } from '../webviewHost/webviewHost';
import type { WebviewKind } from '../webviewHost/webviewKind';
import { demonstrationSteps, importedAgentView, lastCallOf, observationText } from './importedSteps';

export const TRAJECTORY_VIEW_TYPE = 'sweGym.trajectory';

const TRAJECTORY_KIND: WebviewKind<TrajectoryRequests, TrajectoryEvents> = {
  viewType: TRAJECTORY_VIEW_TYPE,
  protocol: TRAJECTORY_VIEW,
  bundle: 'trajectory',
  icon: 'agent.svg',
  title: (id) => `Imported runs: ${id}`,
  loading: (id) => `Loading the imported runs of ${id}…`,
  noun: 'trajectory view',
  retainContextWhenHidden: true,
};

export interface TrajectoryDeps {
  store: ImportedRunStore;
  actions: ImportedRunActions;
}

/** One instance's imported runs: the list, and the selected run's steps, grade and replay. */
export class TrajectoryPanel extends Disposable {
  private readonly host: WebviewHost<TrajectoryRequests, TrajectoryEvents>;
  private selectedId: string | undefined;
  private loaded: { id: string; t: ClosedTrajectory } | undefined;
  private pushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: InstanceRef,
    private readonly deps: TrajectoryDeps,
    extensionUri: vscode.Uri,
    log: Logger,
  ) {
    super();
    const id = ref.instance.instance_id;
    this.host = this.register(new WebviewHost(panel, TRAJECTORY_KIND, ref, this.handlers(), extensionUri, log));
    this.register(deps.store.onDidChange((changed) => changed === id && this.schedulePush()));
    this.register(deps.actions.onDidChangeBusy((changed) => changed === id && this.rpc.emitIfReady('busy', deps.actions.busyOf(id))));
  }

  get rpc(): RpcHost<TrajectoryRequests, TrajectoryEvents> {
    return this.host.rpc;
  }

  get isReady(): boolean {
    return this.host.isReady;
  }

  get selected(): string | undefined {
    return this.selectedId;
  }

  override dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    super.dispose();
  }

  /** Shows a run of this instance (pushed to the view). */
  async select(rolloutId: string): Promise<TrajectoryViewState> {
    this.selectedId = rolloutId;
    const s = await this.state();
    this.rpc.emit('state', s);
    return s;
  }

  /** After a reload: shows again the run the view showed, if it is still one of this instance's. */
  restoreSelection(rolloutId: string): void {
    if (this.deps.store.row(rolloutId)?.instanceId !== this.ref.instance.instance_id) return;
    this.selectedId = rolloutId;
    if (this.isReady) void this.state().then((s) => this.rpc.emitIfReady('state', s));
  }

  /** What the view shows now (tests read it as the webview would). */
  async state(): Promise<TrajectoryViewState> {
    const id = this.ref.instance.instance_id;
    const runs = this.deps.store.runsOf(id);
    if (!this.selectedId || !runs.some((r) => r.rolloutId === this.selectedId)) this.selectedId = runs[0]?.rolloutId;
    const selected = this.selectedId ? await this.selectedView(this.selectedId) : null;
    // The tab names what it shows: a person's demonstration, or the instance's imported runs.
    const title = selected?.demonstration ? `Demonstration: ${id}` : TRAJECTORY_KIND.title(id);
    if (!this.isDisposed && this.panel.title !== title) this.panel.title = title;
    return { instanceId: id, runs, selected, busy: this.deps.actions.busyOf(id) };
  }

  private async selectedView(rolloutId: string): Promise<SelectedRunView | null> {
    const row = this.deps.store.row(rolloutId);
    if (!row) return null;
    const t = await this.trajectory(rolloutId);
    const extras = await this.deps.store.extras(rolloutId);
    const fromFile = t.imported?.step_diffs?.some((d) => d !== null) ? t.imported.step_diffs : undefined;
    const diffs = fromFile ?? extras.diffs;
    const firstUser = t.messages.find((m) => m.role === 'user');
    const stepOf = demonstrationSteps(t);
    const d = t.demonstration;
    return {
      row,
      task: foldText(firstUser?.content ?? '', 6000),
      view: importedAgentView(t, diffs),
      diffs: fromFile ? 'file' : extras.diffs ? 'replay' : null,
      replay: extras.replay ? (stepOf ? inRecordedSteps(extras.replay, stepOf) : extras.replay) : null,
      finalPatch: t.patch,
      ...(d
        ? { demonstration: { annotator: d.annotator ?? null, activeMs: d.active_ms, recordedSteps: d.recorded_steps, finishedAt: t.finished_at, finishGrade: t.reward ? { status: t.reward.status, resolved: t.reward.resolved } : null } }
        : {}),
    };
  }

  private async trajectory(rolloutId: string): Promise<ClosedTrajectory> {
    if (this.loaded?.id !== rolloutId) this.loaded = { id: rolloutId, t: await this.deps.store.trajectory(rolloutId) };
    return this.loaded.t;
  }

  private schedulePush(): void {
    if (this.pushTimer || this.isDisposed) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      if (!this.isDisposed && this.isReady) void this.state().then((s) => this.rpc.emitIfReady('state', s));
    }, 100);
  }

  private ownRun(rolloutId: string): void {
    if (this.deps.store.row(rolloutId)?.instanceId !== this.ref.instance.instance_id) throw new Error(`${rolloutId} is not an imported run of ${this.ref.instance.instance_id}.`);
  }

  private handlers(): Handlers<TrajectoryRequests> {
    return {
      getState: () => this.state(),
      select: async ({ rolloutId }) => {
        this.ownRun(rolloutId);
        this.selectedId = rolloutId;
        return this.state();
      },
      grade: async ({ rolloutId }, signal) => {
        this.ownRun(rolloutId);
        await this.deps.actions.grade(rolloutId, signal);
        return this.state();
      },
      replay: async ({ rolloutId, reward }, signal) => {
        this.ownRun(rolloutId);
        await this.deps.actions.replay(rolloutId, { reward }, signal);
        return this.state();
      },
      cancel: async ({ rolloutId }) => {
        this.deps.actions.cancel(rolloutId);
        return null;
      },
      getObservation: async ({ rolloutId, step, toolCallId }) => {
        this.ownRun(rolloutId);
        return { text: observationText(await this.trajectory(rolloutId), step, toolCallId) };
      },
      openSource: async ({ rolloutId }) => {
        this.ownRun(rolloutId);
        const row = this.deps.store.row(rolloutId);
        if (row) await vscode.window.showTextDocument(vscode.Uri.file(row.sourceFile), { preview: true });
        return null;
      },
      continueFrom: async ({ rolloutId, step, by }) => {
        this.ownRun(rolloutId);
        const row = this.deps.store.row(rolloutId);
        if (!row) return null;
        // A demonstration's view counts recording steps: continue after the last call of the one chosen.
        const stepOf = demonstrationSteps(await this.trajectory(rolloutId));
        const at = stepOf ? lastCallOf(stepOf, step) : step;
        const r = await vscode.commands.executeCommand<{ rolloutId: string } | undefined>('sweGym.continueFromStep', { file: row.sourceFile, row: row.entry }, { step: at, ...(by ? { by } : {}) });
        return r ?? null;
      },
      showPatch: async ({ rolloutId }) => {
        this.ownRun(rolloutId);
        const t = await this.trajectory(rolloutId);
        if (t.patch === null) throw new Error('The file of this run records no final patch.');
        const doc = await vscode.workspace.openTextDocument({ language: 'diff', content: t.patch });
        await vscode.window.showTextDocument(doc, { preview: true });
        return null;
      },
    };
  }
}

/** A replay's per-call verdicts numbered by the demonstration's recording steps, as its view is. */
function inRecordedSteps(r: ReplayView, stepOf: readonly number[]): ReplayView {
  const at = (n: number) => stepOf[n - 1] || n;
  return { ...r, steps: r.steps.map((x) => ({ ...x, step: at(x.step) })), firstDivergence: r.firstDivergence ? { ...r.firstDivergence, step: at(r.firstDivergence.step) } : null };
}

/** The trajectory views, one per instance, restored after a reload by the serializer. */
export class TrajectoryPanels extends InstanceViews<TrajectoryPanel, TrajectoryRequests, TrajectoryEvents> {
  constructor(
    extensionUri: vscode.Uri,
    private readonly deps: TrajectoryDeps,
    datasets: DatasetStore,
    datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super(TRAJECTORY_KIND, extensionUri, datasets, datasetsReady);
  }

  protected create(panel: vscode.WebviewPanel, ref: InstanceRef): TrajectoryPanel {
    return new TrajectoryPanel(panel, ref, this.deps, this.extensionUri, this.log);
  }

  /** The webview saved the run it showed (webview-ui/src/trajectoryView/stepPlace.ts). */
  protected override async restored(view: TrajectoryPanel, saved: Record<string, unknown>): Promise<void> {
    if (typeof saved.rolloutId === 'string') view.restoreSelection(saved.rolloutId);
  }
}
