import type { StepRecord } from '../../trajectory/trajectoryTypes';
import { abortError } from '../../util/abortError';
import { costOf, priceFor, spentBudget } from '../budget';
import type { ChatMessage, ToolCall } from '../chatTypes';
import { chooseCondensation, estimateTokens, viewForModel } from '../condense';
import type { PausePoint, RolloutEvent, Totals } from '../events';
import { ModelError, type ModelTurn } from '../model/modelProvider';
import { observationAt } from '../observationsByStep';
import type { AgentTemplate } from '../templates/agentTemplate';
import { clipEditorText } from '../tools/clip';
import type { AgentEnvironment } from './agentEnvironment';
import { EndRollout } from './endRollout';
import type { ActionEdit, PauseGate } from './pauseGate';
import type { RolloutOptions } from './rolloutOptions';

type LoopOptions = Pick<RolloutOptions, 'model' | 'budgets' | 'prices' | 'contextWindowTokens' | 'fork' | 'workspaceDiffEachStep' | 'detectHumanEdits'>;

interface PendingHumanStep {
  content: string;
  files: string[];
  diff: string;
  carried?: boolean;
  applyError?: string;
}

/**
 * The agent loop: the conversation, the model call (with condensation), tool dispatch into the
 * environment, budgets, per-step records and human steps. It stops at the gate's checkpoints and
 * ends by throwing (EndRollout, ModelError, an abort) or by returning when the agent finishes.
 */
export class RolloutLoop {
  messages: ChatMessage[] = [];
  step = 0;
  readonly totals: Totals = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
  usageEstimated = false;
  readonly stepRecords: StepRecord[] = [];
  /** Model answers received; none means the rollout never reached the model. */
  answered = 0;
  private readonly condensed = new Set<number>();
  private sentMessageCount = 0;
  private readonly pendingHuman: PendingHumanStep[] = [];

  constructor(
    private readonly o: LoopOptions,
    private readonly template: AgentTemplate,
    private readonly gate: PauseGate,
    private readonly emit: (event: RolloutEvent) => void,
    /** Time on the budgets so far (pauses excluded). */
    private readonly activeMs: () => number,
  ) {}

  /** Adds a human step: a user message the model sees before its next turn. */
  addHumanStep(content: string): void {
    this.pendingHuman.push({ content, files: [], diff: '' });
  }

  /** While paused before an action: replaces it in the conversation too. */
  editPendingAction(edit: ActionEdit): ToolCall {
    const { before, after } = this.gate.editPendingAction(edit);
    const assistant = [...this.messages].reverse().find((m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.id === before.id));
    if (assistant?.role === 'assistant' && assistant.tool_calls) assistant.tool_calls = assistant.tool_calls.map((c) => (c.id === before.id ? after : c));
    this.emit({ type: 'action_edited', step: this.step, before, after });
    return after;
  }

  /** While paused before a model request: replaces an observation the model has not seen yet. */
  editObservation(toolCallId: string, content: string): void {
    if (this.gate.pausedAt !== 'before_model') throw new Error('Observations can only be edited while the rollout is paused before the next model request.');
    const i = this.messages.findIndex((m, idx) => idx >= this.sentMessageCount && m.role === 'tool' && m.tool_call_id === toolCallId);
    if (i < 0) throw new Error(`No observation with tool call id ${toolCallId} is waiting to be sent.`);
    const m = this.messages[i] as Extract<ChatMessage, { role: 'tool' }>;
    const before = m.content;
    this.messages[i] = { ...m, content };
    this.emit({ type: 'observation_edited', step: this.step, toolCallId, before, after: content });
  }

  async run(env: AgentEnvironment): Promise<void> {
    for (;;) {
      this.gate.throwIfInterrupted();
      const spent = spentBudget(this.o.budgets ?? {}, this.step, this.totals, this.activeMs());
      if (spent) throw new EndRollout(spent.reason, spent.message);
      // A replay that has played its last turn ends here, not in a step it cannot answer (steps = turns played).
      const out = this.o.model.outOfTurns?.();
      if (out) throw out;
      await this.checkpoint('before_model', env);
      await this.carryHumanSteps(env);
      this.flushHumanSteps();
      this.step++;
      const stepStarted = Date.now();
      const pausedBefore = this.gate.pausedMs;
      this.emit({ type: 'step_started', step: this.step });
      const turn = await this.callModel();
      this.answered++;
      const cost = costOf(turn.usage, priceFor(this.o.model.modelName, this.o.prices));
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
        this.gate.pendingAction = original;
        await this.checkpoint('before_action', env);
        this.gate.throwIfInterrupted();
        const call = this.gate.pendingAction ?? original;
        this.gate.pendingAction = undefined;
        const outcome = await this.dispatch(call, env);
        exitCodes.push(outcome.exitCode ?? null);
        if (outcome.finish) {
          finished = true;
          break;
        }
      }
      if (this.o.workspaceDiffEachStep) await this.emitWorkspaceDiff(env);
      const durationMs = Date.now() - stepStarted - (this.gate.pausedMs - pausedBefore);
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

  /** One action: run in the environment, its observation added (a fork shows what its source's model was shown). */
  private async dispatch(call: ToolCall, env: AgentEnvironment) {
    const received = Date.now();
    this.emit({ type: 'tool_call', step: this.step, toolCall: call });
    const outcome = await env.runTool(call, this.gate.workSignal);
    const shown = observationAt(this.o.fork?.observationEdits, this.step, call.id);
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
    if (shown !== undefined && !outcome.finish) this.emit({ type: 'observation_edited', step: this.step, toolCallId: call.id, before: outcome.content, after: shown, carried: true });
    return outcome;
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
      const call = this.gate.callSignal();
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
        if (this.gate.workSignal.aborted) throw abortError();
        return turn;
      } catch (err) {
        if (this.gate.workSignal.aborted) throw abortError();
        if (!(err instanceof ModelError) || err.kind !== 'context_length') throw err;
        let condensedSome = false;
        while (!condensedSome && keepIdx < keeps.length) condensedSome = this.condense(keeps[keepIdx++] ?? 0, undefined, err.message);
        if (!condensedSome) throw err;
      } finally {
        call.done();
      }
    }
  }

  private condense(keepRecent: number, targetTokens: number | undefined, reason: string): boolean {
    const c = chooseCondensation(this.messages, this.condensed, keepRecent, targetTokens);
    if (c.indexes.length === 0) return false;
    this.emit({ type: 'condensed', step: this.step, reason, messageIndexes: c.indexes, removedChars: c.removedChars });
    return true;
  }

  /** A pause point: waits at the gate if a pause is due; hand edits made meanwhile become a human step. */
  private async checkpoint(point: PausePoint, env: AgentEnvironment): Promise<void> {
    if (!this.gate.takePause(point)) return;
    const watch = (this.o.detectHumanEdits ?? true) ? await env.watchEdits() : undefined;
    const mode = await this.gate.wait(point, () => this.emit({ type: 'paused', step: this.step, at: point, pendingAction: point === 'before_action' ? this.gate.pendingAction : undefined }));
    const edit = await watch?.collect();
    if (edit) this.pendingHuman.push({ content: humanEditMessage(edit.files, edit.diff), ...edit });
    this.emit({ type: 'resumed', step: this.step, mode });
  }

  private flushHumanSteps(): void {
    for (const h of this.pendingHuman.splice(0)) {
      this.messages.push({ role: 'user', content: h.content });
      this.emit({ type: 'human_step', step: this.step, content: h.content, files: h.files, diff: h.diff, ...(h.carried ? { carried: true } : {}), ...(h.applyError ? { applyError: h.applyError } : {}) });
    }
  }

  /** Forks: the source's human steps at this point, their hand edits applied in this container first. */
  private async carryHumanSteps(env: AgentEnvironment): Promise<void> {
    if (!this.o.fork || !env.control) return;
    for (const h of this.o.fork.humanSteps.filter((x) => x.afterStep === this.step)) {
      const applyError = await env.applyEdit(h.diff);
      this.pendingHuman.push({ ...h, carried: true, ...(applyError ? { applyError } : {}) });
    }
  }

  private async emitWorkspaceDiff(env: AgentEnvironment): Promise<void> {
    try {
      this.emit({ type: 'workspace_diff', step: this.step, patch: await env.workspaceDiff() });
    } catch {
      // A view's convenience: never a reason to stop the rollout.
    }
  }
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
