// Released trajectory datasets beside SWE-Gym's own rows (trajectory-formats.md §3.3):
// nebius/SWE-rebench-openhands-trajectories (JSON Lines here) and nebius/SWE-agent-trajectories
// (a JSON array here), from fixtures of ours shaped by the reference's field lists
// (test/fixtures/trajectories/released-rows). Steps, the final patch and the reward the row
// states, through the core and through `swe-gym import`. No containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { importRuns } from '../../../src/core/trajectory/import/importRuns';
import { samples } from '../../support/samples';

const ROWS = path.join(__dirname, '../../../../test/fixtures/trajectories/released-rows');
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

test('nebius SWE-rebench OpenHands and SWE-agent rows import with their steps, final patch and the reward the row states', async () => {
  const summary = await importRuns(ROWS, await samples());
  assert.deepEqual(summary.failures, []);
  const runs = summary.imported.map((i) => i.trajectory);
  assert.deepEqual(
    runs.map((t) => [t.imported?.scaffold, t.imported?.format, t.index, t.imported?.resolved, t.steps]),
    [
      ['SWE-agent (nebius row)', 'swe-agent', 0, true, 3],
      ['SWE-agent (nebius row)', 'swe-agent', 1, false, 3],
      ['OpenHands (SWE-rebench row)', 'swe-gym-row', 2, true, 3],
      ['OpenHands (SWE-rebench row)', 'swe-gym-row', 3, false, 3],
    ],
  );
  for (const t of runs) {
    assert.equal(t.instance_id, 'swe-gym-studio__textkit-12');
    assert.match(t.patch ?? '', /^diff --git a\/textkit\/align\.py[\s\S]*\+ {4}missing = width - display_width\(text\)/, 'model_patch / generated_patch is the final patch');
  }
  const [agent, agentCost, rebench] = runs;
  // SWE-agent 0.x: the fenced command of each model turn, the next user turn its observation, submit the finish.
  const calls = (t: typeof agent) => t?.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => [c.function.name, JSON.parse(c.function.arguments) as unknown]) : []));
  assert.deepEqual(calls(agent), [
    ['execute_bash', { command: 'search_file "len(text)" textkit/align.py' }],
    ['execute_bash', { command: 'edit 20:20\n    missing = width - display_width(text)\nend_of_edit' }],
    ['finish', {}],
  ]);
  assert.equal(agent?.messages.find((m) => m.role === 'assistant')?.content, 'Let me look at how pad computes the missing width.');
  assert.match(agent?.messages.find((m) => m.role === 'tool')?.content ?? '', /^Found 1 matches/);
  assert.equal(agent?.model, 'swe-agent-llama-70b');
  assert.equal(agent?.imported?.repo_dir, '/swe-gym-studio__textkit');
  assert.equal(agentCost?.exit_reason, 'max_cost');
  // SWE-rebench: OpenAI tool calls under `trajectory`, `resolved` as 1/0, its trajectory_id kept.
  assert.deepEqual(calls(rebench), [
    ['execute_bash', { command: "grep -n 'len(text)' /workspace/swe-gym-studio__textkit__0.1/textkit/align.py" }],
    ['str_replace_editor', { command: 'str_replace', path: '/workspace/swe-gym-studio__textkit__0.1/textkit/align.py', old_str: '    missing = width - len(text)', new_str: '    missing = width - display_width(text)' }],
    ['finish', {}],
  ]);
  assert.equal(rebench?.run_id, 'swe-gym-studio__textkit-12_run0');
  assert.equal(rebench?.imported?.repo_dir, '/workspace/swe-gym-studio__textkit__0.1');
  assert.equal(rebench?.imported?.exit_status, 'submit');

  // The CLI shows the reward each row states.
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-import-released-'));
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'import', ROWS, '--dataset', 'samples', '--out', out], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^4 run\(s\) imported into /);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  '));
    assert.deepEqual(lines.map((l) => [/SWE-agent|SWE-rebench/.exec(l)?.[0], / (resolved|unresolved)$/.exec(l)?.[1]]), [
      ['SWE-agent', 'resolved'],
      ['SWE-agent', 'unresolved'],
      ['SWE-rebench', 'resolved'],
      ['SWE-rebench', 'unresolved'],
    ]);
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});
