// The agent's optional python_* tools: a model (a real HTTP server speaking the OpenAI protocol,
// test/support/fakeOpenAIServer.ts says why it is the one stand-in) calls them in a real rollout
// on the moneta sample, and real pyright in the rollout's container answers. pytest exists only
// in the image, never on the host side of the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRollout } from '../../../src/core/agent/agentRollout';
import type { ChatMessage } from '../../../src/core/agent/chatTypes';
import { OpenAIChatProvider } from '../../../src/core/agent/model/openaiProvider';
import { DEFAULT_TEMPLATE, withPythonTools } from '../../../src/core/agent/templates/defaultTemplate';
import { templateFromSweGymRow } from '../../../src/core/agent/templates/sweGymPreset';
import { byTurn, startFakeOpenAIServer, type FakeReply } from '../../support/fakeOpenAIServer';
import { runtime, TEST_SESSION } from '../../support/docker';
import { LS_CACHE, testArtifacts } from '../../support/languageServer';
import { sample, sampleSpec } from '../../support/samples';

const TEMPLATE = withPythonTools(DEFAULT_TEMPLATE);

const call = (name: string, args: Record<string, unknown>): FakeReply => ({ toolCalls: [{ name, arguments: args }] });

function observations(messages: ChatMessage[]): string[] {
  return messages.filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

test('our template offers the python tools before finish; the SWE-Gym preset keeps the released tools', () => {
  assert.deepEqual(TEMPLATE.tools.map((t) => t.function.name), ['execute_bash', 'str_replace_editor', 'python_definition', 'python_references', 'python_diagnostics', 'finish']);
  assert.equal(TEMPLATE.name, 'default+python');
  assert.deepEqual(DEFAULT_TEMPLATE.tools.map((t) => t.function.name), ['execute_bash', 'str_replace_editor', 'finish']);
  const row = { instance_id: 'x', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], tools: DEFAULT_TEMPLATE.tools };
  assert.ok(!templateFromSweGymRow(row).tools.some((t) => t.function.name.startsWith('python_')));
});

test('a model calls python_definition, python_references and python_diagnostics in a rollout and gets pyright answers from the container', async () => {
  const artifacts = await testArtifacts();
  const moneta = await sample((i) => i.instance_id === 'swe-gym-studio__moneta-34', 'moneta');
  const session = `${TEST_SESSION}-pytools`;
  const script: FakeReply[] = [
    // 0: a package only the image has.
    call('python_definition', { path: '/testbed/tests/test_money.py', line: 18, symbol: 'pytest.raises' }),
    // 1: across three files of the repository.
    call('python_references', { path: '/testbed/moneta/errors.py', line: 8, symbol: 'CurrencyMismatchError' }),
    // 2: a file never opened, then moved down a line by bash: the server must see the edit.
    call('python_definition', { path: '/testbed/moneta/money.py', line: 7, symbol: 'get_currency' }),
    call('execute_bash', { command: "sed -i '1i # a line on top' /testbed/moneta/currency.py" }),
    call('python_definition', { path: '/testbed/moneta/money.py', line: 7, symbol: 'get_currency' }),
    // 5: a type error written with bash, found, fixed with the editor, gone.
    call('execute_bash', { command: `printf 'from moneta.money import Money\\n\\ncents: int = Money.from_minor(1, "USD").minor_unitz\\n' > /testbed/moneta/probe.py` }),
    call('python_diagnostics', { path: '/testbed/moneta/probe.py' }),
    call('str_replace_editor', { command: 'str_replace', path: '/testbed/moneta/probe.py', old_str: 'minor_unitz', new_str: 'minor_units' }),
    call('python_diagnostics', { path: '/testbed/moneta/probe.py' }),
    // 9: mistakes come back as errors the model can correct.
    call('python_definition', { path: '/testbed/moneta/money.py', line: 7, symbol: 'no_such_name' }),
    call('python_references', { path: 'moneta/money.py', line: 7, symbol: 'get_currency' }),
    { toolCalls: [{ name: 'finish', arguments: {} }] },
  ];
  const server = await startFakeOpenAIServer(byTurn(script));
  try {
    const rollout = new AgentRollout({
      runtime,
      spec: await sampleSpec(moneta),
      sessionId: session,
      reward: false,
      template: TEMPLATE,
      languageServer: { artifacts },
      model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: 'sk-test', retry: { baseDelayMs: 20, maxDelayMs: 50 } }),
    });
    const result = await rollout.run();
    assert.equal(result.exitReason, 'finished', result.message);
    const obs = observations(result.messages);
    assert.equal(obs.length, script.length - 1, obs.join('\n---\n'));
    const [def, refs, before, , after, , typeError, , fixed, noSymbol, relative] = obs;

    assert.match(def ?? '', /^OBSERVATION:\n`pytest\.raises` \(\/testbed\/tests\/test_money\.py:18\) is defined at:\n/);
    assert.match(def ?? '', /^\/usr\/lib\/python3\/dist-packages\/_pytest\/python_api\.py:\d+:5: def raises\(/m);

    assert.match(refs ?? '', /^OBSERVATION:\n\d+ references to `CurrencyMismatchError` \(\/testbed\/moneta\/errors\.py:8\), the definition included:\n/);
    for (const where of ['/testbed/moneta/errors.py:8:7: class CurrencyMismatchError', '/testbed/moneta/money.py:48:19: raise CurrencyMismatchError', '/testbed/tests/test_money.py:5:20: from moneta import CurrencyMismatchError']) {
      assert.ok(refs?.includes(where), `${where}\n${refs}`);
    }

    const line = Number(/\/testbed\/moneta\/currency\.py:(\d+):5: def get_currency\(/.exec(before ?? '')?.[1]);
    assert.ok(line > 0, before);
    assert.match(after ?? '', new RegExp(`/testbed/moneta/currency\\.py:${line + 1}:5: def get_currency\\(`), 'the edit made with bash is seen');

    assert.match(typeError ?? '', /^OBSERVATION:\n\/testbed\/moneta\/probe\.py: 1 error, 0 others \(pyright, basic type checking\):\n\/testbed\/moneta\/probe\.py:3:\d+: error: Cannot access attribute "minor_unitz" for class "Money"/);
    assert.equal(fixed, 'OBSERVATION:\nNo errors or warnings in /testbed/moneta/probe.py.');

    assert.match(noSymbol ?? '', /^OBSERVATION:\nERROR:\n`no_such_name` does not occur on line 7 of \/testbed\/moneta\/money\.py\. That line is: from \.currency import get_currency$/);
    assert.match(relative ?? '', /^OBSERVATION:\nERROR:\nThe path moneta\/money\.py is not an absolute path/);

    // The tools were offered to the model, and nothing is left behind.
    const offered = (server.requests[0]?.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    assert.ok(offered.includes('python_references'), offered.join(', '));
    assert.deepEqual(await runtime.listOurContainers({ sessionId: session }), []);
  } finally {
    await server.close();
  }
});

test('a template with the python tools and no language server fails before any container is made', async () => {
  const moneta = await sample((i) => i.instance_id === 'swe-gym-studio__moneta-34', 'moneta');
  const session = `${TEST_SESSION}-pytools-none`;
  const server = await startFakeOpenAIServer([{ toolCalls: [{ name: 'finish', arguments: {} }] }]);
  try {
    const result = await new AgentRollout({
      runtime,
      spec: await sampleSpec(moneta),
      sessionId: session,
      reward: false,
      template: TEMPLATE,
      model: new OpenAIChatProvider({ model: 'scripted', baseURL: server.baseURL, apiKey: 'sk-test' }),
    }).run();
    assert.notEqual(result.exitReason, 'finished');
    assert.match(result.message ?? '', /python_definition, python_references, python_diagnostics, but no language server was given/);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: session }), []);
  } finally {
    await server.close();
  }
});

test('`swe-gym rollout --python-tools` refuses a SWE-Gym row template (its tools stay the released ones)', async () => {
  const cli = path.resolve(__dirname, '../../../src/cli/index.js');
  const row = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');
  const args = ['rollout', '--dataset', 'samples', '--instances', 'swe-gym-studio__textkit-12', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1', '--template', row, '--python-tools'];
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => execFile(process.execPath, [cli, ...args], (err, _out, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr })));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--python-tools adds tools to our own template; a SWE-Gym row template keeps the released tools/);
});

test('`swe-gym rollout --python-tools`: the engine is asked its architecture, and pyright in the rollout container answers', async () => {
  const server = await startFakeOpenAIServer(byTurn([call('python_definition', { path: '/testbed/tests/test_money.py', line: 18, symbol: 'pytest.raises' }), { toolCalls: [{ name: 'finish', arguments: {} }] }]));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pytools-cli-'));
  try {
    const cli = path.resolve(__dirname, '../../../src/cli/index.js');
    const args = ['rollout', '--dataset', 'samples', '--instances', 'swe-gym-studio__moneta-34', '--model', 'scripted', '--base-url', server.baseURL, '--python-tools', '--no-reward', '--out', out, '--json'];
    const env = { ...process.env, SWE_GYM_LS_CACHE: LS_CACHE, OPENAI_API_KEY: 'sk-test' };
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => execFile(process.execPath, [cli, ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })));
    assert.equal(r.code, 0, r.stderr);
    const [rollout] = (JSON.parse(r.stdout) as { rollouts: { exit_reason: string; trajectory: string }[] }).rollouts;
    assert.equal(rollout?.exit_reason, 'finished', r.stderr);
    const trajectory = JSON.parse(fs.readFileSync(rollout.trajectory, 'utf8')) as { template: string; messages: ChatMessage[] };
    assert.equal(trajectory.template, 'default+python');
    assert.match(observations(trajectory.messages)[0] ?? '', /^\/usr\/lib\/python3\/dist-packages\/_pytest\/python_api\.py:\d+:5: def raises\(/m);
  } finally {
    await server.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
