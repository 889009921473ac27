// Reading other scaffolds' trajectories: our fixture of each format (written by
// test/fixtures/trajectories/makeFormatFixtures.ts following the reference) imports into one
// model and our trajectory format; a bad file is reported with its path and skipped; a folder of
// hundreds of runs streams through. Observation classification and patch comparison by changed lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareObservations } from '../../../src/core/replay/observationCompare';
import { comparePatches } from '../../../src/core/replay/patchLines';
import { importRuns } from '../../../src/core/trajectory/import/importRuns';
import { readRuns } from '../../../src/core/trajectory/import/readRuns';
import { exportRun } from '../../../src/core/trajectory/exportRows';
import { samples } from '../../support/samples';

const FORMATS = path.join(__dirname, '../../../../test/fixtures/trajectories/formats');
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const ID = 'swe-gym-studio__textkit-12';

test('each format\'s fixture imports to the same seven steps with our tools, its scaffold, model, exit status and recorded reward', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-import-'));
  try {
    const summary = await importRuns(FORMATS, await samples(), { outDir: out });
    assert.deepEqual(summary.failures, []);
    const byFormat = new Map(summary.imported.map((i) => [`${i.trajectory.imported?.format}:${i.trajectory.imported?.scaffold}`, i.trajectory]));
    assert.deepEqual([...byFormat.keys()].sort(), [
      'atif:scripted-solver-agent 0.1.0 (ATIF v1.4)',
      'mini-swe-agent:mini-swe-agent 1.9.0',
      'mini-swe-agent:mini-swe-agent 2.4.6',
      'openhands-v0:OpenHands CodeActAgent',
      'sft-text:OpenHands (SFT text form)',
      'swe-agent:SWE-agent 1.1.0',
      'swe-gym-row:OpenHands (SWE-Gym row)',
    ]);
    for (const [key, t] of byFormat) {
      assert.equal(t.instance_id, ID, key);
      assert.equal(t.steps, 7, key);
      const calls = t.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.function.name) : []));
      const mini = key.startsWith('mini');
      assert.deepEqual(calls, mini ? Array(7).fill('execute_bash') : ['execute_bash', 'str_replace_editor', 'str_replace_editor', 'str_replace_editor', 'str_replace_editor', 'execute_bash', 'finish'], key);
      // Every call has its recorded observation, in the scaffold's own rendering.
      // (OpenHands' rows, events and SFT text have nothing after the finish call.)
      assert.equal(t.messages.filter((m) => m.role === 'tool' && m.content !== '').length, /^(openhands|sft|swe-gym)/.test(key) ? 6 : 7, key);
      assert.equal(t.imported?.resolved, true, `${key}: the recorded reward (SWE-agent's and mini-swe-agent's from the results.json beside them)`);
      // The SFT form keeps the conversation only.
      if (key.startsWith('sft')) assert.equal(t.patch, null);
      else assert.match(t.patch ?? '', /^diff --git a\/textkit\/align\.py/, key);
    }
    assert.equal(byFormat.get('swe-agent:SWE-agent 1.1.0')?.imported?.repo_dir, '/testbed');
    assert.equal(byFormat.get('openhands-v0:OpenHands CodeActAgent')?.imported?.repo_dir, '/workspace/swe-gym-studio__textkit__0.1');
    assert.equal(byFormat.get('swe-agent:SWE-agent 1.1.0')?.exit_message, 'submitted');
    assert.equal(byFormat.get('mini-swe-agent:mini-swe-agent 2.4.6')?.model, 'scripted-solver');
    // The SFT line names no instance: it was found by the issue text its task quotes.
    assert.equal(byFormat.get('sft-text:OpenHands (SFT text form)')?.imported?.source_instance_id, '');
    // The viewer (Open Trajectories) takes the output folder back: each run as its scaffold's, not as a SWE-Gym row.
    // A run folder of ours also holds event logs: the one beside its closed trajectory is not a
    // run of its own; one never closed is reported once.
    const event = (seq: number) => JSON.stringify({ type: seq === 1 ? 'rollout_started' : 'step_started', step: seq, seq, time: '2026-11-30T18:00:00.000Z' });
    const closed = summary.imported[0]?.path ?? '';
    await fs.writeFile(closed.replace(/\.json$/, '.jsonl'), `${event(1)}\n${event(2)}\n`);
    await fs.writeFile(path.join(out, `${ID}_9.jsonl`), `${event(1)}\n${event(2)}\n${event(3)}\n`);
    const back: string[] = [];
    const failed: string[] = [];
    for await (const item of readRuns(out)) {
      if ('failure' in item || 'note' in item) {
        failed.push('failure' in item ? `${path.basename(item.failure.file)}: ${item.failure.error}` : `note ${item.note.message}`);
        continue;
      }
      assert.equal(item.run.steps.length, 7);
      assert.equal(item.run.resolved, true);
      assert.equal(item.run.steps.flatMap((x) => x.actions).filter((a) => a.observation).length >= 6, true);
      back.push(`${item.run.format}:${item.run.scaffold}`);
    }
    assert.deepEqual(back.sort(), [...byFormat.keys()].sort());
    assert.deepEqual(failed, [`${ID}_9.jsonl: an event log of a rollout or demonstration that was never closed (no ${ID}_9.json beside it)`]);
    await fs.rm(path.join(out, `${ID}_9.jsonl`));
    // The output folder is a run folder like a rollout run's: export takes it.
    const exported = await exportRun(out, 'swe-gym');
    assert.equal(exported.written, 7);
    // Seven runs of one instance: indexes of their own, and the rows say what the files say.
    const rows = (await fs.readFile(exported.file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { instance_id: string; resolved: boolean });
    assert.deepEqual(rows.map((r) => r.instance_id).sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => `${ID}_${i}`));
    assert.ok(rows.every((r) => r.resolved), 'a run not graded here keeps its recorded reward in the row');
    const predictions = await exportRun(out, 'predictions');
    assert.equal(predictions.written, 1, 'one SWE-bench prediction per instance');
    const sft = await exportRun(out, 'sft');
    assert.equal(sft.written, 0);
    assert.match(sft.skipped[0]?.reason ?? '', /not graded here \(its file says resolved; `swe-gym replay` grades it\)/);
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('a corrupt file, a JSON file in no known format and a bad JSONL line are reported with their path and skipped; the CLI goes on', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-import-bad-'));
  try {
    await fs.cp(path.join(FORMATS, 'swe-agent'), path.join(dir, 'swe-agent'), { recursive: true });
    await fs.writeFile(path.join(dir, 'broken.traj'), '{"trajectory": [ {"action": "ls"');
    await fs.writeFile(path.join(dir, 'other.json'), JSON.stringify({ name: 'not a run', steps: 3 }));
    const row = (await fs.readFile(path.join(FORMATS, 'swe-gym/rows.jsonl'), 'utf8')).trim();
    await fs.writeFile(path.join(dir, 'rows.jsonl'), `${row}\n{"instance_id": "x", "messages": [\n${row}\n`);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'import', dir, '--dataset', 'samples', '--out', path.join(dir, 'out'), '--json'], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })),
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { imported: { format: string }[]; failures: { file: string; entry?: number; error: string }[] };
    assert.deepEqual(report.imported.map((i) => i.format).sort(), ['swe-agent', 'swe-gym-row', 'swe-gym-row']);
    const failures = report.failures.map((f) => [path.basename(f.file), f.entry ?? null, f.error.split(':')[0]]);
    assert.deepEqual(failures, [
      ['broken.traj', null, 'not valid JSON'],
      ['other.json', 0, 'not a trajectory in any known format (keys name, steps); expected a SWE-Gym row, a nebius SWE-rebench or SWE-agent row, an OpenHands output.jsonl row, a SWE-agent .traj, a mini-swe-agent .traj.json, an SFT {messages} line with <function=...> calls, or ATIF v1.x'],
      ['rows.jsonl', 1, 'line 2 is not valid JSON'],
    ]);
    assert.match(r.stderr, new RegExp(`skipped ${dir.replace(/[/.]/g, '\\$&')}/broken\\.traj: not valid JSON`));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a folder of 400 runs streams through one run at a time', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-import-many-'));
  try {
    const traj = await fs.readFile(path.join(FORMATS, `mini-swe-agent-1.1/${ID}/${ID}.traj.json`));
    await Promise.all(Array.from({ length: 200 }, (_, i) => fs.writeFile(path.join(dir, `${String(i).padStart(3, '0')}.traj.json`), traj)));
    const line = (await fs.readFile(path.join(FORMATS, 'swe-gym/rows.jsonl'), 'utf8')).trim();
    await fs.writeFile(path.join(dir, 'zz.jsonl'), `${Array(200).fill(line).join('\n')}\n`);
    let n = 0;
    for await (const item of readRuns(dir)) {
      assert.ok('run' in item);
      n++;
    }
    assert.equal(n, 400);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('observations: same, same up to environment noise (with its kinds), or different with a diff', () => {
  const ctx = { tool: 'execute_bash', command: 'pytest -q', mapRecorded: (s: string) => s.split('/workspace/demo__1.0').join('/testbed') };
  const ours = (out: string, py: string, cwd: string, code = 0) => `OBSERVATION:\npytest -q\r\n${out}[Python Interpreter: ${py}]\nroot@openhands-workspace:${cwd} # \n[Command finished with exit code ${code}]`;
  assert.deepEqual(compareObservations(ours('1 passed', '/p', '/testbed'), ours('1 passed', '/p', '/testbed'), ctx), { verdict: 'same', noise: [] });
  const noisy = compareObservations(ours('\x1b[32m1 passed\x1b[0m in 0.05s', '/opt/miniconda3/envs/testbed/bin/python', '/workspace/demo__1.0'), ours('1 passed in 0.31s', '/usr/local/bin/python', '/testbed'), ctx);
  assert.equal(noisy.verdict, 'noise');
  assert.deepEqual(noisy.noise.sort(), ['colour codes', 'interpreter path', 'paths', 'timings']);
  // SWE-agent's and mini-swe-agent's renderings of the same output.
  assert.equal(compareObservations('<returncode>0</returncode>\n<output>\n1 passed\n</output>', ours('1 passed', '/p', '/testbed'), ctx).verdict, 'noise');
  assert.deepEqual(compareObservations('commit 3f2a9c1d\n', ours('commit 3f2a9c1d4e', '/p', '/testbed'), ctx).noise.sort(), ['hash abbreviations', 'rendering', 'trailing whitespace']);
  const listing = { tool: 'execute_bash', command: 'ls', mapRecorded: (s: string) => s };
  assert.deepEqual(compareObservations('b.py  a.py', 'a.py  b.py', listing).noise, ['listing order']);
  const diff = compareObservations(ours('1 failed', '/p', '/testbed', 1), ours('1 passed', '/p', '/testbed', 0), ctx);
  assert.equal(diff.verdict, 'different');
  assert.match(diff.diff ?? '', /^-1 failed\[Python Interpreter: \/p\]$/m);
  assert.match(diff.diff ?? '', /^\+1 passed\[Python Interpreter: \/p\]$/m);
  // Reordered lines are a difference outside a listing.
  assert.equal(compareObservations('first\nsecond', 'second\nfirst', { tool: 'execute_bash', command: 'cat order.txt', mapRecorded: (s) => s }).verdict, 'different');
});

test('patches compare by changed lines: CRLF, a missing final newline and index hash lengths are not differences', () => {
  const a = 'diff --git a/x.py b/x.py\nindex 9376304..25f3855 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n';
  const b = 'diff --git a/x.py b/x.py\r\nindex 93763041a..25f3855be 100644\r\n--- a/x.py\r\n+++ b/x.py\r\n@@ -1,2 +1,2 @@\r\n a\r\n-b\r\n+c\n\\ No newline at end of file';
  assert.equal(comparePatches(a, b).same, true);
  const c = comparePatches(a, a.replace('+c', '+d'));
  assert.deepEqual([c.same, c.onlyRecorded, c.onlyReplayed], [false, ['x.py: +c'], ['x.py: +d']]);
});
