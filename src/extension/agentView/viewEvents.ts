import type { ToolCall } from '../../core/agent/chatTypes';
import type { RewardRecord, StampedEvent } from '../../core/agent/events';
import { foldText, type AgentRewardView, type AgentToolCallView, type AgentViewEvent } from '../../shared/agentView';
import { patchStats } from '../../shared/patchStats';

/** Observations longer than this are folded in the view; the full text is fetched on demand. */
export const OBSERVATION_FOLD = 4000;
const OPENING_FOLD = 40_000;
const DIFF_CLIP = 200_000;
const NOTE_CLIP = 20_000;

export function toolCallView(c: ToolCall): AgentToolCallView {
  return { id: c.id, name: c.function.name, arguments: c.function.arguments };
}

export function rewardView(r: RewardRecord): AgentRewardView {
  return {
    status: r.status,
    resolved: r.resolved,
    rules: r.rules_label ?? r.rules,
    ...(r.fail_to_pass && r.pass_to_pass ? { failToPass: r.fail_to_pass, passToPass: r.pass_to_pass } : {}),
    strictResolved: r.strict_resolved,
    durationMs: r.duration_ms,
    ...(r.error ? { error: r.error } : {}),
  };
}

function clip(text: string, max: number): { text: string; clipped: boolean } {
  return text.length <= max ? { text, clipped: false } : { text: text.slice(0, max), clipped: true };
}

/**
 * A rollout event as the live view gets it: the conversation a request repeats is left out
 * (fetched on demand), long observations and diffs are folded. Streamed deltas are batched by the
 * session, not here.
 */
export function toViewEvent(e: StampedEvent): AgentViewEvent | undefined {
  const seq = e.seq;
  switch (e.type) {
    case 'rollout_started': {
      const text = (i: number) => {
        const m = e.messages[i];
        return m && typeof m.content === 'string' ? m.content : '';
      };
      return {
        seq,
        type: 'started',
        runId: e.runId,
        index: e.index,
        model: e.model,
        template: e.template,
        container: e.container,
        repoDir: e.repoDir,
        system: foldText(text(0), OPENING_FOLD),
        firstUser: foldText(text(1), OPENING_FOLD),
        at: e.time,
        ...(e.environment ? { environment: e.environment } : {}),
        ...(e.forkOf ? { forkOf: e.forkOf } : {}),
      };
    }
    case 'step_started':
      return { seq, type: 'step_started', step: e.step };
    case 'model_request':
      return { seq, type: 'request', step: e.step, attempt: e.attempt };
    case 'model_delta':
      return undefined;
    case 'model_retry':
      return { seq, type: 'retry', step: e.step, attempt: e.attempt, status: e.status, reason: e.reason, delayMs: e.delayMs };
    case 'model_response': {
      const m = e.message;
      const content = m.role === 'assistant' ? m.content : typeof m.content === 'string' ? m.content : null;
      const calls = m.role === 'assistant' ? (m.tool_calls ?? []) : [];
      return { seq, type: 'response', step: e.step, content, toolCalls: calls.map(toolCallView), usage: e.usage, finishReason: e.finishReason, durationMs: e.durationMs, ...(e.reasoning ? { reasoning: e.reasoning } : {}) };
    }
    case 'condensed':
      return { seq, type: 'condensed', step: e.step, reason: e.reason, messages: e.messageIndexes.length, removedChars: e.removedChars };
    case 'tool_call':
      return { seq, type: 'tool_call', step: e.step, toolCall: toolCallView(e.toolCall) };
    case 'action_edited':
      return { seq, type: 'action_edited', step: e.step, before: toolCallView(e.before), after: toolCallView(e.after) };
    case 'observation':
      return {
        seq,
        type: 'observation',
        step: e.step,
        toolCallId: e.toolCallId,
        name: e.name,
        error: e.error,
        ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
        durationMs: e.durationMs,
        commandMs: e.commandMs,
        ...foldText(e.content, OBSERVATION_FOLD),
      };
    case 'observation_edited':
      return { seq, type: 'observation_edited', step: e.step, toolCallId: e.toolCallId, ...(e.carried ? { carried: true } : {}), ...foldText(e.after, OBSERVATION_FOLD) };
    case 'replay_mismatch':
      return { seq, type: 'replay_mismatch', step: e.step, toolCallId: e.toolCallId, firstDifferentLine: e.firstDifferentLine };
    case 'auto_reply':
      return { seq, type: 'auto_reply', step: e.step, content: e.content };
    case 'human_step':
      return { seq, type: 'human_step', step: e.step, content: clip(e.content, NOTE_CLIP).text, files: e.files, ...(e.carried ? { carried: true } : {}), ...(e.applyError ? { applyError: e.applyError } : {}) };
    case 'workspace_diff': {
      const c = clip(e.patch, DIFF_CLIP);
      return { seq, type: 'diff', step: e.step, diff: { patch: c.text, clipped: c.clipped, stats: patchStats(e.patch) } };
    }
    case 'step_finished':
      return { seq, type: 'step_finished', step: e.step, durationMs: e.durationMs, usage: e.usage, costUsd: e.costUsd, totals: e.totals };
    case 'paused':
      return { seq, type: 'paused', step: e.step, at: e.at, ...(e.pendingAction ? { pendingAction: toolCallView(e.pendingAction) } : {}) };
    case 'resumed':
      return { seq, type: 'resumed', step: e.step, mode: e.mode };
    case 'patch':
      return { seq, type: 'patch', ...(e.patch !== null ? { stats: patchStats(e.patch) } : {}), ...(e.error ? { error: e.error } : {}) };
    case 'reward':
      return { seq, type: 'reward', reward: rewardView(e.reward) };
    case 'finished':
      return { seq, type: 'finished', exitReason: e.exitReason, message: e.message, steps: e.steps, totals: e.totals, durationMs: e.durationMs, resolved: e.resolved, ...(e.runError ? { runError: true } : {}) };
    default:
      return undefined;
  }
}
