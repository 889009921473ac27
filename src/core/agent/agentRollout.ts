import { randomBytes } from 'node:crypto';
import type { DatasetFlavor, TaskInstance } from '../dataset/taskInstance';
import { evaluateInstance } from '../harness/evaluateInstance';
import type { EvaluationResult } from '../harness/evaluationResult';
import type { RuleSet } from '../grading/ruleSet';
import { ensureImage } from '../images/ensureImage';
import { startSolverContainer } from '../solver/solverContainer';
import { extractPatch } from '../patch/extractPatch';
import type { ContainerHandle, ContainerRuntime } from '../runtime/containerRuntime';
import { TrajectoryWriter } from '../trajectory/trajectoryWriter';
import { TRAJECTORY_FORMAT, type ClosedTrajectory, type StepRecord } from '../trajectory/trajectoryTypes';
import { costOf, priceFor, spentBudget, type Budgets, type ModelPrice } from './budget';
import type { ChatMessage, TokenUsage, ToolCall } from './chatTypes';
import { chooseCondensation, estimateTokens, viewForModel } from './condense';
import { RolloutEventStream, type ExitReason, type PausePoint, type RewardRecord, type RolloutEvent, type StampedEvent, type Totals } from './events';
import { ModelError, type ModelProvider, type ModelTurn } from './model/modelProvider';
import { abortError, isAbortError } from '../util/abortError';
import { applyCarriedEdit, type ForkCarry } from './forkCarry';
import { renderOpening, type AgentTemplate } from './templates/agentTemplate';
import { DEFAULT_TEMPLATE } from './templates/defaultTemplate';
import { BashSession } from './tools/bashSession';
import { clipEditorText } from './tools/clip';
import { containerFiles } from './tools/containerFiles';
import { ControlShell } from './tools/controlShell';
import { FileEditor } from './tools/fileEditor';
import { ToolExecutor } from './tools/toolExecutor';
import { checkStartState, type RolloutEnvironment } from './startState';
import { diffTrees, snapshotTree } from './workspaceState';

export interface ToolSettings {
  /** execute_bash: interrupt a command after this long (default 120 s). */
  timeoutMs?: number;
  /** execute_bash: report a silent running command as still running (exit -1) after this long (default 30 s). */
  noOutputTimeoutMs?: number;
  /** execute_bash: keep at most this many characters of output (default 30,000). */
  maxOutputChars?: number;
  /** str_replace_editor: expand tabs on edits as SWE-Gym's editor did (default true). */
  expandTabsOnEdit?: boolean;
}

export interface RewardSettings {
  timeoutSeconds?: number;
  skipInstall?: boolean;
  rules?: RuleSet;
}

export interface RolloutOptions {
  runtime: ContainerRuntime;
  instance: TaskInstance;
  flavor?: DatasetFlavor;
  datasetDir?: string;
  imageTemplate?: string;
  allowPull?: boolean;
  model: ModelProvider;
  template?: AgentTemplate;
  /** The exact system and first user message (replays and forks), instead of rendering the template's. */
  opening?: { system: string; firstUser: string };
  /** The repository inside the container (default /testbed). */
  repoDir?: string;
  budgets?: Budgets;
  prices?: Record<string, ModelPrice>;
  tools?: ToolSettings;
  /** Condense old observations when the estimate passes 90% of this window (tokens); a context-length error always condenses. */
  contextWindowTokens?: number;
  /** Folder for the event log and the closed trajectory; nothing is written without it. */
  trajectoryDir?: string;
  runId?: string;
  /** n-th rollout of this instance (the `_<n>` of exported ids). */
  index?: number;
  /** false: no reward. Otherwise the hidden tests run on the patch in a fresh container. */
  reward?: false | RewardSettings;
  /** Run in this existing container (e.g. the user's dev container); it is not removed. */
  container?: ContainerHandle;
  sessionId?: string;
  signal?: AbortSignal;
  startPaused?: boolean;
  /** Emit the workspace diff against the base commit after every step (for live views). */
  workspaceDiffEachStep?: boolean;
  /** Tell the model about files changed by hand while paused (default true). */
  detectHumanEdits?: boolean;
  /** Replays: recorded observations by tool call id; differences are reported. */
  expectedObservations?: Map<string, string>;
  /** Forks: the source rollout, and the human steps and observation edits carried from it. */
  fork?: ForkCarry;
  /** Settings to record in the trajectory (never a credential). */
  config?: Record<string, unknown>;
}

export interface RolloutResult {
  rolloutId: string;
  runId: string;
  instanceId: string;
  index: number;
  exitReason: ExitReason;
  message?: string;
  steps: number;
  totals: Totals;
  durationMs: number;
  patch: string | null;
  reward: RewardRecord | null;
  /** The whole evaluation behind the reward (grade, per-test statuses), for views that show it as a human run is shown. */
  evaluation?: EvaluationResult;
  resolved: boolean | null;
  /**
   * The rollout failed before the model ever answered (an endpoint that never answered, a refused
   * key, an API or container error): an error of the run, never graded and never counted.
   */
  runError: boolean;
  trajectoryPath?: string;
  eventsPath?: string;
  messages: ChatMessage[];
  /** Where it ran and whether it counts toward success rates; null when no container was reached. */
  environment: RolloutEnvironment | null;
}

export interface RolloutStatus {
  state: 'created' | 'running' | 'paused' | 'ended';
  step: number;
  pausedAt?: PausePoint;
  pendingAction?: ToolCall;
}

/** Ends the loop with a named reason. */
class EndRollout extends Error {
  constructor(
    readonly reason: ExitReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One agent rollout on one instance: the loop, its tools in the container, its budgets, its
 * trajectory, its reward, and the controls a live view uses (pause, step once, resume, stop,
 * cancel, edit the next action, edit an observation before the model sees it, human steps).
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
  private readonly repoDir: string;
  private messages: ChatMessage[] = [];
  private readonly condensed = new Set<number>();
  private step = 0;
  private totals: Totals = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
  private usageEstimated = false;
  private readonly stepRecords: StepRecord[] = [];
  private state: RolloutStatus['state'] = 'created';
  private pauseRequested: boolean;
  private stepMode = false;
  private gate: { point: PausePoint; release: (mode: 'run' | 'step') => void } | undefined;
  private pendingCall: ToolCall | undefined;
  private sentMessageCount = 0;
  private readonly pendingHuman: { content: string; files: string[]; diff: string; carried?: boolean; applyError?: string }[] = [];
  private environment: RolloutEnvironment | null = null;
  private readonly cancelCtl = new AbortController();
  private readonly work = new AbortController();
  private interruptedBy: EndRollout | undefined;
  private cancelled = false;
  private container: ContainerHandle | undefined;
  private control: ControlShell | undefined;
  private bash: BashSession | undefined;
  private executor: ToolExecutor | undefined;
  private writer: TrajectoryWriter | undefined;
  private writeError: string | undefined;
  private startedAt = 0;
  private pausedMs = 0;
  private loopStartedAt = 0;
  /** Model answers received; none means the rollout never reached the model. */
  private answered = 0;
  private readonly mismatches: NonNullable<ClosedTrajectory['replay_mismatches']> = [];

  constructor(private readonly o: RolloutOptions) {
    this.template = o.template ?? DEFAULT_TEMPLATE;
    this.repoDir = o.repoDir ?? '/testbed';
    this.runId = o.runId ?? this.rolloutId;
    this.index = o.index ?? 0;
    this.pauseRequested = o.startPaused ?? false;
    if (o.signal?.aborted) this.cancel();
    o.signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  // ---- controls -------------------------------------------------------------------------------

  get status(): RolloutStatus {
    return { state: this.state, step: this.step, pausedAt: this.gate?.point, pendingAction: this.gate?.point === 'before_action' ? this.pendingCall : undefined };
  }

  /** The conversation so far (native form, uncondensed). */
  get conversation(): readonly ChatMessage[] {
    return this.messages;
  }

  /** Pauses at the next point: before the next model request or before the next action runs. */
  pause(): void {
    if (this.state !== 'ended') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.stepMode = false;
    this.gate?.release('run');
  }

  /** Runs until the next model request, then pauses again. */
  stepOnce(): void {
    this.stepMode = true;
    this.pauseRequested = false;
    this.gate?.release('step');
  }

  /** Ends the rollout gracefully: the running request or command is interrupted, the patch taken and rewarded. */
  stop(): void {
    this.interrupt(new EndRollout('stopped', 'Stopped by the user.'));
  }

  /** Abandons the rollout at once: no patch, no reward, its container removed. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.interrupt(new EndRollout('cancelled', 'Cancelled.'));
    this.cancelCtl.abort();
  }

  /** While paused before an action: replaces its tool name and/or arguments. Returns the new call. */
  editPendingAction(edit: { name?: string; arguments?: string | Record<string, unknown> }): ToolCall {
    if (this.gate?.point !== 'before_action' || !this.pendingCall) throw new Error('The next action can only be edited while the rollout is paused before it runs.');
    const before = this.pendingCall;
    const after: ToolCall = {
      ...before,
      function: {
        name: edit.name ?? before.function.name,
        arguments: edit.arguments === undefined ? before.function.arguments : typeof edit.arguments === 'string' ? edit.arguments : JSON.stringify(edit.arguments),
      },
    };
    const assistant = [...this.messages].reverse().find((m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.id === before.id));
    if (assistant?.role === 'assistant' && assistant.tool_calls) assistant.tool_calls = assistant.tool_calls.map((c) => (c.id === before.id ? after : c));
    this.pendingCall = after;
    this.emit({ type: 'action_edited', step: this.step, before, after });
    return after;
  }

  /** While paused before a model request: replaces an observation the model has not seen yet. */
  editObservation(toolCallId: string, content: string): void {
    if (this.gate?.point !== 'before_model') throw new Error('Observations can only be edited while the rollout is paused before the next model request.');
    const i = this.messages.findIndex((m, idx) => idx >= this.sentMessageCount && m.role === 'tool' && m.tool_call_id === toolCallId);
    if (i < 0) throw new Error(`No observation with tool call id ${toolCallId} is waiting to be sent.`);
    const m = this.messages[i] as Extract<ChatMessage, { role: 'tool' }>;
    const before = m.content;
    this.messages[i] = { ...m, content };
    this.emit({ type: 'observation_edited', step: this.step, toolCallId, before, after: content });
  }

  /** Adds a human step: a user message the model sees before its next turn. */
  addHumanStep(content: string): void {
    if (this.state === 'ended') throw new Error('The rollout has ended.');
    this.pendingHuman.push({ content, files: [], diff: '' });
  }

  /** Where the event log is written as it runs (set once `run()` has started), for readers after a crash or reload. */
  get eventsPath(): string | undefined {
    return this.writer?.eventsPath;
  }

  /** The repository's changes against the base commit right now (untracked files included). */
  async workspaceDiff(): Promise<string> {
    if (!this.control) throw new Error('The rollout has no container yet.');
    const tree = await snapshotTree(this.control, this.repoDir);
    return (await diffTrees(this.control, this.repoDir, this.o.instance.base_commit, tree)).diff;
  }

  private interrupt(reason: EndRollout): void {
    if (this.state === 'ended') return;
    this.interruptedBy ??= reason;
    this.work.abort();
    this.gate?.release('run');
  }

  // ---- the loop -------------------------------------------------------------------------------

  async run(): Promise<RolloutResult> {
    if (this.state !== 'created') throw new Error('A rollout runs once.');
    this.state = 'running';
    this.startedAt = Date.now();
    const instance = this.o.instance;
    if (this.o.trajectoryDir) this.writer = TrajectoryWriter.open(this.o.trajectoryDir, `${safeName(instance.instance_id)}_${this.index}`);
    let exit: EndRollout | undefined;
    let patch: string | null = null;
    let reward: RewardRecord | null = null;
    let evaluation: EvaluationResult | undefined;
    const watchdog = setInterval(() => this.checkWallTime(), 200);
    watchdog.unref();
    try {
      await this.setUp();
      this.loopStartedAt = Date.now();
      await this.loop();
    } catch (err) {
      exit = this.exitFor(err);
    } finally {
      clearInterval(watchdog);
    }
    exit ??= new EndRollout('finished', 'The agent called finish.');
    if (this.cancelled) exit = new EndRollout('cancelled', this.interruptedBy?.message ?? 'Cancelled.');
    // Without a single answer the container holds nothing the agent did (only what was there
    // before): grading it would score the environment, not the model.
    const reachedModel = this.answered > 0;
    const runError = !reachedModel && exit.reason !== 'stopped' && exit.reason !== 'cancelled';

    if (!this.cancelled && this.container && reachedModel) {
      try {
        patch = await extractPatch(this.container, instance.base_commit, { repoDir: this.repoDir, signal: this.cancelCtl.signal });
        this.emit({ type: 'patch', patch });
      } catch (err) {
        this.emit({ type: 'patch', patch: null, error: (err as Error).message });
      }
    }
    await this.tearDown();
    if (!this.cancelled && this.o.reward !== false && patch !== null) {
      try {
        const ev = await evaluateInstance(this.o.runtime, instance, patch, {
          flavor: this.o.flavor,
          datasetDir: this.o.datasetDir,
          imageTemplate: this.o.imageTemplate,
          allowPull: this.o.allowPull,
          runId: this.runId,
          modelName: this.o.model.modelName,
          sessionId: this.o.sessionId,
          signal: this.cancelCtl.signal,
          ...(this.o.reward ?? {}),
        });
        evaluation = ev;
        reward = rewardRecord(ev);
        this.emit({ type: 'reward', reward });
      } catch (err) {
        if (this.cancelled) exit = new EndRollout('cancelled', 'Cancelled during the reward.');
        else exit = new EndRollout(exit.reason, `${exit.message} The reward could not be computed: ${(err as Error).message}`);
      }
    }
    // Time spent paused is the person's, not the rollout's.
    const durationMs = Date.now() - this.startedAt - this.pausedMs;
    const resolved = reward ? reward.resolved : null;
    const message = this.writeError ? `${exit.message} (The trajectory could not be written: ${this.writeError})` : exit.message;
    this.emit({ type: 'finished', exitReason: exit.reason, message, steps: this.step, totals: { ...this.totals }, durationMs, resolved, ...(runError ? { runError } : {}) });
    this.state = 'ended';
    const closed = this.closedTrajectory(exit, message, patch, reward, durationMs, runError);
    try {
      this.writer?.close(closed);
    } catch (err) {
      this.writeError ??= (err as Error).message;
    }
    return {
      rolloutId: this.rolloutId,
      runId: this.runId,
      instanceId: instance.instance_id,
      index: this.index,
      exitReason: exit.reason,
      message,
      steps: this.step,
      totals: { ...this.totals },
      durationMs,
      patch,
      reward,
      ...(evaluation ? { evaluation } : {}),
      resolved,
      runError,
      trajectoryPath: this.writer && !this.writeError ? this.writer.jsonPath : undefined,
      eventsPath: this.writer?.eventsPath,
      messages: this.messages,
      environment: this.environment,
    };
  }

  private async setUp(): Promise<void> {
    const o = this.o;
    const signal = this.cancelCtl.signal;
    let image = '(existing container)';
    if (o.container) {
      this.container = o.container;
    } else {
      const ensured = await ensureImage(o.runtime, o.instance, { flavor: o.flavor ?? 'swe-gym', datasetDir: o.datasetDir, template: o.imageTemplate, allowPull: o.allowPull, signal });
      image = ensured.image;
      this.container = (await startSolverContainer(o.runtime, o.instance, image, { purpose: 'agent', sessionId: o.sessionId, repoDir: this.repoDir, signal })).container;
      if (signal.aborted) throw abortError();
    }
    const container = this.container;
    this.control = await ControlShell.start(container);
    const start = await checkStartState(this.control, this.repoDir, o.instance.base_commit);
    const kind = o.container ? 'dev' : 'fresh';
    this.environment = { container: kind, startedClean: start.startedClean, ...(kind === 'dev' && !start.startedClean ? { changedAtStart: start.changedAtStart } : {}), counted: kind === 'fresh' || start.startedClean };
    const files = containerFiles(this.control);
    this.bash = await BashSession.start(container, { cwd: this.repoDir, promptHost: this.template.promptHost, ...o.tools, writeFile: (p, s) => files.write(p, s) });
    const bash = this.bash;
    const editor = new FileEditor(files, { baseDir: () => bash.cwd, expandTabsOnEdit: o.tools?.expandTabsOnEdit });
    this.executor = new ToolExecutor(bash, editor, this.template.tools);
    const opening = o.opening ?? renderOpening(this.template, o.instance, this.repoDir);
    this.messages = [
      { role: 'system', content: opening.system },
      { role: 'user', content: opening.firstUser },
    ];
    this.emit({
      type: 'rollout_started',
      rolloutId: this.rolloutId,
      runId: this.runId,
      instanceId: o.instance.instance_id,
      index: this.index,
      model: o.model.modelName,
      template: this.template.name,
      image,
      container: container.name,
      repoDir: this.repoDir,
      config: o.config ?? {},
      messages: this.messages.map((m) => ({ ...m })),
      tools: this.template.tools,
      environment: this.environment,
      ...(o.fork ? { forkOf: o.fork.of } : {}),
    });
  }

  private async loop(): Promise<void> {
    for (;;) {
      this.throwIfInterrupted();
      const spent = spentBudget(this.o.budgets ?? {}, this.step, this.totals, this.activeMs());
      if (spent) throw new EndRollout(spent.reason, spent.message);
      await this.checkpoint('before_model');
      await this.carryHumanSteps();
      this.flushHumanSteps();
      this.step++;
      const stepStarted = Date.now();
      const pausedBefore = this.pausedMs;
      this.emit({ type: 'step_started', step: this.step });
      const turn = await this.callModel();
      this.answered++;
      const price = priceFor(this.o.model.modelName, this.o.prices);
      const cost = costOf(turn.usage, price);
      this.totals.promptTokens += turn.usage.promptTokens;
      this.totals.completionTokens += turn.usage.completionTokens;
      this.totals.costUsd += cost;
      this.usageEstimated ||= turn.usage.estimated === true;
      const assistant: ChatMessage = turn.toolCalls.length ? { role: 'assistant', content: turn.content, tool_calls: turn.toolCalls } : { role: 'assistant', content: turn.content };
      this.messages.push(assistant);
      this.emit({ type: 'model_response', step: this.step, message: structuredClone(assistant), usage: turn.usage, finishReason: turn.finishReason, durationMs: Date.now() - stepStarted, reasoning: turn.reasoning });
      const exitCodes: (number | null)[] = [];
      let finished = false;
      if (turn.toolCalls.length === 0) {
        this.messages.push({ role: 'user', content: this.template.autoReply });
        this.emit({ type: 'auto_reply', step: this.step, content: this.template.autoReply });
      }
      for (const original of turn.toolCalls) {
        this.pendingCall = original;
        await this.checkpoint('before_action');
        this.throwIfInterrupted();
        const call = this.pendingCall;
        this.pendingCall = undefined;
        const received = Date.now();
        this.emit({ type: 'tool_call', step: this.step, toolCall: call });
        const outcome = await this.runTool(call);
        const shown = this.o.fork?.observationEdits.get(call.id);
        // SWE-Gym rows end with the finish call itself: it gets no tool reply.
        if (!outcome.finish) this.messages.push({ role: 'tool', content: shown ?? outcome.content, tool_call_id: call.id, name: call.function.name });
        this.emit({
          type: 'observation',
          step: this.step,
          toolCallId: call.id,
          name: call.function.name,
          content: outcome.content,
          error: outcome.error,
          exitCode: outcome.exitCode,
          durationMs: Date.now() - received,
          commandMs: outcome.commandMs,
        });
        this.compareWithRecording(call.id, outcome.content);
        if (shown !== undefined && !outcome.finish) this.emit({ type: 'observation_edited', step: this.step, toolCallId: call.id, before: outcome.content, after: shown, carried: true });
        exitCodes.push(outcome.exitCode ?? null);
        if (outcome.finish) {
          finished = true;
          break;
        }
      }
      if (this.o.workspaceDiffEachStep) await this.emitWorkspaceDiff();
      const durationMs = Date.now() - stepStarted - (this.pausedMs - pausedBefore);
      this.stepRecords.push({
        step: this.step,
        duration_ms: durationMs,
        prompt_tokens: turn.usage.promptTokens,
        completion_tokens: turn.usage.completionTokens,
        cost_usd: cost,
        tool_calls: turn.toolCalls.map((c) => c.function.name),
        exit_codes: exitCodes,
      });
      this.emit({ type: 'step_finished', step: this.step, durationMs, usage: turn.usage, costUsd: cost, totals: { ...this.totals } });
      if (finished) return;
    }
  }

  private async runTool(call: ToolCall) {
    try {
      return await (this.executor as ToolExecutor).run(call, this.work.signal);
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw new EndRollout('environment_error', `The container stopped answering while running ${call.function.name}: ${(err as Error).message}`);
    }
  }

  private async callModel(): Promise<ModelTurn> {
    const window = this.o.contextWindowTokens;
    if (window) {
      if (estimateTokens(viewForModel(this.messages, this.condensed)) > window * 0.9) this.condense(4, Math.floor(window * 0.7), 'estimate above 90% of the context window');
      if (estimateTokens(viewForModel(this.messages, this.condensed)) > window) throw new ModelError('context_length', `The conversation (about ${estimateTokens(viewForModel(this.messages, this.condensed))} tokens) no longer fits the context window of ${window} tokens, even condensed.`);
    }
    const keeps = [4, 2, 1, 0];
    let keepIdx = 0;
    for (;;) {
      const messages = viewForModel(this.messages, this.condensed);
      this.sentMessageCount = this.messages.length;
      // A signal per call: HTTP clients may leave listeners on it, the rollout's own must stay clean.
      const call = new AbortController();
      const onAbort = () => call.abort();
      this.work.signal.addEventListener('abort', onAbort, { once: true });
      if (this.work.signal.aborted) call.abort();
      try {
        const turn = await this.o.model.complete(
          { messages, tools: this.template.tools },
          {
            signal: call.signal,
            onRequest: (request, a) => this.emit({ type: 'model_request', step: this.step, attempt: a, request }),
            onDelta: (delta) => this.emit({ type: 'model_delta', step: this.step, delta }),
            onRetry: (r) => this.emit({ type: 'model_retry', step: this.step, ...r }),
          },
        );
        // A stream cut by a stop or a cancel may end quietly: what came so far is not an answer.
        if (this.work.signal.aborted) throw abortError();
        return turn;
      } catch (err) {
        if (this.work.signal.aborted) throw abortError();
        if (!(err instanceof ModelError) || err.kind !== 'context_length') throw err;
        let condensedSome = false;
        while (!condensedSome && keepIdx < keeps.length) condensedSome = this.condense(keeps[keepIdx++] ?? 0, undefined, err.message);
        if (!condensedSome) throw err;
      } finally {
        this.work.signal.removeEventListener('abort', onAbort);
      }
    }
  }

  private condense(keepRecent: number, targetTokens: number | undefined, reason: string): boolean {
    const c = chooseCondensation(this.messages, this.condensed, keepRecent, targetTokens);
    if (c.indexes.length === 0) return false;
    this.emit({ type: 'condensed', step: this.step, reason, messageIndexes: c.indexes, removedChars: c.removedChars });
    return true;
  }

  private async checkpoint(point: PausePoint): Promise<void> {
    this.throwIfInterrupted();
    const pause = this.pauseRequested || (point === 'before_model' && this.stepMode);
    if (!pause) return;
    this.pauseRequested = false;
    this.stepMode = false;
    const detect = (this.o.detectHumanEdits ?? true) && this.control;
    const before = detect ? await snapshotTree(this.control as ControlShell, this.repoDir).catch(() => undefined) : undefined;
    const pausedAt = Date.now();
    this.state = 'paused';
    // The gate exists before anyone hears of the pause, so a listener may resume at once.
    let release!: (mode: 'run' | 'step') => void;
    const released = new Promise<'run' | 'step'>((resolve) => (release = resolve));
    this.gate = { point, release };
    this.emit({ type: 'paused', step: this.step, at: point, pendingAction: point === 'before_action' ? this.pendingCall : undefined });
    if (this.work.signal.aborted) release('run');
    const mode = await released;
    this.gate = undefined;
    this.pausedMs += Date.now() - pausedAt;
    this.state = 'running';
    if (mode === 'step') this.stepMode = true;
    this.throwIfInterrupted();
    if (before && this.control) {
      const after = await snapshotTree(this.control, this.repoDir).catch(() => undefined);
      if (after && after !== before) {
        const { diff, files } = await diffTrees(this.control, this.repoDir, before, after);
        this.pendingHuman.push({ content: humanEditMessage(files, diff), files, diff });
      }
    }
    this.emit({ type: 'resumed', step: this.step, mode });
  }

  private flushHumanSteps(): void {
    for (const h of this.pendingHuman.splice(0)) {
      this.messages.push({ role: 'user', content: h.content });
      this.emit({ type: 'human_step', step: this.step, content: h.content, files: h.files, diff: h.diff, ...(h.carried ? { carried: true } : {}), ...(h.applyError ? { applyError: h.applyError } : {}) });
    }
  }

  /** Forks: the source's human steps at this point, their hand edits applied in this container first. */
  private async carryHumanSteps(): Promise<void> {
    const control = this.control;
    if (!this.o.fork || !control) return;
    const files = containerFiles(control);
    for (const h of this.o.fork.humanSteps.filter((x) => x.afterStep === this.step)) {
      const applyError = await applyCarriedEdit(control, this.repoDir, h.diff, (p, c) => files.write(p, c));
      this.pendingHuman.push({ ...h, carried: true, ...(applyError ? { applyError } : {}) });
    }
  }

  private compareWithRecording(toolCallId: string, actual: string): void {
    const recorded = this.o.expectedObservations?.get(toolCallId) ?? this.o.fork?.observations.get(toolCallId);
    if (recorded === undefined || recorded === actual) return;
    const a = recorded.split('\n');
    const b = actual.split('\n');
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    this.mismatches.push({ step: this.step, tool_call_id: toolCallId, first_different_line: line + 1 });
    this.emit({ type: 'replay_mismatch', step: this.step, toolCallId, recorded, actual, firstDifferentLine: line + 1 });
  }

  private async emitWorkspaceDiff(): Promise<void> {
    try {
      this.emit({ type: 'workspace_diff', step: this.step, patch: await this.workspaceDiff() });
    } catch {
      // A view's convenience: never a reason to stop the rollout.
    }
  }

  /** Time spent on the budgets: the container's start (image, history cut) and pauses are not the agent's. */
  private activeMs(): number {
    return this.loopStartedAt ? Date.now() - this.loopStartedAt - this.pausedMs : 0;
  }

  private checkWallTime(): void {
    const max = this.o.budgets?.maxWallMs;
    if (max === undefined || this.gate || this.state !== 'running') return;
    if (this.activeMs() >= max) this.interrupt(new EndRollout('max_time', `The time budget of ${Math.round(max / 1000)} s is spent.`));
  }

  private throwIfInterrupted(): void {
    if (this.interruptedBy) throw this.interruptedBy;
  }

  private exitFor(err: unknown): EndRollout {
    if (this.interruptedBy) return this.interruptedBy;
    if (err instanceof EndRollout) return err;
    if (err instanceof ModelError) {
      const reason: ExitReason =
        err.kind === 'auth' ? 'auth_error' : err.kind === 'not_found' ? 'model_not_found' : err.kind === 'context_length' ? 'context_overflow' : err.kind === 'replay_exhausted' ? 'replay_exhausted' : 'model_error';
      return new EndRollout(reason, err.message);
    }
    const e = err instanceof Error ? err : new Error(String(err));
    if (isAbortError(e)) return new EndRollout('cancelled', 'Cancelled.');
    return new EndRollout('environment_error', e.message);
  }

  private async tearDown(): Promise<void> {
    await this.bash?.close().catch(() => undefined);
    await this.control?.close().catch(() => undefined);
    if (this.container && !this.o.container) await this.container.remove().catch(() => undefined);
  }

  private emit(event: RolloutEvent): StampedEvent {
    const stamped = this.events.emit(event);
    if (this.writer && !this.writeError) {
      try {
        this.writer.append(stamped);
      } catch (err) {
        this.writeError = (err as Error).message;
      }
    }
    return stamped;
  }

  private closedTrajectory(exit: EndRollout, message: string, patch: string | null, reward: RewardRecord | null, durationMs: number, runError: boolean): ClosedTrajectory {
    return {
      format: TRAJECTORY_FORMAT,
      rollout_id: this.rolloutId,
      run_id: this.runId,
      instance_id: this.o.instance.instance_id,
      index: this.index,
      model: this.o.model.modelName,
      template: this.template.name,
      config: this.o.config ?? {},
      started_at: new Date(this.startedAt).toISOString(),
      finished_at: new Date().toISOString(),
      exit_reason: exit.reason,
      exit_message: message,
      ...(runError ? { run_error: true } : {}),
      steps: this.step,
      usage: { prompt_tokens: this.totals.promptTokens, completion_tokens: this.totals.completionTokens, estimated: this.usageEstimated },
      cost_usd: this.totals.costUsd,
      duration_ms: durationMs,
      messages: this.messages,
      tools: this.template.tools,
      step_records: this.stepRecords,
      patch,
      reward,
      ...(this.environment ? { environment: this.environment } : {}),
      ...(this.o.fork ? { fork_of: { rollout_id: this.o.fork.of.rolloutId, step: this.o.fork.of.step } } : {}),
      ...(this.o.expectedObservations || this.o.fork ? { replay_mismatches: this.mismatches } : {}),
      events_file: this.writer ? this.writer.eventsPath.split('/').pop() ?? '' : '',
    };
  }
}

export function rewardRecord(ev: EvaluationResult): RewardRecord {
  return {
    status: ev.status,
    resolved: ev.resolved,
    rules: ev.rules,
    strict_resolved: ev.grade?.strict.resolved ?? false,
    ...(ev.error ? { error: ev.error } : {}),
    test_output: ev.testLog,
    apply_output: ev.applyLog,
    skipped_install: ev.skippedInstall,
    eval_run_id: ev.run_id,
    duration_ms: ev.durationMs,
  };
}

function humanEditMessage(files: string[], diff: string): string {
  return [
    `While you were paused, a person edited the repository by hand (${files.length} file${files.length === 1 ? '' : 's'}: ${files.join(', ')}).`,
    'Their changes, as a diff against the state before the pause:',
    '<diff>',
    clipEditorText(diff.trimEnd()),
    '</diff>',
    'Take these changes into account and continue.',
  ].join('\n');
}

/** File names from instance ids: keep the id readable, never a path separator. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}

export type { TokenUsage };
