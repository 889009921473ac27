import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AgentRollout, type RolloutOptions, type RolloutResult } from '../../core/agent/agentRollout';
import type { Budgets } from '../../core/agent/budget';
import type { StampedEvent } from '../../core/agent/events';
import { OpenAIChatProvider } from '../../core/agent/model/openaiProvider';
import { forkRollout } from '../../core/agent/replay';
import { currentHostUser, restoreOwnership } from '../../core/devcontainer/devShell';
import { newRunId } from '../../core/harness/runId';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { loadClosedTrajectory, readTrajectoryEvents } from '../../core/trajectory/readTrajectory';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { AgentRunRow, AgentRunsView } from '../../shared/agentView';
import type { RunRecord } from '../../shared/instancePage';
import { patchStats } from '../../shared/patchStats';
import { toRunRecord } from '../evaluation/runRecord';
import type { InstanceActions } from '../actions';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import type { BusyTracker } from '../devContainers/busyTracker';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { StateStore } from '../state/stateStore';
import type { InstanceDecoration, InstanceDecorator } from '../tree/instanceTree';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import { AgentSession } from './agentSession';
import { EXTENSION_HINTS, OPENAI_BASE_URL, readAgentConfig, recordedConfig, trajectoryRoot, type AgentRunConfig } from './agentSettings';
import type { ApiKeys } from './apiKeys';
import { describeStats, statsTooltip } from './agentStats';
import { RolloutDiffs } from './rolloutDiff';
import { AgentRunStore } from './runStore';
import { WindowReloadingError } from '../devContainers/reloadResume';

export interface AgentServiceDeps {
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  actions: InstanceActions;
  state: StateStore;
  busy: BusyTracker;
  runtimes: RuntimeProvider;
  settings: Settings;
  keys: ApiKeys;
  memento: vscode.Memento;
  globalStorage: vscode.Uri;
  sessionId: string;
  log: Logger;
}

const PENDING_KEY = 'sweGym.agentPendingStarts.v1';

/** An agent start waiting for the window reload its launch caused. */
interface PendingStart {
  config: AgentRunConfig;
  source: string;
  /** The agent view was open when the window reloaded (VS Code brings it back). */
  viewOpen?: boolean;
}
/** Ended rollouts kept in memory (see prune). */
const KEEP_ENDED = 12;
const EDITING_COMMANDS = new Set(['create', 'str_replace', 'insert', 'undo_edit']);

interface Tracked {
  session: AgentSession;
  ref: InstanceRef;
  done: Promise<RolloutResult | undefined>;
  container?: ContainerHandle;
  workspaceDir?: string;
}

/**
 * Agent rollouts in the extension: started in an instance's dev container (launched first when
 * needed) so the user watches the files change, or forked into a container of their own; every
 * one recorded in the run table, rewarded by the hidden tests through the core, and summed up as
 * a success rate and pass@k on the instance's tree row.
 */
export class AgentService extends Disposable implements InstanceDecorator {
  readonly runs: AgentRunStore;
  private readonly diffs: RolloutDiffs;
  private readonly tracked = new Map<string, Tracked>();
  private readonly loaded = new Map<string, AgentSession>();
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
    this.runs = this.register(new AgentRunStore(d.memento));
    this.diffs = this.register(new RolloutDiffs(d.devContainers));
    this.register(this.runs.onDidChange((id) => this.decorationChanged.fire(id)));
    this.register(
      d.devContainers.onDidChange((id) => {
        // The dev container went away under a running agent: end it rather than let it fail step by step.
        if (d.devContainers.isRunning(id)) return;
        for (const t of this.tracked.values()) if (t.ref.instance.instance_id === id && t.session.init.where === 'dev' && t.session.isLive) t.session.control('cancel');
      }),
    );
  }

  /** Whether the instance's agent view is open; the panels set it (a view open at a reload comes back by itself). */
  isViewOpen: (instanceId: string) => boolean = () => false;

  /** Called once the datasets and dev containers are known again. */
  async restore(showView: (ref: InstanceRef, viewWasOpen: boolean) => void): Promise<void> {
    await this.runs.markInterrupted(new Set(this.tracked.keys()));
    const pending = this.d.memento.get<Record<string, PendingStart>>(PENDING_KEY) ?? {};
    await this.d.memento.update(PENDING_KEY, undefined);
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

  // ---- queries --------------------------------------------------------------------------------

  session(rolloutId: string): AgentSession | undefined {
    return this.tracked.get(rolloutId)?.session ?? this.loaded.get(rolloutId);
  }

  /** Resolves when the rollout has ended (and its reward, if any, is in). */
  whenDone(rolloutId: string): Promise<RolloutResult | undefined> {
    return this.tracked.get(rolloutId)?.done ?? Promise.resolve(undefined);
  }

  liveSessions(instanceId?: string): AgentSession[] {
    return [...this.tracked.values()].map((t) => t.session).filter((s) => s.isLive && (!instanceId || s.instanceId === instanceId));
  }

  /** The session a view of the instance should show first: a live one, else the newest. */
  latest(instanceId: string): AgentSession | undefined {
    const inMemory = [...this.tracked.values()].map((t) => t.session).filter((s) => s.instanceId === instanceId);
    return inMemory.find((s) => s.isLive) ?? inMemory.at(-1);
  }

  runsView(instanceId: string): AgentRunsView {
    const busy = this.d.busy.get(instanceId);
    const rows = this.runs.rows(instanceId).map((r) => {
      const live = this.tracked.get(r.rolloutId)?.session;
      return live?.isLive ? { ...r, ...this.rowProgress(live) } : r;
    });
    return { instanceId, rows, stats: this.runs.stats(instanceId), ...(busy ? { busy: busy.message } : {}) };
  }

  decorate(instanceId: string): InstanceDecoration | undefined {
    const live = this.liveSessions(instanceId)[0];
    const stats = this.runs.stats(instanceId);
    const liveText = live ? (live.view.state === 'paused' ? 'agent paused' : `agent step ${live.view.step}`) : undefined;
    const description = [liveText, describeStats(stats)].filter(Boolean).join(' · ') || undefined;
    const tooltip = statsTooltip(stats);
    return description || tooltip ? { description, tooltip } : undefined;
  }

  /** A rollout of the table, live or read back from its trajectory's event log. */
  async open(instanceId: string, rolloutId: string): Promise<AgentSession> {
    const known = this.session(rolloutId);
    if (known) return known;
    const row = this.runs.row(instanceId, rolloutId);
    if (!row) throw new Error(`No rollout ${rolloutId} of ${instanceId}.`);
    if (!row.eventsPath || !fs.existsSync(row.eventsPath)) throw new Error(`The trajectory of rollout ${rolloutId} is gone (${row.eventsPath ?? 'never written'}).`);
    const { events, truncated } = await readTrajectoryEvents(row.eventsPath);
    const s = AgentSession.recorded(events, { rolloutId, instanceId, where: row.where, ...(row.forkOf ? { forkOf: row.forkOf } : {}) }, truncated);
    this.loaded.set(rolloutId, s);
    this.prune();
    return s;
  }

  /** The rollout's own changes in a diff editor (not the workspace, which may hold others'). */
  showDiff(s: AgentSession, ref: InstanceRef): Promise<number> {
    const index = this.runs.row(s.instanceId, s.rolloutId)?.index ?? s.view.index;
    return this.diffs.show(s, ref, `Rollout #${index}`);
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
      const key = await this.d.keys.get(config.baseUrl);
      if (!this.d.devContainers.isRunning(id)) {
        await this.setPending(id, { config, source: ref.entry.source, viewOpen: this.isViewOpen(id) });
        let reloading = false;
        try {
          reloading = (await this.d.actions.launch(ref)).reloading;
        } finally {
          // When the launch reloads the window, the pending start is what the next activation resumes.
          if (!reloading) await this.setPending(id, undefined);
        }
        if (reloading) throw new WindowReloadingError(id);
      }
      const problem = this.d.devContainers.checkHealth(id);
      if (problem) throw new Error(problem);
      const record = this.d.state.get(id).session;
      if (!record || !this.d.devContainers.isRunning(id)) throw new Error(`${id} has no running dev container.`);
      const container = this.d.runtimes.get().getContainer(record.containerId);
      const runId = newRunId('agent');
      const rollout = new AgentRollout({
        ...this.common(ref, config, runId, this.provider(config, key)),
        container,
        startPaused: config.startPaused,
      });
      return this.track(rollout, ref, config, { where: 'dev', container, workspaceDir: record.workspaceDir });
    } finally {
      this.starting.delete(id);
    }
  }

  /** A new rollout in a fresh container that replays steps 1..step of another, then lets the model go on; it pauses there. */
  async fork(src: AgentSession, step: number): Promise<AgentSession> {
    const rolloutId = src.rolloutId;
    const ref = this.d.datasets.find(src.instanceId);
    if (!ref) throw new Error(`${src.instanceId} is not in the open datasets.`);
    const source = await this.closedSource(src);
    const turns = source.messages.filter((m) => m.role === 'assistant').length;
    if (step < 0 || step > turns) throw new Error(`Step ${step} is outside the rollout (0..${turns}).`);
    const config = src.init.config ?? readAgentConfig();
    if (!config.model) throw new Error('No model is set for the fork to go on with (sweGym.agent.model).');
    const key = await this.d.keys.get(config.baseUrl);
    const runId = newRunId('agent-fork');
    const forkOf = { rolloutId, step };
    const common = this.common(ref, config, runId, this.provider(config, key));
    // The source's events carry what a person did in it (hand edits, notes, edited observations).
    const rollout = forkRollout(source, step, { ...common, startPaused: step === 0, config: { ...common.config, fork_of: forkOf } }, src.history());
    if (step > 0) {
      const unsubscribe = rollout.events.subscribe(
        (e) => {
          if (e.type === 'step_finished' && e.step === step) {
            unsubscribe();
            rollout.pause();
          }
        },
        { replay: false },
      );
    }
    return this.track(rollout, ref, config, { where: 'own', forkOf });
  }

  private common(ref: InstanceRef, config: AgentRunConfig, runId: string, model: OpenAIChatProvider) {
    const s = this.d.settings;
    const budgets: Budgets = { maxSteps: config.maxSteps };
    if (config.maxCostUsd !== undefined) budgets.maxCostUsd = config.maxCostUsd;
    if (config.maxMinutes !== undefined) budgets.maxWallMs = config.maxMinutes * 60_000;
    return {
      runtime: this.d.runtimes.get(),
      spec: specFor(ref, s),
      model,
      budgets,
      prices: config.prices,
      ...(config.contextWindowTokens ? { contextWindowTokens: config.contextWindowTokens } : {}),
      trajectoryDir: path.join(trajectoryRoot(this.d.globalStorage), runId),
      runId,
      index: this.runs.nextIndex(ref.instance.instance_id),
      reward: config.reward ? { timeoutSeconds: s.timeoutSeconds } : (false as const),
      sessionId: this.d.sessionId,
      workspaceDiffEachStep: true,
      detectHumanEdits: true,
      config: recordedConfig(config),
    } satisfies Partial<RolloutOptions>;
  }

  private provider(config: AgentRunConfig, key: string | undefined): OpenAIChatProvider {
    return new OpenAIChatProvider({
      model: config.model,
      baseURL: config.baseUrl || OPENAI_BASE_URL,
      apiKey: key || undefined,
      temperature: config.temperature,
      topP: config.topP,
      maxTokens: config.maxTokens,
      extraHeaders: config.extraHeaders,
      extraBody: config.extraBody,
      stream: config.stream,
      toolMode: config.toolMode,
      // Older saved configs (forks of rollouts from before the setting) have no maxRetries.
      ...(config.maxRetries !== undefined ? { retry: { maxRetries: config.maxRetries } } : {}),
      hints: EXTENSION_HINTS,
    });
  }

  private track(rollout: AgentRollout, ref: InstanceRef, config: AgentRunConfig, where: { where: 'dev' | 'own'; container?: ContainerHandle; workspaceDir?: string; forkOf?: { rolloutId: string; step: number } }): AgentSession {
    const id = ref.instance.instance_id;
    const session = AgentSession.live(rollout, {
      instanceId: id,
      where: where.where,
      endpoint: config.baseUrl || OPENAI_BASE_URL,
      config,
      rewarded: config.reward,
      ...(where.forkOf ? { forkOf: where.forkOf } : {}),
    });
    const row: AgentRunRow = {
      rolloutId: rollout.rolloutId,
      runId: rollout.runId,
      instanceId: id,
      index: rollout.index,
      model: config.model,
      startedAt: new Date().toISOString(),
      state: 'running',
      where: where.where,
      steps: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      resolved: null,
      ...(where.forkOf ? { forkOf: where.forkOf } : {}),
    };
    const t: Tracked = { session, ref, done: Promise.resolve(undefined), container: where.container, workspaceDir: where.workspaceDir };
    this.tracked.set(rollout.rolloutId, t);
    const toolArgs = new Map<string, string>();
    session.onCore((e) => this.onCoreEvent(t, e, config, toolArgs));
    session.onCore((e) => {
      if (e.type !== 'rollout_started' || !e.environment) return;
      // Only a rollout that began at the base commit unchanged counts toward the figures.
      Object.assign(row, { startedClean: e.environment.startedClean, counted: e.environment.counted });
      void this.runs.upsert({ ...row, ...this.rowProgress(session) });
      if (!e.environment.counted) this.d.log.warn(`${id}: agent ${rollout.rolloutId} starts in a dev container that is not at the base commit (${(e.environment.changedAtStart ?? []).join(', ')}): its reward will not count toward the success rate`);
    });
    this.d.log.info(`${id}: agent ${rollout.rolloutId} started (${config.model} at ${config.baseUrl || OPENAI_BASE_URL}, ${where.where === 'dev' ? 'in the dev container' : 'in its own container'}${where.forkOf ? `, fork of ${where.forkOf.rolloutId} at step ${where.forkOf.step}` : ''})`);
    const running = rollout.run();
    // The event log exists from here on: a rollout cut off by a reload is reopened from it.
    if (rollout.eventsPath) row.eventsPath = rollout.eventsPath;
    void this.runs.upsert(row);
    t.done = running.then(
      (result) => this.finish(t, row, result),
      (err: unknown) => {
        this.d.log.error(`${id}: agent ${rollout.rolloutId} failed`, err);
        const message = errorMessage(err);
        session.push({ type: 'problem', message });
        // The view must not go on spinning for a rollout that is over.
        if (session.view.state !== 'ended') session.push({ type: 'finished', exitReason: 'environment_error', message, steps: session.view.step, totals: session.view.totals, durationMs: 0, resolved: null, runError: session.view.steps.length === 0 });
        void this.runs.upsert({ ...row, ...this.rowProgress(session), state: 'ended', exitReason: 'environment_error', ...(session.view.steps.length === 0 ? { runError: message } : {}) });
        return undefined;
      },
    );
    this.started.fire(session);
    this.decorationChanged.fire(id);
    return session;
  }

  private onCoreEvent(t: Tracked, e: StampedEvent, config: AgentRunConfig, toolArgs: Map<string, string>): void {
    const id = t.ref.instance.instance_id;
    switch (e.type) {
      case 'step_finished': {
        // Steps and tokens are kept as they come, so a row cut off by a reload still has them.
        const row = this.runs.row(id, t.session.rolloutId);
        if (row && row.state !== 'ended') void this.runs.upsert({ ...row, ...this.rowProgress(t.session), steps: e.step, promptTokens: e.totals.promptTokens, completionTokens: e.totals.completionTokens, costUsd: e.totals.costUsd });
        this.decorationChanged.fire(id);
        return;
      }
      case 'paused':
      case 'resumed':
      case 'step_started':
        this.decorationChanged.fire(id);
        if (e.type === 'paused' && t.container) void this.giveBackFiles(t.container, id);
        return;
      case 'tool_call':
        toolArgs.set(e.toolCall.id, e.toolCall.function.arguments);
        return;
      case 'observation':
        if (config.followEdits && t.workspaceDir && e.name === 'str_replace_editor' && !e.error) this.followEdit(t, toolArgs.get(e.toolCallId));
        return;
      default:
        return;
    }
  }

  /** Shows a file the agent just edited (the dev container's /testbed is the workspace folder). */
  private followEdit(t: Tracked, rawArgs: string | undefined): void {
    let args: { command?: unknown; path?: unknown };
    try {
      args = JSON.parse(rawArgs ?? '{}') as typeof args;
    } catch {
      return;
    }
    const repoDir = t.session.view.repoDir;
    if (typeof args.path !== 'string' || typeof args.command !== 'string' || !EDITING_COMMANDS.has(args.command)) return;
    const rel = path.posix.relative(repoDir, path.posix.normalize(args.path));
    if (!rel || rel.startsWith('..') || path.posix.isAbsolute(rel)) return;
    const file = vscode.Uri.file(path.join(t.workspaceDir as string, ...rel.split('/')));
    const column = this.editorColumn(t.ref.instance.instance_id);
    void vscode.window.showTextDocument(file, { preview: true, preserveFocus: true, viewColumn: column }).then(undefined, (err: unknown) => this.d.log.debug(`following ${file.fsPath}: ${errorMessage(err)}`));
  }

  private async finish(t: Tracked, row: AgentRunRow, result: RolloutResult): Promise<RolloutResult> {
    const id = t.ref.instance.instance_id;
    t.session.setResult(result);
    if (t.container) await this.giveBackFiles(t.container, id);
    await this.runs.upsert({
      ...row,
      ...this.rowProgress(t.session),
      state: 'ended',
      exitReason: result.exitReason,
      steps: result.steps,
      promptTokens: result.totals.promptTokens,
      completionTokens: result.totals.completionTokens,
      costUsd: result.totals.costUsd,
      durationMs: result.durationMs,
      resolved: result.resolved,
      ...(result.reward ? { rewardStatus: result.reward.status } : {}),
      ...(result.runError ? { runError: result.message ?? result.exitReason } : {}),
      ...(result.eventsPath ? { eventsPath: result.eventsPath } : {}),
      ...(result.trajectoryPath ? { trajectoryPath: result.trajectoryPath } : {}),
    });
    if (result.evaluation && t.session.init.where === 'dev') {
      // The reward graded the dev container's workspace: it is this instance's latest verdict,
      // recorded exactly as a person's run is (counts, per-test statuses, rule label).
      const goldSeen = !!this.d.state.get(id).revealed?.gold;
      const record: RunRecord = { ...toRunRecord(t.ref.instance, result.evaluation, patchStats(result.patch ?? ''), goldSeen), agent: { rolloutId: result.rolloutId, model: row.model } };
      await this.d.state.addRun(id, record);
    }
    this.decorationChanged.fire(id);
    this.prune();
    this.d.log.info(`${id}: agent ${result.rolloutId} ended (${result.exitReason}: ${result.message ?? ''}) after ${result.steps} steps; reward ${result.resolved === null ? 'none' : result.resolved ? 'resolved' : 'not resolved'}; trajectory ${result.trajectoryPath ?? result.eventsPath ?? 'not written'}`);
    return result;
  }

  /**
   * Ended rollouts are kept in memory only up to a point (each holds its events and requests);
   * older ones are read back from their trajectory files when shown again. Views keep what they show.
   */
  private prune(): void {
    const ended = [...this.tracked.values()].filter((t) => !t.session.isLive);
    for (const t of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.tracked.delete(t.session.rolloutId);
      t.session.dispose();
    }
    const loaded = [...this.loaded.keys()];
    for (const id of loaded.slice(0, Math.max(0, loaded.length - KEEP_ENDED))) this.loaded.delete(id);
  }

  private rowProgress(s: AgentSession): Partial<AgentRunRow> {
    const v = s.view;
    return { state: v.state === 'paused' ? 'paused' : v.state === 'ended' ? 'ended' : 'running', steps: v.step, promptTokens: v.totals.promptTokens, completionTokens: v.totals.completionTokens, costUsd: v.totals.costUsd };
  }

  /** Files the agent made as root in the bind-mounted workspace go back to the user. */
  private async giveBackFiles(container: ContainerHandle, id: string): Promise<void> {
    await restoreOwnership(container, currentHostUser()).catch((err: unknown) => this.d.log.warn(`${id}: giving the agent's files back: ${errorMessage(err)}`));
  }

  /** The conversation so far as a closed trajectory (what forkRollout replays). */
  private async closedSource(s: AgentSession): Promise<ClosedTrajectory> {
    if (!s.rollout) {
      const row = this.runs.row(s.instanceId, s.rolloutId);
      if (!row?.trajectoryPath || !fs.existsSync(row.trajectoryPath)) throw new Error('This rollout has no closed trajectory file (it was interrupted): it cannot be forked.');
      return loadClosedTrajectory(row.trajectoryPath);
    }
    const started = s.history().find((e): e is Extract<StampedEvent, { type: 'rollout_started' }> => e.type === 'rollout_started');
    if (!started) throw new Error('The rollout has not started yet: nothing to fork.');
    const now = new Date().toISOString();
    return {
      format: TRAJECTORY_FORMAT,
      rollout_id: s.rolloutId,
      run_id: started.runId,
      instance_id: s.instanceId,
      index: started.index,
      model: started.model,
      template: started.template,
      config: started.config,
      started_at: started.time,
      finished_at: now,
      exit_reason: 'stopped',
      steps: s.view.step,
      usage: { prompt_tokens: s.view.totals.promptTokens, completion_tokens: s.view.totals.completionTokens, estimated: false },
      cost_usd: s.view.totals.costUsd,
      duration_ms: 0,
      messages: structuredClone([...s.rollout.conversation]),
      tools: started.tools as ClosedTrajectory['tools'],
      step_records: [],
      patch: null,
      reward: null,
      events_file: '',
    };
  }

  private async setPending(id: string, value: PendingStart | undefined): Promise<void> {
    const all = { ...(this.d.memento.get<Record<string, PendingStart>>(PENDING_KEY) ?? {}) };
    if (value) all[id] = value;
    else delete all[id];
    await this.d.memento.update(PENDING_KEY, all);
  }

  override dispose(): void {
    // The window is closing: rollouts in their own containers remove them; dev containers stay.
    for (const t of this.tracked.values()) if (t.session.isLive) t.session.control('cancel');
    for (const t of this.tracked.values()) t.session.dispose();
    for (const s of this.loaded.values()) s.dispose();
    super.dispose();
  }
}
