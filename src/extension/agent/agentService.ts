import * as vscode from 'vscode';
import type { AgentRollout, RolloutResult } from '../../core/agent/agentRollout';
import type { AgentRunRow, AgentRunsView } from '../../shared/agentView';
import type { InstanceRef } from '../datasets/datasetStore';
import type { BusyTracker } from '../devContainers/busyTracker';
import type { InstanceDecoration, InstanceDecorator } from '../tree/instanceTree';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import { agentDecoration } from './agentDecoration';
import { AgentLauncher, type AgentLauncherDeps, type BuiltRolloutOptions, type LaunchedRollout } from './agentLauncher';
import { AgentRegistry, type TrackedRollout } from './agentRegistry';
import { AgentRunTable } from './agentRunTable';
import { AgentSession } from './agentSession';
import { OPENAI_BASE_URL, type AgentRunConfig } from './agentSettings';
import { EditFollower } from './editFollower';
import { RolloutDiffs } from './rolloutDiff';
import { runTableFile } from '../../core/agent/runTable';
import type { RunOwners } from './runOwners';
import { AgentRunStore } from './runStore';
import { rolloutNumber } from '../../shared/rolloutNumber';

/** The launcher's deps (it gets the run table and the open-view test from the service), and the service's own. */
export interface AgentServiceDeps extends Omit<AgentLauncherDeps, 'runs' | 'isViewOpen'> {
  busy: BusyTracker;
  log: Logger;
  /** This host's beat (started by the extension) tells other windows of the profile that its running rows are still running. */
  owners: RunOwners;
}

/**
 * Agent rollouts in the extension: started in an instance's dev container (launched first when
 * needed) so the user watches the files change, or forked into a container of their own; every
 * one recorded in the run table, rewarded by the hidden tests through the core, and summed up as
 * a success rate and pass@k on the instance's tree row.
 *
 * A facade over its parts: the launcher (makes rollouts), the registry (the rollouts this window
 * knows), the run table (rows and the run history), the edit follower and the tree decoration.
 */
export class AgentService extends Disposable implements InstanceDecorator {
  readonly runs: AgentRunStore;
  private readonly diffs: RolloutDiffs;
  private readonly registry: AgentRegistry;
  private readonly launcher: AgentLauncher;
  private readonly table: AgentRunTable;
  private readonly follower: EditFollower;
  private readonly starting = new Set<string>();
  private readonly decorationChanged = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.decorationChanged.event;
  private readonly started = this.register(new vscode.EventEmitter<AgentSession>());
  /** A rollout was created (its view can be shown). */
  readonly onDidStart = this.started.event;
  /** Where edited files open; the panels set it so files never replace the live view. */
  editorColumn: (instanceId: string) => vscode.ViewColumn = () => vscode.ViewColumn.One;

  constructor(private readonly d: AgentServiceDeps) {
    super();
    this.runs = this.register(new AgentRunStore(d.memento, d.owners, runTableFile(d.globalStorage.fsPath)));
    this.diffs = this.register(new RolloutDiffs(d.devContainers));
    this.registry = new AgentRegistry(this.runs);
    this.register({ dispose: () => this.registry.dispose() });
    this.launcher = new AgentLauncher({ ...d, runs: this.runs, isViewOpen: (id) => this.isViewOpen(id) });
    this.table = new AgentRunTable(this.runs, this.registry, d.state, d.busy, d.log);
    this.follower = new EditFollower(d.log, (id) => this.editorColumn(id));
    this.register(this.runs.onDidChange((id) => this.decorationChanged.fire(id)));
    this.register(
      d.devContainers.onDidChange((id) => {
        // The dev container went away under a running agent: end it rather than let it fail step by step.
        if (d.devContainers.isRunning(id)) return;
        for (const s of this.registry.liveSessions(id)) if (s.init.where === 'dev') s.control('cancel');
      }),
    );
  }

  /** Whether the instance's agent view is open; the panels set it (a view open at a reload comes back by itself). */
  isViewOpen: (instanceId: string) => boolean = () => false;

  /** Called once the datasets and dev containers are known again. */
  async restore(showView: (ref: InstanceRef, viewWasOpen: boolean) => void): Promise<void> {
    const cutOff = await this.runs.markInterrupted(this.liveIds());
    // A row another window was running when this one started is marked once that window is gone.
    const recheck = setInterval(() => void this.runs.markInterrupted(this.liveIds()).catch((err: unknown) => this.d.log.warn(`Checking other windows' rollouts failed: ${errorMessage(err)}`)), 30_000);
    this.register({ dispose: () => clearInterval(recheck) });
    const pending = await this.launcher.takePendingStarts();
    // A rollout the last extension host took down with it is shown again, read from its event log
    // (interrupted, with its steps so far): its view comes back if it was open, else it is opened,
    // so a run the person started never silently disappears.
    for (const id of new Set(cutOff.map((r) => r.instanceId))) {
      const ref = this.d.datasets.find(id);
      if (ref && !pending[id]) showView(ref, true);
    }
    for (const [id, p] of Object.entries(pending)) {
      const ref = this.d.datasets.find(id, p.source);
      if (!ref || !this.d.devContainers.isRunning(id)) continue;
      // The launch before this start turned the window into a workspace, which reloaded it. A view
      // open then is restored by VS Code; one the user had closed is opened.
      showView(ref, p.viewOpen ?? false);
      this.start(ref, p.config).catch((err: unknown) => {
        this.d.log.error(`${id}: the agent start interrupted by the reload could not be resumed`, err);
        void vscode.window.showErrorMessage(`${id}: the agent could not start: ${errorMessage(err)}`);
      });
    }
  }

  private liveIds(): Set<string> {
    return new Set(this.registry.all().map((t) => t.session.rolloutId));
  }

  // ---- queries --------------------------------------------------------------------------------

  session(rolloutId: string): AgentSession | undefined {
    return this.registry.session(rolloutId);
  }

  /** Resolves when the rollout has ended (and its reward, if any, is in). */
  whenDone(rolloutId: string): Promise<RolloutResult | undefined> {
    return this.registry.whenDone(rolloutId);
  }

  liveSessions(instanceId?: string): AgentSession[] {
    return this.registry.liveSessions(instanceId);
  }

  /** The session a view of the instance should show first: a live one, else the newest. */
  latest(instanceId: string): AgentSession | undefined {
    return this.registry.latest(instanceId);
  }

  runsView(instanceId: string): AgentRunsView {
    return this.table.runsView(instanceId);
  }

  decorate(instanceId: string): InstanceDecoration | undefined {
    return agentDecoration(this.registry.liveSessions(instanceId)[0], this.runs.stats(instanceId));
  }

  /** A rollout of the table, live or read back from its trajectory's event log. */
  open(instanceId: string, rolloutId: string): Promise<AgentSession> {
    const row = this.runs.row(instanceId, rolloutId);
    const outside = row?.external ? this.liveExternal(row) : undefined;
    return outside ? Promise.resolve(outside) : this.registry.open(instanceId, rolloutId);
  }

  /** A row driven from outside, live while its server still has the session (the gym's live views set it). */
  liveExternal: (row: AgentRunRow) => AgentSession | undefined = () => undefined;

  /** The rollout's own changes in a diff editor (not the workspace, which may hold others'). */
  showDiff(s: AgentSession, ref: InstanceRef): Promise<number> {
    const index = this.runs.row(s.instanceId, s.rolloutId)?.index ?? s.view.index;
    return this.diffs.show(s, ref, `Rollout ${rolloutNumber(index)}`);
  }

  // ---- starting -------------------------------------------------------------------------------

  /** Starts a rollout in the instance's dev container, launching it first if needed. */
  async start(ref: InstanceRef, config: AgentRunConfig): Promise<AgentSession> {
    const id = ref.instance.instance_id;
    if (!config.model) throw new Error('No model is set: set sweGym.agent.model (or answer the prompt) to the model name the endpoint serves.');
    const busyAgent = this.liveSessions(id).find((s) => s.init.where === 'dev');
    if (busyAgent) throw new Error(`An agent is already working in the dev container of ${id} (${busyAgent.rolloutId}); stop it first or fork it.`);
    if (this.starting.has(id)) throw new Error(`An agent is already starting on ${id}.`);
    this.starting.add(id);
    try {
      return this.track(await this.launcher.inDevContainer(ref, config));
    } finally {
      this.starting.delete(id);
    }
  }

  /** A new rollout in a fresh container that replays steps 1..step of another, then lets the model go on; it pauses there. */
  async fork(src: AgentSession, step: number): Promise<AgentSession> {
    return this.track(await this.launcher.fork(src, step));
  }

  /** Tracks a rollout another feature builds (Continue from Step): run table row, live view, reward. */
  async startBuilt(ref: InstanceRef, config: AgentRunConfig, where: 'dev' | 'own', forkOf: { rolloutId: string; step: number }, build: (options: BuiltRolloutOptions) => AgentRollout, opts: { pythonTools?: boolean } = {}): Promise<AgentSession> {
    const busyAgent = where === 'dev' ? this.liveSessions(ref.instance.instance_id).find((s) => s.init.where === 'dev') : undefined;
    if (busyAgent) throw new Error(`An agent is already working in the dev container of ${ref.instance.instance_id} (${busyAgent.rolloutId}); stop it first.`);
    return this.track(await this.launcher.built(ref, config, where, forkOf, build, opts));
  }

  private track(l: LaunchedRollout): AgentSession {
    const { rollout, ref, config } = l;
    const id = ref.instance.instance_id;
    const endpoint = config.baseUrl || OPENAI_BASE_URL;
    const session = AgentSession.live(rollout, { instanceId: id, where: l.where, endpoint, config, rewarded: config.reward, ...(l.forkOf ? { forkOf: l.forkOf } : {}) });
    const t: TrackedRollout = { session, ref, done: Promise.resolve(undefined), container: l.container, workspaceDir: l.workspaceDir };
    this.registry.add(t);
    const row = this.table.follow(t, rollout, config.model);
    this.follower.follow(t, config.followEdits);
    session.onCore((e) => {
      if (e.type === 'step_finished' || e.type === 'paused' || e.type === 'resumed' || e.type === 'step_started') this.decorationChanged.fire(id);
    });
    this.d.log.info(`${id}: agent ${rollout.rolloutId} started (${config.model} at ${endpoint}, ${l.where === 'dev' ? 'in the dev container' : 'in its own container'}${l.forkOf ? `, fork of ${l.forkOf.rolloutId} at step ${l.forkOf.step}` : ''})`);
    const running = rollout.run();
    row.running();
    t.done = running.then(
      async (result) => {
        session.setResult(result);
        if (t.container) await this.follower.giveBackFiles(t.container, id);
        await row.finished(result);
        this.decorationChanged.fire(id);
        this.registry.prune();
        this.d.log.info(`${id}: agent ${result.rolloutId} ended (${result.exitReason}: ${result.message ?? ''}) after ${result.steps} steps; reward ${result.resolved === null ? 'none' : result.resolved ? 'resolved' : 'not resolved'}; trajectory ${result.trajectoryPath ?? result.eventsPath ?? 'not written'}`);
        return result;
      },
      (err: unknown) => {
        this.d.log.error(`${id}: agent ${rollout.rolloutId} failed`, err);
        row.failed(err);
        return undefined;
      },
    );
    this.started.fire(session);
    this.decorationChanged.fire(id);
    return session;
  }
}
