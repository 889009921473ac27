import { randomBytes } from 'node:crypto';
import type { EvaluationResult } from '../harness/evaluationResult';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../trajectory/trajectoryTypes';
import type { InstanceSpec } from '../spec/instanceSpec';
import type { ChatMessage, TokenUsage, ToolCall } from './chatTypes';
import { RolloutEventStream, type RewardRecord, type RolloutEvent, type StampedEvent } from './events';
import { AgentEnvironment } from './rollout/agentEnvironment';
import { EndRollout, exitFor } from './rollout/endRollout';
import { PauseGate, type ActionEdit } from './rollout/pauseGate';
import { observationAt } from './observationsByStep';
import { ReplayComparator } from './rollout/replayComparator';
import { rewardPatch } from './rollout/rewardStep';
import { RolloutLoop } from './rollout/rolloutLoop';
import type { RolloutOptions, RolloutResult, RolloutStatus } from './rollout/rolloutOptions';
import { TrajectoryRecorder } from './rollout/trajectoryRecorder';
import { renderOpening, type AgentTemplate } from './templates/agentTemplate';
import { DEFAULT_TEMPLATE } from './templates/defaultTemplate';

export type { RewardSettings, RolloutOptions, RolloutResult, RolloutStatus, ToolSettings } from './rollout/rolloutOptions';
export { rewardRecord } from './rollout/rewardStep';

/**
 * One agent rollout on one instance: the loop, its tools in the container, its budgets, its
 * trajectory, its reward, and the controls a live view uses (pause, step once, resume, stop,
 * cancel, edit the next action, edit an observation before the model sees it, human steps).
 *
 * A facade over its parts (rollout/): the environment (container, shells, tools, diffs), the
 * pause gate (controls, paused time, cancellation), the loop, the subscribers of `events`
 * (trajectory recorder, replay comparator) and the reward, a step after the loop.
 *
 * Subscribe to `events` before `run()` (or later: history is replayed). Controls may be called
 * at any time; edits are only accepted while paused at the matching point.
 */
export class AgentRollout {
  readonly events = new RolloutEventStream();
  readonly rolloutId = `rollout-${randomBytes(5).toString('hex')}`;
  readonly runId: string;
  readonly index: number;
  private readonly template: AgentTemplate;
  private readonly gate: PauseGate;
  private readonly loop: RolloutLoop;
  private readonly env: AgentEnvironment;
  private readonly comparator: ReplayComparator | undefined;
  private recorder: TrajectoryRecorder | undefined;
  private started = false;
  private ended = false;
  private startedAt = 0;
  private loopStartedAt = 0;

  constructor(private readonly o: RolloutOptions) {
    this.template = o.template ?? DEFAULT_TEMPLATE;
    this.runId = o.runId ?? this.rolloutId;
    this.index = o.index ?? 0;
    this.gate = new PauseGate(o.startPaused ?? false);
    this.loop = new RolloutLoop(o, this.template, this.gate, (e) => this.emit(e), () => this.activeMs());
    this.env = new AgentEnvironment({ ...o, toolSchemas: this.template.tools, promptHost: this.template.promptHost });
    if (o.expectedObservations || o.fork) this.comparator = new ReplayComparator(this.events, (step, id) => observationAt(o.expectedObservations, step, id) ?? observationAt(o.fork?.observations, step, id));
    if (o.signal?.aborted) this.cancel();
    o.signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  // ---- controls -------------------------------------------------------------------------------

  get status(): RolloutStatus {
    const pausedAt = this.gate.pausedAt;
    const state = this.ended ? 'ended' : pausedAt ? 'paused' : this.started ? 'running' : 'created';
    return { state, step: this.loop.step, pausedAt, pendingAction: pausedAt === 'before_action' ? this.gate.pendingAction : undefined };
  }

  /** The instance as this rollout runs and grades it. */
  get spec(): InstanceSpec {
    return this.o.spec;
  }

  /** The conversation so far (native form, uncondensed). */
  get conversation(): readonly ChatMessage[] {
    return this.loop.messages;
  }

  /** Pauses at the next point: before the next model request or before the next action runs. */
  pause(): void {
    this.gate.pause();
  }

  resume(): void {
    this.gate.resume();
  }

  /** Runs until the next model request, then pauses again. */
  stepOnce(): void {
    this.gate.stepOnce();
  }

  /** Ends the rollout gracefully: the running request or command is interrupted, the patch taken and rewarded. */
  stop(): void {
    this.gate.stop();
  }

  /** Abandons the rollout at once: no patch, no reward, its container removed. `why` ends up in its result (default "Cancelled."). */
  cancel(why?: string): void {
    this.gate.cancel(why);
  }

  /** While paused before an action: replaces its tool name and/or arguments. Returns the new call. */
  editPendingAction(edit: ActionEdit): ToolCall {
    return this.loop.editPendingAction(edit);
  }

  /** While paused before a model request: replaces an observation the model has not seen yet. */
  editObservation(toolCallId: string, content: string): void {
    this.loop.editObservation(toolCallId, content);
  }

  /** Adds a human step: a user message the model sees before its next turn. */
  addHumanStep(content: string): void {
    if (this.ended) throw new Error('The rollout has ended.');
    this.loop.addHumanStep(content);
  }

  /** Where the event log is written as it runs (set once `run()` has started), for readers after a crash or reload. */
  get eventsPath(): string | undefined {
    return this.recorder?.eventsPath;
  }

  /** The repository's changes against the base commit right now (untracked files included). */
  async workspaceDiff(): Promise<string> {
    return this.env.workspaceDiff();
  }

  // ---- the run --------------------------------------------------------------------------------

  async run(): Promise<RolloutResult> {
    if (this.started) throw new Error('A rollout runs once.');
    this.started = true;
    this.startedAt = Date.now();
    const instance = this.o.spec.row;
    if (this.o.trajectoryDir) this.recorder = TrajectoryRecorder.open(this.o.trajectoryDir, `${safeName(instance.instance_id)}_${this.index}`, this.events);
    let exit: EndRollout | undefined;
    let patch: string | null = null;
    let reward: RewardRecord | null = null;
    let evaluation: EvaluationResult | undefined;
    const watchdog = setInterval(() => this.checkWallTime(), 200);
    watchdog.unref();
    try {
      await this.setUp();
      this.loopStartedAt = Date.now();
      await this.loop.run(this.env);
    } catch (err) {
      exit = exitFor(err, this.gate.interruptedBy);
    } finally {
      clearInterval(watchdog);
    }
    exit ??= new EndRollout('finished', 'The agent called finish.');
    const cancelled = this.gate.cancelled;
    if (cancelled) exit = new EndRollout('cancelled', this.gate.interruptedBy?.message ?? 'Cancelled.');
    // Without a single answer the container holds nothing the agent did (only what was there
    // before): grading it would score the environment, not the model.
    const reachedModel = this.loop.answered > 0;
    // A replay with no recorded turn to play (continuing by hand from step 0) ends as it should.
    const runError = !reachedModel && exit.reason !== 'stopped' && exit.reason !== 'cancelled' && exit.reason !== 'replay_exhausted';

    if (!cancelled && this.env.container && reachedModel) {
      try {
        patch = await this.env.extractPatch(this.gate.cancelSignal);
        this.emit({ type: 'patch', patch });
      } catch (err) {
        this.emit({ type: 'patch', patch: null, error: (err as Error).message });
      }
    }
    await this.env.close();
    if (!this.gate.cancelled && this.o.reward !== false && patch !== null) {
      try {
        ({ evaluation, reward } = await rewardPatch(this.o, patch, this.runId, this.gate.cancelSignal));
        this.emit({ type: 'reward', reward });
      } catch (err) {
        if (this.gate.cancelled) exit = new EndRollout('cancelled', 'Cancelled during the reward.');
        else exit = new EndRollout(exit.reason, `${exit.message} The reward could not be computed: ${(err as Error).message}`);
      }
    }
    // Time spent paused is the person's, not the rollout's.
    const durationMs = Date.now() - this.startedAt - this.gate.pausedMs;
    const resolved = reward ? reward.resolved : null;
    const writeError = this.recorder?.writeError;
    const message = writeError ? `${exit.message} (The trajectory could not be written: ${writeError})` : exit.message;
    const l = this.loop;
    this.emit({ type: 'finished', exitReason: exit.reason, message, steps: l.step, totals: { ...l.totals }, durationMs, resolved, ...(runError ? { runError } : {}) });
    this.ended = true;
    this.gate.close();
    this.recorder?.close(this.closedTrajectory(exit, message, patch, reward, durationMs, runError));
    return {
      rolloutId: this.rolloutId,
      runId: this.runId,
      instanceId: instance.instance_id,
      index: this.index,
      exitReason: exit.reason,
      message,
      steps: l.step,
      totals: { ...l.totals },
      durationMs,
      patch,
      reward,
      ...(evaluation ? { evaluation } : {}),
      resolved,
      runError,
      trajectoryPath: this.recorder?.jsonPath,
      eventsPath: this.recorder?.eventsPath,
      messages: l.messages,
      environment: this.env.placement,
    };
  }

  private async setUp(): Promise<void> {
    const o = this.o;
    await this.env.start(this.gate.cancelSignal);
    const opening = o.opening ?? renderOpening(this.template, o.spec.row, this.env.repoDir);
    this.loop.messages = [
      { role: 'system', content: opening.system },
      { role: 'user', content: opening.firstUser },
    ];
    this.emit({
      type: 'rollout_started',
      rolloutId: this.rolloutId,
      runId: this.runId,
      instanceId: o.spec.instanceId,
      index: this.index,
      model: o.model.modelName,
      template: this.template.name,
      image: this.env.image,
      container: (this.env.container as NonNullable<AgentEnvironment['container']>).name,
      repoDir: this.env.repoDir,
      config: o.config ?? {},
      messages: this.loop.messages.map((m) => ({ ...m })),
      tools: this.template.tools,
      environment: this.env.placement ?? undefined,
      ...(o.fork ? { forkOf: o.fork.of } : {}),
    });
  }

  /** Time spent on the budgets: the container's start (image, history cut) and pauses are not the agent's. */
  private activeMs(): number {
    return this.loopStartedAt ? Date.now() - this.loopStartedAt - this.gate.pausedMs : 0;
  }

  private checkWallTime(): void {
    const max = this.o.budgets?.maxWallMs;
    if (max === undefined || this.status.state !== 'running') return;
    if (this.activeMs() >= max) this.gate.interrupt(new EndRollout('max_time', `The time budget of ${Math.round(max / 1000)} s is spent.`));
  }

  private emit(event: RolloutEvent): StampedEvent {
    return this.events.emit(event);
  }

  private closedTrajectory(exit: EndRollout, message: string, patch: string | null, reward: RewardRecord | null, durationMs: number, runError: boolean): ClosedTrajectory {
    const l = this.loop;
    const placement = this.env.placement;
    return {
      format: TRAJECTORY_FORMAT,
      rollout_id: this.rolloutId,
      run_id: this.runId,
      instance_id: this.o.spec.instanceId,
      index: this.index,
      model: this.o.model.modelName,
      template: this.template.name,
      config: this.o.config ?? {},
      started_at: new Date(this.startedAt).toISOString(),
      finished_at: new Date().toISOString(),
      exit_reason: exit.reason,
      exit_message: message,
      ...(runError ? { run_error: true } : {}),
      steps: l.step,
      usage: { prompt_tokens: l.totals.promptTokens, completion_tokens: l.totals.completionTokens, estimated: l.usageEstimated },
      cost_usd: l.totals.costUsd,
      duration_ms: durationMs,
      messages: l.messages,
      tools: this.template.tools,
      step_records: l.stepRecords,
      patch,
      reward,
      ...(placement ? { environment: placement } : {}),
      ...(this.o.fork ? { fork_of: { rollout_id: this.o.fork.of.rolloutId, step: this.o.fork.of.step } } : {}),
      ...(this.comparator ? { replay_mismatches: this.comparator.mismatches } : {}),
      events_file: this.recorder ? this.recorder.eventsPath.split('/').pop() ?? '' : '',
    };
  }
}

/** File names from instance ids: keep the id readable, never a path separator. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export type { TokenUsage };
