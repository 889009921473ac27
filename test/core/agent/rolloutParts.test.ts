// The parts an AgentRollout is made of, each on its own: the pause gate (no container), the event
// stream's delivery order, the agent environment in a real container (as a gym server or a
// demonstration recorder drives it, without the loop), and paused-time accounting through a whole
// rollout whose model is a real HTTP server speaking the OpenAI protocol (test/support/fakeOpenAIServer.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentRollout } from '../../../src/core/agent/agentRollout';
import { RolloutEventStream, type StampedEvent } from '../../../src/core/agent/events';
import { OpenAIChatProvider } from '../../../src/core/agent/model/openaiProvider';
import { AgentEnvironment } from '../../../src/core/agent/rollout/agentEnvironment';
import { EndRollout } from '../../../src/core/agent/rollout/endRollout';
import { PauseGate } from '../../../src/core/agent/rollout/pauseGate';
import { DEFAULT_TOOLS } from '../../../src/core/agent/tools/toolSchemas';
import { isAbortError } from '../../../src/core/util/abortError';
import { byTurn, startFakeOpenAIServer } from '../../support/fakeOpenAIServer';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const call = (id: string, command: string) => ({ id, type: 'function' as const, function: { name: 'execute_bash', arguments: JSON.stringify({ command }) } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('pause gate: paused time is counted, step mode pauses only before the model, edits only before an action, the first interruption names the exit', async () => {
  const gate = new PauseGate(true);
  assert.equal(gate.takePause('before_model'), true, 'startPaused pauses at the first point');
  let heard = 0;
  const waited = gate.wait('before_model', () => heard++);
  assert.equal(gate.pausedAt, 'before_model');
  assert.equal(heard, 1);
  assert.throws(() => gate.editPendingAction({ arguments: 'x' }), /only be edited while the rollout is paused before it runs/);
  await sleep(300);
  gate.stepOnce();
  assert.equal(await waited, 'step');
  assert.equal(gate.pausedAt, undefined);
  const afterFirst = gate.pausedMs;
  assert.ok(afterFirst >= 290 && afterFirst < 2000, `paused ${afterFirst} ms`);
  assert.equal(gate.takePause('before_action'), false, 'a step runs its actions');
  assert.equal(gate.takePause('before_model'), true, 'and stops before the next request');

  gate.pendingAction = call('c1', 'ls');
  const second = gate.wait('before_action', () => undefined);
  const { before, after } = gate.editPendingAction({ arguments: { command: 'pwd' } });
  assert.equal(before.function.arguments, JSON.stringify({ command: 'ls' }));
  assert.equal(gate.pendingAction?.function.arguments, JSON.stringify({ command: 'pwd' }));
  assert.equal(after.id, 'c1');
  gate.resume();
  assert.equal(await second, 'run');
  assert.ok(gate.pausedMs >= afterFirst, 'pauses add up');

  // An interruption releases a waiting gate and throws its reason; the first one wins; cancel also fires cancelSignal.
  gate.pause();
  assert.equal(gate.takePause('before_action'), true);
  const third = gate.wait('before_action', () => undefined);
  const call1 = gate.callSignal();
  gate.interrupt(new EndRollout('max_time', 'The time budget is spent.'));
  await assert.rejects(third, (e: unknown) => e instanceof EndRollout && e.reason === 'max_time');
  assert.equal(call1.signal.aborted, true, 'the request in flight is aborted');
  call1.done();
  assert.equal(gate.cancelSignal.aborted, false, 'a budget does not cancel the patch or the reward');
  gate.cancel();
  assert.equal(gate.cancelled, true);
  assert.equal(gate.cancelSignal.aborted, true);
  assert.equal(gate.interruptedBy?.reason, 'max_time');
  assert.throws(() => gate.takePause('before_model'), (e: unknown) => e instanceof EndRollout && e.reason === 'max_time');

  const closed = new PauseGate();
  closed.close();
  closed.pause();
  closed.stop();
  assert.equal(closed.takePause('before_model'), false, 'an ended rollout takes no pause');
  assert.equal(closed.interruptedBy, undefined, 'nor an interruption');
});

test('event stream: an event a subscriber emits in reaction reaches every listener after the one it reacts to', () => {
  const stream = new RolloutEventStream();
  const seen: [string, number][] = [];
  stream.subscribe((e) => seen.push(['first', e.seq]));
  stream.subscribe((e) => {
    if (e.type === 'observation') stream.emit({ type: 'replay_mismatch', step: e.step, toolCallId: e.toolCallId, recorded: 'a', actual: e.content, firstDifferentLine: 1 });
  });
  stream.subscribe((e) => seen.push(['last', e.seq]));
  stream.emit({ type: 'observation', step: 1, toolCallId: 'c', name: 'execute_bash', content: 'b', error: false, durationMs: 1, commandMs: 1 });
  assert.deepEqual(seen, [
    ['first', 1],
    ['last', 1],
    ['first', 2],
    ['last', 2],
  ]);
  const late: StampedEvent[] = [];
  stream.subscribe((e) => late.push(e));
  assert.deepEqual(
    late.map((e) => e.type),
    ['observation', 'replay_mismatch'],
  );
});

test('agent environment without the loop: tools run in a fresh container cut at the base commit; diff, hand edits and patch are read; close removes it', async () => {
  const ds = await samples();
  const instance = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(instance);
  const env = new AgentEnvironment({ runtime, spec: await sampleSpec(instance), sessionId: TEST_SESSION, toolSchemas: DEFAULT_TOOLS });
  try {
    await env.start();
    assert.deepEqual(env.placement, { container: 'fresh', startedClean: true, counted: true });
    const head = await env.runTool(call('c1', 'git rev-parse HEAD && git log --all --format=%H | head -1'));
    assert.equal(head.content.split(instance.base_commit).length, 3, 'HEAD and the newest commit of all refs are the base commit');
    const ran = await env.runTool(call('c2', "echo '# by the agent' >> textkit/width.py && echo done"));
    assert.equal(ran.exitCode, 0);
    assert.match(await env.workspaceDiff(), /\+# by the agent/);

    const watch = await env.watchEdits();
    assert.ok(watch && env.control);
    assert.equal(await watch.collect(), undefined, 'nothing changed yet');
    await env.control.run("cd /testbed && echo '# by hand' >> textkit/align.py");
    const edit = await watch.collect();
    assert.deepEqual(edit?.files, ['textkit/align.py']);
    assert.match(edit?.diff ?? '', /\+# by hand/);
    assert.doesNotMatch(edit?.diff ?? '', /by the agent/, 'only what changed while watched');

    const patch = await env.extractPatch();
    assert.match(patch, /\+# by the agent/);
    assert.match(patch, /\+# by hand/);
    const stopped = new AbortController();
    const pending = env.runTool(call('c3', 'sleep 30'), stopped.signal);
    setTimeout(() => stopped.abort(), 300);
    const t = Date.now();
    await pending.then(
      (o) => assert.ok(Date.now() - t < 10_000, `interrupted: ${o.content.slice(-200)}`),
      (e: unknown) => assert.ok(isAbortError(e), String(e)),
    );
  } finally {
    await env.close();
  }
  const name = env.container?.name;
  assert.ok(name);
  const left = await runtime.listOurContainers({ sessionId: TEST_SESSION });
  assert.equal(left.filter((c) => c.name === name).length, 0, 'the container it made is removed');
});

test('a rollout paused for a while: its duration, its step and its time budget leave the pause out', async () => {
  const ds = await samples();
  const instance = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(instance);
  const server = await startFakeOpenAIServer(
    byTurn([
      { content: 'Look.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'ls' } }] },
      { toolCalls: [{ name: 'finish', arguments: {} }] },
    ]),
  );
  try {
    const r = new AgentRollout({
      runtime,
      spec: await sampleSpec(instance),
      sessionId: TEST_SESSION,
      reward: false,
      model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: 'unused' }),
      // Spent if the pause counted.
      budgets: { maxWallMs: 2500 },
    });
    const events: StampedEvent[] = [];
    let paused = 0;
    r.events.subscribe((e) => {
      events.push(e);
      if (e.type === 'model_response' && e.step === 1) r.pause();
      if (e.type === 'paused') {
        paused = Date.now();
        assert.equal(r.status.state, 'paused');
        setTimeout(() => r.resume(), 3000);
      }
    });
    const t = Date.now();
    const result = await r.run();
    const wall = Date.now() - t;
    assert.equal(result.exitReason, 'finished', result.message);
    assert.ok(paused > 0, 'it paused');
    assert.ok(wall - result.durationMs >= 2900, `wall ${wall} ms, duration ${result.durationMs} ms`);
    const step1 = events.find((e) => e.type === 'step_finished' && e.step === 1);
    assert.ok(step1?.type === 'step_finished' && step1.durationMs < 2500, 'the paused step excludes the pause');
    const p = events.find((e) => e.type === 'paused');
    assert.ok(p?.type === 'paused' && p.at === 'before_action' && p.step === 1);
    assert.equal(r.status.state, 'ended');
  } finally {
    await server.close();
  }
});
