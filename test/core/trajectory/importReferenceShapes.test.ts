// The readers take files shaped as the scaffolds write them, not only our own fixtures: the
// reference's examples byte for byte (test/fixtures/trajectories/reference-examples), and the
// variants the reference describes that real files have: mini-swe-agent's per-call cost and
// usage, v1 files older than `trajectory_format`, the text-based 1.1 configs; OpenHands' per-event
// llm_metrics and the legacy [action, observation] history pairs; SWE-smith's text form (SWE-agent
// observations as user turns) and its messages stored as a JSON string. No containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRun } from '../../../src/core/trajectory/import/detectFormat';
import type { ImportedRun } from '../../../src/core/trajectory/import/importedRun';
import { readOurTrajectory } from '../../../src/core/trajectory/import/readOurTrajectory';
import { toClosedTrajectory } from '../../../src/core/trajectory/import/toTrajectory';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';

const DIR = path.join(__dirname, '../../../../test/fixtures/trajectories/reference-examples');

function example(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>;
}

function calls(run: ImportedRun): [string, unknown, string | null][] {
  return run.steps.flatMap((s) => s.actions.map((a): [string, unknown, string | null] => [a.tool, a.tool === 'execute_bash' ? a.args.command : a.args.command ?? null, a.observation]));
}

test('SWE-agent .traj (reference 1.6): steps from trajectory with history tool calls, the state diff, totals, submit as finish', () => {
  const run = readRun(example('swe-agent.traj'), 'demo__repo-1.traj', 0);
  assert.equal(run.format, 'swe-agent');
  assert.equal(run.instanceId, 'demo__repo-1');
  assert.deepEqual(calls(run), [
    ['execute_bash', 'cat -n src/util.py', '1\tdef last(xs):\n2\t    return xs[len(xs)]'],
    ['finish', null, 'diff --git a/src/util.py b/src/util.py ...'],
  ]);
  assert.equal(run.steps[1]?.diffAfter, 'diff --git a/src/util.py ...');
  assert.deepEqual(run.totals, { promptTokens: 9100, completionTokens: 300, costUsd: 0.04 });
  assert.equal(run.exitStatus, 'submitted');
  assert.equal(run.repoDir, '/testbed');
});

test('mini-swe-agent 1.1 tool calling (reference 2.4): each call\'s cost and time where the message records them; role exit ends it', () => {
  const run = readRun(example('mini-swe-agent-1.1.traj.json'), 'demo__repo-1.traj.json', 0);
  assert.equal(run.format, 'mini-swe-agent');
  assert.deepEqual(calls(run), [['execute_bash', 'sed -n 1,5p src/util.py', '<returncode>0</returncode>\n<output>\ndef last(xs): ...\n</output>']]);
  assert.equal(run.steps[0]?.actions[0]?.exitCode, 0);
  assert.equal(run.steps[0]?.costUsd, 0.006, 'extra.cost of the assistant message is the step\'s cost');
  assert.equal(run.steps[0]?.timestamp, new Date(1760000000.1 * 1000).toISOString());
  assert.equal(run.exitStatus, 'Submitted');
  assert.equal(run.totals.costUsd, 0.02);

  // The raw response's usage gives the step's tokens.
  const withUsage = example('mini-swe-agent-1.1.traj.json');
  const assistant = (withUsage.messages as { role: string; extra?: Record<string, unknown> }[]).find((m) => m.role === 'assistant');
  assert.ok(assistant?.extra);
  assistant.extra.response = { id: 'r1', usage: { prompt_tokens: 1234, completion_tokens: 56, total_tokens: 1290 } };
  const step = readRun(withUsage, 'x.traj.json', 0).steps[0];
  assert.deepEqual([step?.promptTokens, step?.completionTokens], [1234, 56]);
});

test('mini-swe-agent text forms: 1.1 mswea_bash_command blocks, and a v1 file written before trajectory_format existed', () => {
  const text = {
    trajectory_format: 'mini-swe-agent-1.1',
    instance_id: 'demo__repo-1',
    info: { exit_status: 'Submitted', submission: 'diff --git a/src/util.py b/src/util.py\n' },
    messages: [
      { role: 'system', content: 'You are a helpful assistant' },
      { role: 'user', content: 'Please solve this issue: Fix the off-by-one' },
      { role: 'assistant', content: 'THOUGHT: look first.\n\n```mswea_bash_command\nsed -n 1,5p src/util.py\n```', extra: { actions: [{ command: 'sed -n 1,5p src/util.py' }], cost: 0.001 } },
      { role: 'user', content: '<returncode>0</returncode>\n<output>\ndef last(xs): ...\n</output>', extra: { returncode: 0 } },
      { role: 'exit', content: 'diff --git ...', extra: { exit_status: 'Submitted', submission: 'diff --git ...' } },
    ],
  };
  const run = readRun(text, 'x.traj.json', 0);
  assert.deepEqual(calls(run), [['execute_bash', 'sed -n 1,5p src/util.py', '<returncode>0</returncode>\n<output>\ndef last(xs): ...\n</output>']]);
  assert.equal(run.steps[0]?.thought, 'THOUGHT: look first.');

  const { trajectory_format: _f, ...oldV1 } = { ...text, info: { exit_status: 'Submitted', submission: '', model_stats: { instance_cost: 0.01, api_calls: 2 } } };
  (oldV1.messages[2] as { content: string }).content = 'THOUGHT: look first.\n\n```bash\nsed -n 1,5p src/util.py\n```';
  const v1 = readRun(oldV1, 'demo__repo-1.traj.json', 0);
  assert.equal(v1.format, 'mini-swe-agent', 'a v1 file without trajectory_format is still mini-swe-agent');
  assert.deepEqual(calls(v1)[0]?.slice(0, 2), ['execute_bash', 'sed -n 1,5p src/util.py']);
});

test('OpenHands output.jsonl row (reference 3.1): actions paired by cause; per-step tokens and cost from llm_metrics; legacy history pairs', () => {
  const row = example('openhands-output.json');
  const run = readRun(row, 'output.jsonl', 0);
  assert.equal(run.format, 'openhands-v0');
  assert.deepEqual(calls(run), [
    ['execute_bash', 'pytest -q tests/test_util.py', '1 failed'],
    ['str_replace_editor', 'str_replace', 'The file ... has been edited.'],
    ['finish', null, null],
  ]);
  assert.equal(run.steps[0]?.actions[0]?.exitCode, 1);
  assert.equal(run.repoDir, '/workspace/repo');

  // llm_metrics on each agent action are running totals: a step gets the increase.
  const metered = example('openhands-output.json');
  const history = metered.history as Record<string, unknown>[];
  const totals = [
    [2, 0.01, 1000, 50],
    [4, 0.025, 2300, 90],
    [6, 0.03, 3500, 100],
  ] as const;
  for (const [id, cost, prompt, completion] of totals) {
    const e = history.find((h) => h.id === id);
    assert.ok(e);
    e.llm_metrics = { accumulated_cost: cost, accumulated_token_usage: { prompt_tokens: prompt, completion_tokens: completion } };
  }
  const steps = readRun(metered, 'output.jsonl', 0).steps.map((s) => [s.promptTokens, s.completionTokens, Number(s.costUsd?.toFixed(6))]);
  assert.deepEqual(steps, [
    [1000, 50, 0.01],
    [1300, 40, 0.015],
    [1200, 10, 0.005],
  ]);

  // Older rows keep history as [action, observation] pairs.
  const pairs: unknown[] = [];
  for (let i = 0; i < history.length; i++) {
    const e = history[i] as { action?: unknown; cause?: unknown };
    const next = history[i + 1] as { cause?: unknown; id?: unknown } | undefined;
    if (e.action !== undefined && next?.cause === (e as { id?: unknown }).id) pairs.push([e, history[++i]]);
    else pairs.push([e, {}]);
  }
  const legacy = readRun({ ...row, history: pairs }, 'output.jsonl', 0);
  assert.deepEqual(calls(legacy), calls(run));
});

test('ATIF v1.4 (reference 4): the agent step\'s call, its result by source_call_id, repo_diff_after', () => {
  const run = readRun(example('atif-trajectory.json'), 'trajectory.json', 0);
  assert.equal(run.format, 'atif');
  assert.deepEqual(calls(run), [['str_replace_editor', 'str_replace', 'The file /testbed/src/util.py has been edited.']]);
  assert.equal(run.steps[0]?.diffAfter, 'diff --git a/src/util.py ...');
  assert.equal(run.task, 'Fix the off-by-one in src/util.py');
});

test('SFT text (reference 5): OpenHands EXECUTION RESULT turns; SWE-smith\'s OBSERVATION user turns; messages held as a JSON string', () => {
  const run = readRun(example('sft-openhands.json'), 'sft.jsonl', 0);
  assert.equal(run.format, 'sft-text');
  assert.equal(run.scaffold, 'OpenHands (SFT text form)');
  assert.deepEqual(calls(run), [
    ['execute_bash', 'pytest -q tests/test_util.py', '1 failed in 0.05s'],
    ['str_replace_editor', 'str_replace', 'The file /workspace/repo/src/util.py has been edited...'],
    ['finish', null, null],
  ]);

  // SWE-smith's xml style: SWE-agent's tools; tool results became user turns keeping `OBSERVATION:`.
  const smith = {
    instance_id: 'demo__repo-1',
    messages: [
      { role: 'system', content: 'You are a helpful assistant that can interact with a computer to solve tasks.' },
      { role: 'user', content: '<uploaded_files>\n/testbed\n</uploaded_files>\nFix the off-by-one' },
      { role: 'assistant', content: 'Let me look.\n\n<function=bash>\n<parameter=command>cat -n /testbed/src/util.py</parameter>\n</function>' },
      { role: 'user', content: 'OBSERVATION:\n     1\tdef last(xs):' },
      { role: 'assistant', content: 'Fix it.\n\n<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n<parameter=path>/testbed/src/util.py</parameter>\n<parameter=old_str>\nxs[len(xs)]\n</parameter>\n<parameter=new_str>\nxs[-1]\n</parameter>\n</function>' },
      { role: 'user', content: 'OBSERVATION:\nThe file /testbed/src/util.py has been edited.' },
      { role: 'assistant', content: 'Done.\n\n<function=submit>\n</function>' },
    ],
  };
  const s = readRun(smith, 'ft_xml.jsonl', 0);
  assert.equal(s.scaffold, 'SFT text form');
  assert.deepEqual(calls(s), [
    ['execute_bash', 'cat -n /testbed/src/util.py', 'OBSERVATION:\n     1\tdef last(xs):'],
    ['str_replace_editor', 'str_replace', 'OBSERVATION:\nThe file /testbed/src/util.py has been edited.'],
    ['finish', null, null],
  ]);
  assert.deepEqual(s.notes, [], 'the observations are not taken for a person\'s notes');
  assert.deepEqual(s.steps[1]?.actions[0]?.args, { command: 'str_replace', path: '/testbed/src/util.py', old_str: 'xs[len(xs)]', new_str: 'xs[-1]' });

  const asString = readRun({ ...smith, messages: JSON.stringify(smith.messages) }, 'ft_tools.jsonl', 0);
  assert.deepEqual(calls(asString), calls(s));
});

test('mini-swe-agent human mode (reference 2.5): the person\'s "User command" with extra.actions is a step by a person, its user-turn observation its output; kept through our format', () => {
  const traj = {
    trajectory_format: 'mini-swe-agent-1.1',
    instance_id: 'demo__repo-1',
    info: { exit_status: 'Submitted', submission: 'diff --git a/src/util.py b/src/util.py\n', mini_version: '2.4.6', config: { agent_type: 'minisweagent.agents.interactive.InteractiveAgent' } },
    messages: [
      { role: 'system', content: 'You are a helpful assistant ...' },
      { role: 'user', content: 'Please solve this issue: Fix the off-by-one ...' },
      { role: 'assistant', content: 'Look at the file first.', tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'bash', arguments: '{"command": "sed -n 1,5p src/util.py"}' } }], extra: { actions: [{ command: 'sed -n 1,5p src/util.py', tool_call_id: 'call_a' }], cost: 0.006 } },
      { role: 'tool', tool_call_id: 'call_a', content: '<returncode>0</returncode>\n<output>\ndef last(xs): ...\n</output>', extra: { returncode: 0 } },
      // The person switched to human mode (/u) and typed two commands; one the model's next call was rejected.
      { role: 'user', content: 'User command: \n```bash\nsed -i s/len\\(xs\\)/-1/ src/util.py\n```', extra: { actions: [{ command: 'sed -i s/len\\(xs\\)/-1/ src/util.py' }] } },
      { role: 'user', content: '<returncode>0</returncode>\n<output>\n</output>', extra: { raw_output: '', returncode: 0 } },
      { role: 'user', content: 'User command: \n```bash\npython -m pytest -q\n```', extra: { actions: [{ command: 'python -m pytest -q' }] } },
      { role: 'user', content: '<returncode>1</returncode>\n<output>\n1 failed\n</output>', extra: { raw_output: '1 failed\n', returncode: 1 } },
      { role: 'user', content: 'Interrupted by the user: keep going', extra: { interrupt_type: 'UserInterruption' } },
      { role: 'exit', content: 'diff --git ...', extra: { exit_status: 'Submitted', submission: 'diff --git ...' } },
    ],
  };
  const run = readRun(traj, 'demo__repo-1.traj.json', 0);
  assert.deepEqual(calls(run), [
    ['execute_bash', 'sed -n 1,5p src/util.py', '<returncode>0</returncode>\n<output>\ndef last(xs): ...\n</output>'],
    ['execute_bash', 'sed -i s/len\\(xs\\)/-1/ src/util.py', '<returncode>0</returncode>\n<output>\n</output>'],
    ['execute_bash', 'python -m pytest -q', '<returncode>1</returncode>\n<output>\n1 failed\n</output>'],
  ]);
  assert.deepEqual(run.steps.map((s) => s.byPerson ?? false), [false, true, true]);
  assert.deepEqual(run.steps.map((s) => s.actions[0]?.exitCode), [0, 0, 1]);
  assert.equal(run.steps[1]?.thought, '');
  assert.deepEqual(run.notes, [{ afterStep: 3, content: 'Interrupted by the user: keep going' }]);

  // Our format keeps which steps a person typed, and reads them back so.
  const closed = toClosedTrajectory(run, { instance_id: 'demo__repo-1' } as TaskInstance);
  assert.deepEqual(closed.imported?.person_steps, [2, 3]);
  const back = readOurTrajectory(JSON.parse(JSON.stringify(closed)), 'x.json', 0);
  assert.deepEqual(back.steps.map((s) => s.byPerson ?? false), [false, true, true]);
});
