// Whole rollouts on the bundled samples: real containers, the real `openai` client, and a real
// HTTP server standing in for the model (test/support/fakeOpenAIServer.ts explains why).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRollout, type RolloutOptions } from '../../../src/core/agent/agentRollout';
import type { StampedEvent } from '../../../src/core/agent/events';
import { OpenAIChatProvider, type OpenAIChatConfig } from '../../../src/core/agent/model/openaiProvider';
import { forkRollout } from '../../../src/core/agent/replay';
import { DEFAULT_TEMPLATE } from '../../../src/core/agent/templates/defaultTemplate';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { exportRun, type SweGymRow } from '../../../src/core/trajectory/exportRows';
import { loadClosedTrajectory, readTrajectoryEvents } from '../../../src/core/trajectory/readTrajectory';
import { loadPredictions } from '../../../src/core/predictions/loadPredictions';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeReply, type FakeScript, type FakeServer } from '../../support/fakeOpenAIServer';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

const API_KEY = 'sk-test-never-written-7f3a9c';

async function textkit(): Promise<TaskInstance> {
  const found = (await samples()).instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(found, 'textkit sample');
  return found;
}

async function withServer<T>(script: FakeScript | FakeReply[], fn: (s: FakeServer) => Promise<T>, options: { apiKey?: string } = { apiKey: API_KEY }): Promise<T> {
  const server = await startFakeOpenAIServer(script, options);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function rolloutOn(server: FakeServer, extra: Partial<RolloutOptions> & { endpoint?: Partial<OpenAIChatConfig> } = {}): Promise<AgentRollout> {
  const { endpoint, ...rest } = extra;
  return new AgentRollout({
    runtime,
    spec: await sampleSpec(await textkit()),
    sessionId: TEST_SESSION,
    reward: false,
    model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: API_KEY, retry: { baseDelayMs: 20, maxDelayMs: 50 }, ...endpoint }),
    ...rest,
  });
}

function collect(r: AgentRollout): StampedEvent[] {
  const events: StampedEvent[] = [];
  r.events.subscribe((e) => events.push(e));
  return events;
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-agent-'));
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && (await fs.readFile(p)).includes(needle)) hits.push(p);
  }
  return hits;
}

test('a scripted solve is resolved; its SWE-Gym row, SFT line and prediction are valid; the API key is in no file', async () => {
  const inst = await textkit();
  const ds = await samples();
  const out = await tempDir();
  try {
    await withServer(byTurn(solveScript(inst.patch)), async (server) => {
      const r = await rolloutOn(server, { reward: {}, trajectoryDir: out, runId: 'scripted_maxiter_50' });
      const events = collect(r);
      const result = await r.run();
      assert.equal(result.exitReason, 'finished', result.message);
      assert.equal(result.resolved, true, result.reward?.test_output.slice(-1500));
      assert.equal(result.reward?.status, 'resolved');
      assert.equal(result.patch, inst.patch, 'the patch is taken as SWE-Gym took it');
      const request = events.find((e) => e.type === 'model_request');
      assert.ok(request?.type === 'model_request');
      assert.equal(request.request.headers.authorization, '[redacted]');
      assert.equal((request.request.body as { stream?: boolean }).stream, true);
      assert.equal(server.requests[0]?.headers.authorization, `Bearer ${API_KEY}`, 'the key did reach the endpoint');
      assert.ok(events.some((e) => e.type === 'model_delta'), 'streamed deltas reach subscribers');
      assert.ok(result.trajectoryPath);
      const closed = await loadClosedTrajectory(result.trajectoryPath);
      assert.equal(closed.steps, solveScript(inst.patch).length);
      assert.equal(closed.step_records.length, closed.steps);
      const log = await readTrajectoryEvents(path.join(out, closed.events_file));
      assert.equal(log.truncated, false);
      assert.equal(log.events.filter((e) => e.type === 'step_finished').length, closed.steps);
      assert.equal(log.events.at(-1)?.type, 'finished');
    });

    const row = JSON.parse((await fs.readFile((await exportRun(out, 'swe-gym')).file, 'utf8')).trim()) as SweGymRow;
    assert.deepEqual(Object.keys(row), ['instance_id', 'run_id', 'resolved', 'messages', 'tools', 'test_result']);
    assert.equal(row.instance_id, 'swe-gym-studio__textkit-12_0');
    assert.equal(row.run_id, 'scripted_maxiter_50');
    assert.equal(row.resolved, true);
    assert.deepEqual(row.test_result.report, { empty_generation: false, resolved: true, failed_apply_patch: false, error_eval: false, test_timeout: false });
    assert.equal(row.test_result.git_patch, inst.patch);
    assert.match(row.test_result.apply_patch_output, /Applied patch textkit\/align\.py cleanly\.[\s\S]*APPLY_PATCH_PASS$/);
    assert.match(row.test_result.test_output, /PASSED/);
    assert.deepEqual(row.messages.slice(0, 2).map((m) => m.role), ['system', 'user']);
    for (const [i, m] of row.messages.entries()) {
      if (m.role === 'tool') {
        assert.ok(m.content.startsWith('OBSERVATION:\n'), `message ${i}`);
        const prev = row.messages[i - 1];
        assert.ok(prev?.role === 'assistant' && prev.tool_calls?.some((c) => c.id === m.tool_call_id), 'each tool reply follows its call');
      }
      if (m.role === 'assistant') assert.ok((m.tool_calls?.length ?? 0) <= 1 && typeof m.content === 'string');
    }
    assert.equal(row.messages.at(-1)?.role, 'assistant', 'the row ends with the finish call');
    assert.deepEqual(row.tools.map((t) => t.function.name), ['execute_bash', 'str_replace_editor', 'finish']);

    const sft = (await fs.readFile((await exportRun(out, 'sft')).file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    assert.equal(sft.length, 1);
    assert.deepEqual(Object.keys(sft[0] ?? {}), ['messages']);
    const msgs = sft[0]?.messages ?? [];
    assert.ok(msgs.every((m) => ['system', 'user', 'assistant'].includes(m.role) && typeof m.content === 'string'));
    assert.match(msgs[0]?.content ?? '', /BEGIN FUNCTION #1: execute_bash/);
    assert.ok(msgs.some((m) => m.role === 'assistant' && m.content.includes('<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n<parameter=path>/testbed/textkit/align.py</parameter>')));
    assert.ok(msgs.some((m) => m.role === 'user' && m.content.startsWith('EXECUTION RESULT of [execute_bash]:\nOBSERVATION:\n')));
    assert.match(msgs.at(-1)?.content ?? '', /<function=finish>\n<\/function>$/);

    const predictions = await loadPredictions((await exportRun(out, 'predictions')).file, ds);
    assert.deepEqual(predictions, [{ instance_id: inst.instance_id, model_name_or_path: 'scripted', model_patch: inst.patch }]);

    assert.deepEqual(await filesContaining(out, API_KEY), [], 'the API key is written nowhere');
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('text tool-call mode without streaming: tools go in the system prompt, calls are parsed from text, the fix lands', async () => {
  const inst = await textkit();
  const replies = solveScript(inst.patch);
  const asText: FakeScript = (req) => {
    const reply = replies[(req.body.messages ?? []).filter((m) => m.role === 'assistant').length] ?? {};
    if (!('toolCalls' in reply) || !reply.toolCalls) return reply;
    const call = reply.toolCalls[0];
    const args = typeof call?.arguments === 'string' ? {} : (call?.arguments ?? {});
    return { content: `${reply.content ? `${reply.content}\n\n` : ''}<function=${call?.name}>\n${Object.entries(args).map(([k, v]) => `<parameter=${k}>${String(v)}</parameter>\n`).join('')}</function>` };
  };
  await withServer(asText, async (server) => {
    const r = await rolloutOn(server, { endpoint: { stream: false, toolMode: 'text', temperature: 0.2, topP: 0.9, maxTokens: 512, extraHeaders: { 'X-Trace': 'run-7', 'X-Api-Key': 'gateway-secret' }, extraBody: { top_k: 20 } } });
    const events = collect(r);
    const result = await r.run();
    assert.equal(result.exitReason, 'finished', result.message);
    assert.equal(result.patch, inst.patch);
    const body = server.requests[1]?.body;
    assert.deepEqual([body?.temperature, body?.top_p, body?.max_tokens, body?.top_k, body?.stream], [0.2, 0.9, 512, 20, false]);
    assert.equal(server.requests[1]?.headers['x-trace'], 'run-7');
    assert.equal(server.requests[1]?.headers['x-api-key'], 'gateway-secret');
    const recorded = events.find((e) => e.type === 'model_request');
    assert.ok(recorded?.type === 'model_request');
    assert.equal(recorded.request.headers['x-trace'], 'run-7');
    assert.equal(recorded.request.headers['x-api-key'], '[redacted]', 'credential-like headers are redacted when recorded');
    assert.equal(body?.tools, undefined, 'no native tools in text mode');
    assert.deepEqual(body?.stop, ['</function']);
    assert.match(String(body?.messages?.[0]?.content), /You have access to the following functions/);
    assert.match(String(body?.messages?.[3]?.content), /^EXECUTION RESULT of \[execute_bash\]:\nOBSERVATION:\ncd \/testbed && ls/);
    assert.ok(result.messages.some((m) => m.role === 'assistant' && m.tool_calls?.[0]?.function.name === 'str_replace_editor'), 'kept in native form');
  });
});

test('malformed arguments, an unknown tool, 10 MB of output and a hanging command each become an observation; the rollout goes on', async () => {
  const script: FakeReply[] = [
    { toolCalls: [{ name: 'execute_bash', arguments: '{"command": "ls' }] },
    { toolCalls: [{ name: 'browse_web', arguments: { url: 'http://example.com' } }] },
    { toolCalls: [{ name: 'execute_bash', arguments: { command: "python3 -c \"import sys; sys.stdout.write('q' * 10_000_000)\"" } }] },
    { toolCalls: [{ name: 'execute_bash', arguments: { command: 'sleep 1000' } }] },
    { toolCalls: [{ name: 'str_replace_editor', arguments: { command: 'view' } }] },
    { toolCalls: [{ name: 'finish', arguments: {} }] },
  ];
  await withServer(byTurn(script), async (server) => {
    const r = await rolloutOn(server, { tools: { timeoutMs: 1500, noOutputTimeoutMs: 60_000 } });
    const events = collect(r);
    const result = await r.run();
    assert.equal(result.exitReason, 'finished', result.message);
    assert.equal(result.steps, 6);
    const obs = events.flatMap((e) => (e.type === 'observation' ? [e.content] : []));
    assert.match(obs[0] ?? '', /^OBSERVATION:\nERROR:\nThe tool call's arguments are not valid JSON \(.*\)\. Send them as one JSON object/);
    assert.equal(obs[1], 'OBSERVATION:\nERROR:\nUnknown tool `browse_web`. The available tools are: execute_bash, str_replace_editor, finish.');
    assert.ok((obs[2]?.length ?? 0) < 31_000);
    assert.match(obs[2] ?? '', /<response clipped>[\s\S]*\[Command finished with exit code 0\]$/);
    assert.match(obs[3] ?? '', /\[Command timed out after 2 seconds\. SIGINT was sent to interrupt the command\.\][\s\S]*exit code 130\]$/);
    assert.equal(obs[4], 'OBSERVATION:\nERROR:\nParameter `path` is required for command: view.');
    // Each observation reached the model in the next request.
    assert.equal((server.requests[2]?.body.messages ?? []).at(-1)?.content, obs[1]);
  });
});

test('a loop that never finishes ends at the step budget with that exit reason; a turn without a tool call gets the automatic reply', async () => {
  const loop: FakeReply[] = [{ content: 'I believe the task is done.' }, { content: 'Checking again.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'true' } }] }];
  await withServer(loop, async (server) => {
    const out = await tempDir();
    try {
      const result = await (await rolloutOn(server, { budgets: { maxSteps: 3 }, trajectoryDir: out })).run();
      assert.equal(result.exitReason, 'max_steps');
      assert.equal(result.steps, 3);
      assert.equal(server.requests.length, 3);
      assert.match(result.message ?? '', /step budget of 3/);
      const second = server.requests[1]?.body.messages ?? [];
      assert.deepEqual(second.slice(-2), [
        { role: 'assistant', content: 'I believe the task is done.' },
        { role: 'user', content: DEFAULT_TEMPLATE.autoReply },
      ]);
      assert.match(DEFAULT_TEMPLATE.autoReply, /call the finish tool[\s\S]*do not ask for human help/);
      const closed = await loadClosedTrajectory(result.trajectoryPath ?? '');
      assert.equal(closed.exit_reason, 'max_steps');
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });
});

test('token and time budgets end the rollout with their own exit reasons; stop ends it gracefully with the patch taken', async () => {
  const busy: FakeReply[] = [{ toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo change >> README.md; sleep 1000' } }] }];
  await withServer([{ content: 'x'.repeat(400), toolCalls: [{ name: 'execute_bash', arguments: { command: 'true' } }] }], async (server) => {
    const result = await (await rolloutOn(server, { budgets: { maxTotalTokens: 1500 } })).run();
    assert.equal(result.exitReason, 'max_tokens');
    assert.match(result.message ?? '', /token budget of 1500 is spent \(\d+ used\)/);
    assert.ok(result.totals.promptTokens + result.totals.completionTokens >= 1500);
  });
  await withServer(busy, async (server) => {
    // The budget is the agent's: it runs from the first step, after the container is ready (history cut).
    const r = await rolloutOn(server, { budgets: { maxWallMs: 1500 }, tools: { noOutputTimeoutMs: 60_000 } });
    let t = 0;
    r.events.subscribe((e) => e.type === 'step_started' && !t && (t = Date.now()));
    const result = await r.run();
    assert.equal(result.exitReason, 'max_time');
    assert.ok(t && Date.now() - t < 5000, `the running command was interrupted (${Date.now() - t} ms after the first step began)`);
    assert.match(result.patch ?? '', /\+change/, 'the patch is still taken');
  });
  await withServer(busy, async (server) => {
    const r = await rolloutOn(server, { tools: { noOutputTimeoutMs: 60_000 } });
    r.events.subscribe((e) => e.type === 'tool_call' && setTimeout(() => r.stop(), 300));
    const result = await r.run();
    assert.equal(result.exitReason, 'stopped');
    assert.match(result.patch ?? '', /\+change/);
  });
});

test('model errors: 429 is retried after Retry-After; 500 forever ends clearly with the trajectory kept; 401 and 404 stop at once', async () => {
  const finish: FakeReply = { toolCalls: [{ name: 'finish', arguments: {} }] };
  await withServer([{ kind: 'error', status: 429, message: 'Rate limit reached', headers: { 'retry-after': '0.3' } }, finish], async (server) => {
    const r = await rolloutOn(server);
    const events = collect(r);
    const result = await r.run();
    assert.equal(result.exitReason, 'finished');
    const retry = events.find((e) => e.type === 'model_retry');
    assert.ok(retry?.type === 'model_retry');
    assert.equal(retry.status, 429);
    assert.equal(retry.delayMs, 300);
    assert.ok((server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0) >= 290, 'waited as asked');
  });
  await withServer([{ kind: 'error', status: 500, message: 'upstream exploded' }], async (server) => {
    const out = await tempDir();
    try {
      const result = await (await rolloutOn(server, { trajectoryDir: out, endpoint: { retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 20 } } })).run();
      assert.equal(result.exitReason, 'model_error');
      assert.match(result.message ?? '', /kept failing: 500 upstream exploded \(gave up after 3 attempts\)/);
      assert.equal(server.requests.length, 3);
      const closed = await loadClosedTrajectory(result.trajectoryPath ?? '');
      assert.equal(closed.exit_reason, 'model_error');
      assert.equal(closed.messages.length, 2, 'system and task kept');
      // The model never answered: an error of the run, nothing of the agent's to take or grade.
      assert.equal(result.runError, true);
      assert.equal(closed.run_error, true);
      assert.equal(closed.patch, null, 'no patch taken');
    } finally {
      await fs.rm(out, { recursive: true, force: true });
    }
  });
  await withServer([finish], async (server) => {
    const result = await (await rolloutOn(server, { endpoint: { apiKey: 'sk-wrong' } })).run();
    assert.equal(result.exitReason, 'auth_error');
    assert.equal(server.requests.length, 1, 'no retry');
    assert.match(result.message ?? '', /refused the request \(401: Incorrect API key provided\.\)\. Check the API key \(set OPENAI_API_KEY\)/);
    assert.equal(result.runError, true);
  });
  // Nothing listens: the retries say where they knock, and the end names the URL and where it is set.
  const dead = await startFakeOpenAIServer([finish]);
  await dead.close();
  {
    const r = await rolloutOn(dead, { endpoint: { retry: { maxRetries: 1, baseDelayMs: 10, maxDelayMs: 20 } } });
    const events = collect(r);
    const result = await r.run();
    assert.equal(result.exitReason, 'model_error');
    assert.equal(result.runError, true);
    const retry = events.find((e) => e.type === 'model_retry');
    assert.ok(retry?.type === 'model_retry');
    assert.equal(retry.reason, `connection refused at ${dead.baseURL}`);
    assert.equal(result.message, `The model server is unreachable: connection refused at ${dead.baseURL} (gave up after 2 attempts). Is it running, and is the URL right? The URL is set by --base-url.`);
  }
  await withServer([finish], async (server) => {
    const result = await (await rolloutOn(server, { endpoint: { baseURL: server.baseURL.replace(/\/v1$/, '/nope') } })).run();
    assert.equal(result.exitReason, 'model_not_found');
    assert.equal(server.requests.length, 1);
    assert.match(result.message ?? '', /answered 404.*check the base URL/);
  });
});

test('a context-length error condenses old observations (recorded) and the rollout goes on', async () => {
  const big = 'A'.repeat(3000);
  const script: FakeScript = (req) => {
    const msgs = req.body.messages ?? [];
    const turns = msgs.filter((m) => m.role === 'assistant').length;
    if (turns === 0) return { toolCalls: [{ name: 'execute_bash', arguments: { command: `python3 -c "print('A' * 3000)"` } }] };
    if (msgs.some((m) => m.role === 'tool' && String(m.content).includes(big))) return { kind: 'error', status: 400, message: "This model's maximum context length is 8192 tokens.", code: 'context_length_exceeded', type: 'invalid_request_error' };
    return { toolCalls: [{ name: 'finish', arguments: {} }] };
  };
  await withServer(script, async (server) => {
    const r = await rolloutOn(server);
    const events = collect(r);
    const result = await r.run();
    assert.equal(result.exitReason, 'finished', result.message);
    const condensed = events.find((e) => e.type === 'condensed');
    assert.ok(condensed?.type === 'condensed');
    assert.deepEqual(condensed.messageIndexes, [3]);
    assert.match(String(server.requests.at(-1)?.body.messages?.[3]?.content), /^OBSERVATION:\n\[This output \(\d+ characters\) was removed/);
    assert.ok(String(result.messages[3]?.content).includes(big), 'the trajectory keeps the full observation');
  });
});

test('cancel mid-stream or mid-command stops within a second and leaves no container', async () => {
  await withServer([{ kind: 'stall', content: 'Let me think' }], async (server) => {
    const r = await rolloutOn(server);
    let cancelledAt = 0;
    r.events.subscribe((e) => {
      if (e.type === 'model_delta' && !cancelledAt) {
        cancelledAt = Date.now();
        r.cancel();
      }
    });
    const result = await r.run();
    assert.ok(cancelledAt > 0, 'the stream had started');
    assert.ok(Date.now() - cancelledAt < 1000, `stopped ${Date.now() - cancelledAt} ms after cancel`);
    assert.equal(result.exitReason, 'cancelled');
    assert.equal(result.patch, null);
    assert.ok(server.requests[0]?.clientClosed, 'the request was aborted');
  });
  await withServer([{ toolCalls: [{ name: 'execute_bash', arguments: { command: 'sleep 1000' } }] }], async (server) => {
    const abort = new AbortController();
    const r = await rolloutOn(server, { signal: abort.signal });
    let cancelledAt = 0;
    r.events.subscribe((e) => {
      if (e.type === 'tool_call') setTimeout(() => ((cancelledAt = Date.now()), abort.abort()), 300);
    });
    const result = await r.run();
    assert.ok(Date.now() - cancelledAt < 1000, `stopped ${Date.now() - cancelledAt} ms after cancel`);
    assert.equal(result.exitReason, 'cancelled');
  });
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION, purpose: 'agent' }), []);
});

test('steering: pause, edit the next action, hand edits become a human step, edit an observation, resume; then fork from step 1', async () => {
  const out = await tempDir();
  try {
    const script: FakeReply[] = [
      { toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo one' } }] },
      { toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo two' } }] },
      { toolCalls: [{ name: 'finish', arguments: {} }] },
    ];
    const source = await withServer(byTurn(script), async (server) => {
      const r = await rolloutOn(server, { startPaused: true, trajectoryDir: out });
      const events = collect(r);
      const pauses: ((e: StampedEvent) => void)[] = [];
      r.events.subscribe((e) => e.type === 'paused' && pauses.shift()?.(e), { replay: false });
      const nextPause = () => new Promise<StampedEvent>((resolve) => pauses.push(resolve));
      let pause = nextPause();
      const running = r.run();
      let p = await pause;
      assert.ok(p.type === 'paused' && p.at === 'before_model' && p.step === 0);
      pause = nextPause();
      r.resume();
      r.pause();
      p = await pause;
      assert.ok(p.type === 'paused' && p.at === 'before_action');
      assert.equal(p.pendingAction?.function.arguments, '{"command":"echo one"}');
      assert.throws(() => r.editObservation('x', 'y'), /only be edited while the rollout is paused before the next model request/);
      r.editPendingAction({ arguments: { command: 'echo edited' } });
      const started = events.find((e) => e.type === 'rollout_started');
      assert.ok(started?.type === 'rollout_started');
      await runtime.getContainer(started.container).exec(['sh', '-c', 'echo "# edited by hand" >> /testbed/textkit/width.py']);
      pause = nextPause();
      r.stepOnce();
      p = await pause;
      assert.ok(p.type === 'paused' && p.at === 'before_model' && p.step === 1);
      const last = r.conversation.at(-1);
      assert.ok(last?.role === 'tool');
      assert.match(last.content, /^OBSERVATION:\necho edited\r\nedited\[Python/);
      r.editObservation(last.tool_call_id, 'OBSERVATION:\nedited observation');
      r.addHumanStep('A note from the human: keep going.');
      r.resume();
      const result = await running;
      assert.equal(result.exitReason, 'finished');
      assert.equal(result.steps, 3);
      const sent = server.requests[1]?.body.messages ?? [];
      assert.equal(sent[3]?.content, 'OBSERVATION:\nedited observation');
      assert.match(String(sent[4]?.content), /^While you were paused, a person edited the repository by hand \(1 file: textkit\/width\.py\)\.[\s\S]*\+# edited by hand/);
      assert.equal(sent[5]?.content, 'A note from the human: keep going.');
      assert.deepEqual(
        events.filter((e) => ['paused', 'resumed', 'action_edited', 'observation_edited', 'human_step'].includes(e.type)).map((e) => e.type),
        ['paused', 'resumed', 'paused', 'action_edited', 'resumed', 'paused', 'observation_edited', 'resumed', 'human_step', 'human_step'],
      );
      assert.match(result.patch ?? '', /\+# edited by hand/);
      return loadClosedTrajectory(result.trajectoryPath ?? '');
    });

    await withServer(byTurn([{ content: 'unused' }, { toolCalls: [{ name: 'finish', arguments: {} }] }]), async (server) => {
      const fork = forkRollout(source, 1, {
        runtime,
        spec: await sampleSpec(await textkit()),
        sessionId: TEST_SESSION,
        reward: false,
        model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: API_KEY }),
      });
      const result = await fork.run();
      assert.equal(result.exitReason, 'finished');
      assert.equal(result.steps, 2);
      assert.equal(server.requests.length, 1, 'the first step was replayed, not asked for');
      const sent = server.requests[0]?.body.messages ?? [];
      assert.deepEqual(sent.slice(0, 3), JSON.parse(JSON.stringify(source.messages.slice(0, 3))));
      assert.match(String(sent[3]?.content), /^OBSERVATION:\necho edited\r\nedited\[Python/, 'the action ran afresh in a new container');
    });
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});
