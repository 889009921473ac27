// Tool call ids are not unique across a run: scaffolds number their calls per turn (every turn's call
// is `call_0`), and a model taking over a replay names its calls as the recording did. A replay
// pairs recorded and replayed observations by step, and compares only the steps it played back.
// Real container of the textkit sample; the model taking over is the scripted OpenAI-protocol
// server on 127.0.0.1 (no LLM can run here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { OpenAIChatProvider } from '../../../src/core/agent/model/openaiProvider';
import { replayTrajectory } from '../../../src/core/replay/replayTrajectory';
import { importRuns } from '../../../src/core/trajectory/import/importRuns';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { runtime, TEST_SESSION } from '../../support/docker';
import { byTurn, startFakeOpenAIServer } from '../../support/fakeOpenAIServer';
import { samples } from '../../support/samples';

const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');

/** Every call named `call_0`, as a scaffold numbering its calls per turn records them. */
function everyCallZero(t: ClosedTrajectory): ClosedTrajectory {
  return {
    ...t,
    messages: t.messages.map((m) => (m.role === 'assistant' ? { ...m, tool_calls: m.tool_calls?.map((c) => ({ ...c, id: 'call_0' })) } : m.role === 'tool' ? { ...m, tool_call_id: 'call_0' } : m)),
  };
}

test('a recording whose calls all share one id, taken over after step 3 by a model reusing that id: steps 1..3 paired by step (noise), the model\'s own steps not compared', async () => {
  const ds = await samples();
  const summary = await importRuns(FIXTURE, ds);
  assert.deepEqual(summary.failures, []);
  const recorded = everyCallZero(summary.imported[0]!.trajectory);
  // The model after step 3 runs commands of its own under the recording's id.
  const server = await startFakeOpenAIServer(
    byTurn([
      {},
      {},
      {},
      { toolCalls: [{ id: 'call_0', name: 'execute_bash', arguments: { command: 'echo taken-over-4' } }] },
      { toolCalls: [{ id: 'call_0', name: 'execute_bash', arguments: { command: 'echo taken-over-5' } }] },
      { toolCalls: [{ id: 'call_0', name: 'finish', arguments: {} }] },
    ]),
  );
  const mismatchSteps: number[] = [];
  try {
    const r = await replayTrajectory(runtime, ds, recorded, {
      allowPull: false,
      sessionId: TEST_SESSION,
      reward: false,
      untilStep: 3,
      then: new OpenAIChatProvider({ model: 'fake-taker', baseURL: server.baseURL }),
      onRollout: (rollout) =>
        rollout.events.subscribe((e) => {
          if (e.type === 'replay_mismatch') mismatchSteps.push(e.step);
        }),
    });
    assert.equal(r.result.exitReason, 'finished', r.result.message);
    assert.equal(r.result.steps, 6);
    assert.equal(server.requests.length, 3, 'the model was asked only after the 3 replayed steps');
    assert.deepEqual(
      r.steps.map((s) => [s.step, s.verdict, s.tool]),
      [
        [1, 'noise', 'execute_bash'],
        [2, 'noise', 'str_replace_editor'],
        [3, 'noise', 'str_replace_editor'],
      ],
      r.steps.map((s) => `step ${s.step}: ${s.diff ?? s.verdict}`).join('\n'),
    );
    assert.match(r.steps[0]?.replayed ?? '', /^OBSERVATION:\ncd \/testbed && ls/, 'step 1 is paired with its own replayed observation');
    assert.equal(r.firstDivergence, null);
    assert.ok(
      mismatchSteps.every((s) => s <= 3),
      `the model's own steps are not held against the recording (mismatches flagged at steps ${mismatchSteps.join(', ')})`,
    );
  } finally {
    await server.close();
  }
});
