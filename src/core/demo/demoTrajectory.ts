import type { ChatMessage } from '../agent/chatTypes';
import type { RewardRecord } from '../agent/events';
import { TRAJECTORY_FORMAT, type ClosedTrajectory, type StepRecord } from '../trajectory/trajectoryTypes';
import type { DemonstrationInfo, StampedDemoEvent } from './demoEvents';

/** The model name a demonstration carries where a rollout names its model. */
export const HUMAN_MODEL = 'human';

/**
 * A demonstration's log closed into the trajectory file a rollout writes: the system and task
 * messages of its template, then one assistant turn per recorded tool call (the person's note, if
 * any, as the text of a step's first turn) with the tool's observation, then `finish`. Replays,
 * exports and the step view read it as they read a rollout; `demonstration` says how it was made.
 */
export function closedDemonstration(events: readonly StampedDemoEvent[], o: { idleGaps: DemonstrationInfo['idle_gaps']; eventsFile: string }): ClosedTrajectory {
  const header = events[0];
  if (header?.type !== 'demo_started') throw new Error('A demonstration log starts with demo_started.');
  const messages: ChatMessage[] = header.messages.map((m) => ({ ...m }));
  const stepRecords: StepRecord[] = [];
  let patch: string | null = null;
  let reward: RewardRecord | null = null;
  let activeMs = 0;
  let recorded = 0;
  let resumed = 0;
  const callsPerStep: number[] = [];
  const info: DemonstrationInfo = { origin: 'human', ...(header.annotator ? { annotator: header.annotator } : {}), active_ms: 0, idle_gaps: o.idleGaps, reveals: [], test_runs: [], recorded_steps: 0, resumed_after_crash: 0 };
  // Notes given or changed after their step was recorded (the last one wins).
  const laterNotes = new Map<number, string>();
  for (const e of events) if (e.type === 'demo_step_note') laterNotes.set(e.step, e.text);
  for (const e of events) {
    if ('activeMs' in e && typeof e.activeMs === 'number') activeMs = e.activeMs;
    switch (e.type) {
      case 'demo_step':
        recorded++;
        callsPerStep.push(e.actions.length);
        const note = laterNotes.has(e.step) ? laterNotes.get(e.step) : e.note;
        e.actions.forEach((a, i) => {
          messages.push({ role: 'assistant', content: i === 0 && note ? note : null, tool_calls: [{ id: a.id, type: 'function', function: { name: a.name, arguments: a.arguments } }] });
          messages.push({ role: 'tool', content: a.observation, tool_call_id: a.id, name: a.name });
          stepRecords.push({ step: stepRecords.length + 1, duration_ms: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, tool_calls: [a.name], exit_codes: [a.exitCode ?? null] });
        });
        break;
      case 'demo_reveal':
        info.reveals.push({ what: e.what, at: e.at ?? e.time, active_ms: e.activeMs, ...(e.beforeStart ? { before_start: true } : {}) });
        break;
      case 'demo_test_run':
        info.test_runs.push({ at: e.time, active_ms: e.activeMs, status: e.status, resolved: e.resolved });
        break;
      case 'demo_resumed_after_crash':
        resumed++;
        break;
      case 'demo_patch':
        patch = e.patch;
        break;
      case 'demo_reward':
        reward = e.reward;
        break;
      default:
        break;
    }
  }
  const finishId = `call_${header.demoId.slice(5)}_finish`;
  messages.push({ role: 'assistant', content: null, tool_calls: [{ id: finishId, type: 'function', function: { name: 'finish', arguments: '{}' } }] });
  stepRecords.push({ step: stepRecords.length + 1, duration_ms: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, tool_calls: ['finish'], exit_codes: [null] });
  info.active_ms = activeMs;
  info.recorded_steps = recorded;
  info.recorded_step_calls = callsPerStep;
  info.resumed_after_crash = resumed;
  const last = events[events.length - 1];
  return {
    format: TRAJECTORY_FORMAT,
    rollout_id: header.demoId,
    run_id: header.runId,
    instance_id: header.instanceId,
    index: header.index,
    model: HUMAN_MODEL,
    template: header.template,
    config: header.config,
    started_at: header.time,
    finished_at: last?.time ?? header.time,
    exit_reason: 'finished',
    exit_message: 'The person finished the demonstration.',
    steps: stepRecords.length,
    usage: { prompt_tokens: 0, completion_tokens: 0, estimated: false },
    cost_usd: 0,
    duration_ms: activeMs,
    messages,
    tools: header.tools,
    step_records: stepRecords,
    patch,
    reward,
    ...(header.environment ? { environment: header.environment } : {}),
    events_file: o.eventsFile,
    demonstration: info,
  };
}
