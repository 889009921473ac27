// Issue 9 item 10: rollouts in the person's dev container inherit what earlier rollouts left
// there. Reproduced with two rollouts in one real dev container (launched as the extension
// launches it, the model a real HTTP server speaking the OpenAI protocol): the first solves the
// task, the second's own `git apply` fails, and it used to be rewarded Resolved and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRollout } from '../../../src/core/agent/agentRollout';
import { OpenAIChatProvider } from '../../../src/core/agent/model/openaiProvider';
import { summarise } from '../../../src/core/agent/runRollouts';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { loadClosedTrajectory } from '../../../src/core/trajectory/readTrajectory';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeReply } from '../../support/fakeOpenAIServer';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const ID = 'swe-gym-studio__textkit-12';

test('a rollout that starts in a dev container an earlier rollout left edited is labelled and kept out of the success rate and pass@k', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-devstart-'));
  const spec = await sampleSpec(inst);
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot: path.join(root, 'ws'), sessionId: TEST_SESSION });
  const failingApply: FakeReply[] = [
    { content: 'I will apply my fix.', toolCalls: [{ name: 'execute_bash', arguments: { command: "cd /testbed && printf 'not a patch\\n' > /tmp/fix.diff && git apply /tmp/fix.diff" } }] },
    { toolCalls: [{ name: 'finish', arguments: {} }] },
  ];
  let replies = solveScript(inst.patch);
  const server = await startFakeOpenAIServer((req, prev) => byTurn(replies)(req, prev));
  const rollout = (index: number) =>
    new AgentRollout({
      runtime,
      spec,
      sessionId: TEST_SESSION,
      model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: 'unused' }),
      container: dev.container,
      reward: {},
      index,
      trajectoryDir: path.join(root, 'run'),
    });
  try {
    const first = await rollout(0).run();
    assert.equal(first.resolved, true, first.reward?.test_output.slice(-1500));
    assert.deepEqual(first.environment, { container: 'dev', startedClean: true, counted: true }, 'a fresh workspace is the base commit: it counts');

    replies = failingApply;
    const second = await rollout(1).run();
    assert.equal(second.exitReason, 'finished', second.message);
    assert.ok(second.messages.some((m) => m.role === 'tool' && /error: (No valid patches|unrecognized input)/.test(String(m.content))), 'its own git apply failed');
    // The workspace still holds the first rollout's fix, so the hidden tests pass on it...
    assert.equal(second.resolved, true);
    // ...but the rollout did not start from the base commit: it is labelled and not counted.
    assert.deepEqual(second.environment, { container: 'dev', startedClean: false, changedAtStart: ['textkit/align.py'], counted: false });
    const closed = await loadClosedTrajectory(second.trajectoryPath ?? '');
    assert.deepEqual(closed.environment, second.environment, 'the trajectory says so too');

    const s = summarise(ID, [first, second]);
    assert.deepEqual({ rollouts: s.rollouts, not_counted: s.not_counted, resolved: s.resolved, success_rate: s.success_rate, pass_at_k: s.pass_at_k }, { rollouts: 2, not_counted: 1, resolved: 1, success_rate: 1, pass_at_k: { '1': 1 } });
  } finally {
    await server.close();
    await dev.container.remove();
    await fs.rm(root, { recursive: true, force: true });
  }
});
