/**
 * The trajectory view's steps of an imported run whose scaffold numbers its calls per turn (every
 * step's call is `call_0`): each step shows its own observation, and the full text the view asks
 * for (a folded one's "Show all") is looked up by step and id. Plain Node.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { importedAgentView, observationText } from '../../../src/extension/trajectoryView/importedSteps';
import { TRAJECTORY_PROTOCOL, parseMessage } from '../../../src/shared/protocol';

function reusedIds(steps: number): ClosedTrajectory {
  const messages: unknown[] = [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'task' },
  ];
  for (let n = 1; n <= steps; n++) {
    messages.push({ role: 'assistant', content: `step ${n}`, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'execute_bash', arguments: `{"command":"echo ${n}"}` } }] });
    messages.push({ role: 'tool', tool_call_id: 'call_0', name: 'execute_bash', content: `OBSERVATION:\nstep ${n} ${'y'.repeat(8000)}` });
  }
  return { rollout_id: 'imported-1', run_id: 'r', instance_id: 'i', index: 0, model: 'm', template: 't', started_at: '', usage: { prompt_tokens: 0, completion_tokens: 0 }, cost_usd: 0, messages, step_records: [], patch: null } as unknown as ClosedTrajectory;
}

it('an imported run with call_0 in every step: each step shows its own observation, and its full text is served by step and id', () => {
  const t = reusedIds(3);
  const v = importedAgentView(t, undefined);
  assert.deepEqual(
    v.steps.map((s) => s.observations.map((o) => [o.toolCallId, o.folded, o.text.slice(0, 19)])),
    [1, 2, 3].map((n) => [['call_0', true, `OBSERVATION:\nstep ${n}`]]),
  );
  for (const n of [1, 2, 3]) assert.equal(observationText(t, n, 'call_0'), `OBSERVATION:\nstep ${n} ${'y'.repeat(8000)}`);
  assert.throws(() => observationText(t, 4, 'call_0'), /No observation call_0 at step 4 in imported-1/);
  // The view must say which step it means.
  const noStep = parseMessage({ type: 'request', id: 1, method: 'getObservation', params: { rolloutId: 'imported-1', toolCallId: 'call_0' } }, TRAJECTORY_PROTOCOL);
  assert.ok(!noStep.ok && /getObservation: step must be a whole number/.test(noStep.reason));
  assert.equal(parseMessage({ type: 'request', id: 1, method: 'getObservation', params: { rolloutId: 'imported-1', step: 2, toolCallId: 'call_0' } }, TRAJECTORY_PROTOCOL).ok, true);
});

it('a demonstration: the view step is the recording step (here 2 turns then 1), and its observation is found within it', () => {
  const t = reusedIds(3);
  (t as { steps: number }).steps = 3;
  (t as unknown as { demonstration: { recorded_step_calls: number[] } }).demonstration = { recorded_step_calls: [2, 1] };
  const v = importedAgentView(t, undefined);
  assert.deepEqual(v.steps.map((s) => [s.step, s.observations.length]), [[1, 2], [2, 1]]);
  // Turn 3 is recording step 2: its call_0 is the third turn's.
  assert.equal(observationText(t, 2, 'call_0'), `OBSERVATION:\nstep 3 ${'y'.repeat(8000)}`);
  assert.equal(observationText(t, 1, 'call_0'), `OBSERVATION:\nstep 1 ${'y'.repeat(8000)}`);
});

it('an imported run with steps a person typed (mini-swe-agent human mode): those steps are marked by a person in the view', () => {
  const t = reusedIds(3);
  (t as unknown as { imported: { person_steps: number[] } }).imported = { person_steps: [2] };
  const v = importedAgentView(t, undefined);
  assert.deepEqual(v.steps.map((s) => s.byPerson ?? false), [false, true, false]);
});
