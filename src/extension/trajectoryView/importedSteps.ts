import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import { emptyAgentView, foldText, type AgentStepView, type AgentViewState } from '../../shared/agentView';
import { patchStats } from '../../shared/patchStats';

/** A step's diff shown in the view is clipped here (the agent view's limit for live diffs too). */
const MAX_DIFF_CHARS = 200_000;

/**
 * An imported run in the agent view's step model, read-only: each assistant turn a step (thought,
 * actions, their recorded observations folded, tokens and cost where the file has them), later
 * user messages as notes, and the workspace diff after each step when known.
 */
export function importedAgentView(t: ClosedTrajectory, diffs: (string | null)[] | undefined): AgentViewState {
  const v = emptyAgentView(t.rollout_id, t.instance_id, 'own', false);
  v.runId = t.run_id;
  v.index = t.index;
  v.model = t.model;
  v.template = t.imported?.scaffold ?? t.template;
  v.repoDir = t.imported?.repo_dir ?? '/testbed';
  v.state = 'ended';
  v.startedAt = t.started_at;
  v.totals = { promptTokens: t.usage.prompt_tokens, completionTokens: t.usage.completion_tokens, costUsd: t.cost_usd };
  const system = t.messages.find((m) => m.role === 'system');
  const firstUser = t.messages.find((m) => m.role === 'user');
  v.opening = { system: foldText(system?.content ?? ''), firstUser: foldText(firstUser?.content ?? '') };
  let step: AgentStepView | undefined;
  let users = 0;
  for (const m of t.messages) {
    if (m.role === 'assistant') {
      const n = v.steps.length + 1;
      const rec = t.step_records[n - 1];
      step = {
        step: n,
        phase: 'done',
        thought: m.content ?? '',
        streamingCalls: [],
        toolCalls: (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
        observations: [],
        requests: 0,
        notes: [],
        ...(rec && (rec.prompt_tokens || rec.completion_tokens) ? { usage: { promptTokens: rec.prompt_tokens, completionTokens: rec.completion_tokens } } : {}),
        ...(rec?.cost_usd ? { costUsd: rec.cost_usd } : {}),
        ...(t.imported?.person_steps?.includes(n) ? { byPerson: true } : {}),
      };
      const diff = diffs?.[n - 1];
      if (typeof diff === 'string') step.diff = { patch: diff.slice(0, MAX_DIFF_CHARS), clipped: diff.length > MAX_DIFF_CHARS, stats: patchStats(diff) };
      v.steps.push(step);
    } else if (m.role === 'tool' && step) {
      // A finish call's empty observation is the file having none: an empty box says nothing.
      if (m.content === '' && m.name === 'finish') continue;
      const i = step.toolCalls.findIndex((c) => c.id === m.tool_call_id);
      const exit = i >= 0 ? t.step_records[step.step - 1]?.exit_codes[i] : undefined;
      step.observations.push({ toolCallId: m.tool_call_id, name: m.name, error: false, durationMs: 0, commandMs: 0, ...(typeof exit === 'number' ? { exitCode: exit } : {}), ...foldText(m.content) });
    } else if (m.role === 'user' && users++ > 0) {
      (step ? step.notes : v.preamble).push({ kind: 'auto_reply', text: m.content });
    }
  }
  const grouped = demonstrationSteps(t);
  if (grouped) v.steps = groupSteps(v.steps, grouped);
  v.step = v.steps.length;
  return v;
}

/**
 * A demonstration's trajectory has one tool call per assistant turn (the agent's form), but the
 * person made recording steps (a save, a command), each of one or more calls: the demonstration
 * panel counts those. For each trajectory step, the recording step it belongs to (the closing
 * `finish` call belongs to none: 0); undefined for runs that are not demonstrations, or older ones.
 */
export function demonstrationSteps(t: ClosedTrajectory): number[] | undefined {
  const calls = t.demonstration?.recorded_step_calls;
  if (!calls) return undefined;
  const of: number[] = [];
  calls.forEach((n, i) => {
    for (let k = 0; k < n; k++) of.push(i + 1);
  });
  while (of.length < t.steps) of.push(0);
  return of;
}

/** The last trajectory step of a recording step (where a continuation from it starts). */
export function lastCallOf(stepOf: readonly number[], recordedStep: number): number {
  const i = stepOf.lastIndexOf(recordedStep);
  if (i < 0) throw new Error(`The demonstration has no step ${recordedStep}.`);
  return i + 1;
}

/** One card per recording step: its calls and observations together, the note as the thought, the diff after its last call. */
function groupSteps(perCall: AgentStepView[], stepOf: readonly number[]): AgentStepView[] {
  const out: AgentStepView[] = [];
  for (const s of perCall) {
    const k = stepOf[s.step - 1] ?? 0;
    if (k === 0) continue;
    const into = out[out.length - 1];
    if (into?.step === k) {
      into.toolCalls.push(...s.toolCalls);
      into.observations.push(...s.observations);
      into.notes.push(...s.notes);
      if (s.thought) into.thought = into.thought ? `${into.thought}\n\n${s.thought}` : s.thought;
      if (s.diff) into.diff = s.diff;
    } else {
      out.push({ ...s, step: k, toolCalls: [...s.toolCalls], observations: [...s.observations], notes: [...s.notes] });
    }
  }
  return out;
}

/**
 * The full text of one recorded observation (the view folds long ones), by the view's step and
 * the tool call id: scaffolds that number calls per turn give every step a `call_0`. A
 * demonstration's view step is its recording step (one or more turns).
 */
export function observationText(t: ClosedTrajectory, step: number, toolCallId: string): string {
  const stepOf = demonstrationSteps(t);
  let turn = 0;
  for (const m of t.messages) {
    if (m.role === 'assistant') turn++;
    else if (m.role === 'tool' && m.tool_call_id === toolCallId && (stepOf ? stepOf[turn - 1] === step : turn === step)) return m.content;
  }
  throw new Error(`No observation ${toolCallId} at step ${step} in ${t.rollout_id}.`);
}
