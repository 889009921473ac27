import type { GroupCount } from '../grading/groupCounts';
import type { RuleSet } from '../grading/ruleSet';
import type { EvaluationStatus } from '../harness/evaluationResult';
import type { ChatMessage, TokenUsage, ToolCall } from './chatTypes';
import type { ModelDelta, RecordedRequest } from './model/modelProvider';
import type { RolloutEnvironment } from './startState';

/** Why a rollout ended. Every budget and every failure has its own name. */
export type ExitReason =
  | 'finished'
  | 'max_steps'
  | 'max_tokens'
  | 'max_cost'
  | 'max_time'
  | 'stopped'
  | 'cancelled'
  | 'auth_error'
  | 'model_not_found'
  | 'model_error'
  | 'context_overflow'
  | 'environment_error'
  | 'replay_exhausted';

/** Where a paused rollout waits: before asking the model, or before running the action it chose. */
export type PausePoint = 'before_model' | 'before_action';

export interface Totals {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

/** The reward as a trajectory keeps it (the evaluation's essentials and its logs). */
export interface RewardRecord {
  status: EvaluationStatus;
  resolved: boolean;
  rules: RuleSet;
  /** How the rules are named to people ("SWE-Gym rules", ...); absent in older trajectories. */
  rules_label?: string;
  /** The instance's FAIL_TO_PASS / PASS_TO_PASS tests that passed, as a run card counts them (absent when the log was not graded). */
  fail_to_pass?: GroupCount;
  pass_to_pass?: GroupCount;
  strict_resolved: boolean;
  error?: string;
  test_output: string;
  apply_output: string;
  skipped_install: boolean;
  eval_run_id: string;
  duration_ms: number;
}

/**
 * Everything a rollout does, in order: what the trajectory file records and what a live view
 * subscribes to. `model_delta` (streamed text) is live only; everything else is also written.
 */
export type RolloutEvent =
  | {
      type: 'rollout_started';
      rolloutId: string;
      runId: string;
      instanceId: string;
      index: number;
      model: string;
      template: string;
      image: string;
      container: string;
      repoDir: string;
      config: Record<string, unknown>;
      messages: ChatMessage[];
      tools: unknown[];
      /** Where it runs and whether it started clean (so whether it counts); absent in older logs. */
      environment?: RolloutEnvironment;
      /** Forks: the rollout and step they replay. */
      forkOf?: { rolloutId: string; step: number };
    }
  | { type: 'step_started'; step: number }
  | { type: 'model_request'; step: number; attempt: number; request: RecordedRequest }
  | { type: 'model_delta'; step: number; delta: ModelDelta }
  | { type: 'model_retry'; step: number; attempt: number; status?: number; reason: string; delayMs: number }
  | { type: 'model_response'; step: number; message: ChatMessage; usage: TokenUsage; finishReason: string | null; durationMs: number; reasoning?: string }
  | { type: 'condensed'; step: number; reason: string; messageIndexes: number[]; removedChars: number }
  | { type: 'tool_call'; step: number; toolCall: ToolCall }
  | { type: 'action_edited'; step: number; before: ToolCall; after: ToolCall }
  | {
      type: 'observation';
      step: number;
      toolCallId: string;
      name: string;
      content: string;
      error: boolean;
      exitCode?: number;
      /** Tool call received to observation ready. */
      durationMs: number;
      /** The command's own share of durationMs. */
      commandMs: number;
    }
  /** `carried`: a fork showing the model what the source rollout's model was shown after a person's edit. */
  | { type: 'observation_edited'; step: number; toolCallId: string; before: string; after: string; carried?: boolean }
  | { type: 'replay_mismatch'; step: number; toolCallId: string; recorded: string; actual: string; firstDifferentLine: number }
  | { type: 'auto_reply'; step: number; content: string }
  /** `carried`: a fork replaying the source rollout's human step (its edits applied again; `applyError` when they did not apply). */
  | { type: 'human_step'; step: number; content: string; files: string[]; diff: string; carried?: boolean; applyError?: string }
  | { type: 'workspace_diff'; step: number; patch: string }
  | { type: 'step_finished'; step: number; durationMs: number; usage: TokenUsage; costUsd: number; totals: Totals }
  | { type: 'paused'; step: number; at: PausePoint; pendingAction?: ToolCall }
  | { type: 'resumed'; step: number; mode: 'run' | 'step' }
  | { type: 'patch'; patch: string | null; error?: string }
  | { type: 'reward'; reward: RewardRecord }
  /** `durationMs` leaves out time spent paused; `runError`: the model never answered (not graded, not counted). */
  | { type: 'finished'; exitReason: ExitReason; message?: string; steps: number; totals: Totals; durationMs: number; resolved: boolean | null; runError?: boolean };

export type StampedEvent = RolloutEvent & { seq: number; time: string };

export type RolloutListener = (event: StampedEvent) => void;

const KEEP_WHOLE_REQUESTS = 2;

/** A recorded request without the conversation it repeats (the other events hold it). */
export function elideRequestMessages(request: RecordedRequest): RecordedRequest {
  const body = request.body as { messages?: unknown } | undefined;
  if (!body || !Array.isArray(body.messages)) return request;
  const { messages, ...rest } = body;
  return { ...request, body: { ...rest, messages: { elided: 'the conversation up to this step (see the other events)', count: messages.length, last: messages[messages.length - 1] } } };
}

/** Fan-out of a rollout's events, with the history so a view that subscribes late can catch up. */
export class RolloutEventStream {
  private readonly listeners = new Set<RolloutListener>();
  private readonly log: StampedEvent[] = [];
  private seq = 0;
  private readonly queue: StampedEvent[] = [];
  private delivering = false;

  /** Subscribes; with `replay` (default) the events so far are delivered first. Returns the unsubscribe. */
  subscribe(listener: RolloutListener, options: { replay?: boolean } = {}): () => void {
    // Events still queued for delivery reach the new listener through it.
    if (options.replay ?? true) for (const e of this.log) if (!this.queue.includes(e)) listener(e);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RolloutEvent): StampedEvent {
    const stamped = { ...event, seq: ++this.seq, time: new Date().toISOString() } as StampedEvent;
    if (event.type !== 'model_delta') this.log.push(stamped);
    if (event.type === 'model_request') this.elideOldRequests();
    this.queue.push(stamped);
    // An event emitted by a listener (a subscriber reacting to one) is delivered after the one it
    // reacts to has reached every listener, so every listener sees the events in `seq` order.
    if (!this.delivering) this.deliver();
    return stamped;
  }

  private deliver(): void {
    this.delivering = true;
    try {
      for (let e = this.queue.shift(); e; e = this.queue.shift()) {
        for (const l of this.listeners) {
          try {
            l(e);
          } catch {
            // A failing view must not break the rollout.
          }
        }
      }
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Each request repeats the whole conversation, so keeping every one would grow as the square of
   * the steps: history keeps the newest requests whole and the older ones without their messages
   * (live subscribers always get every request whole).
   */
  private elideOldRequests(): void {
    const requests = this.log.flatMap((e, i) => (e.type === 'model_request' ? [i] : []));
    for (const i of requests.slice(0, -KEEP_WHOLE_REQUESTS)) {
      const e = this.log[i];
      if (e?.type === 'model_request') this.log[i] = { ...e, request: elideRequestMessages(e.request) };
    }
  }

  /** Every event so far except streamed deltas. */
  history(): readonly StampedEvent[] {
    return this.log;
  }
}
