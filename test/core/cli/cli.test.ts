import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

// The real CLI in a child process: stdout must stay machine-readable, progress goes to stderr.
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

function swegym(args: string[], options: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('list --json and show: instances, hidden answers unless revealed', async () => {
  const list = await swegym(['list', '--dataset', 'samples', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const parsed = JSON.parse(list.stdout);
  assert.ok(parsed.total >= 6);
  const id: string = parsed.instances[0].instance_id;
  const shown = await swegym(['show', '--dataset', 'samples', id, '--json']);
  const info = JSON.parse(shown.stdout);
  assert.equal(info.instance_id, id);
  assert.equal(info.patch, undefined, 'gold patch hidden by default');
  const revealed = JSON.parse((await swegym(['show', '--dataset', 'samples', id, '--json', '--reveal'])).stdout);
  assert.match(revealed.patch, /^diff --git/);
});

test('validate proves the samples: gold resolves, the untouched base does not', async () => {
  const r = await swegym(['validate', '--dataset', 'samples', '--workers', '2', '--json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const v = JSON.parse(r.stdout);
  assert.equal(v.valid, v.total);
  for (const i of v.instances) {
    assert.equal(i.base_status, 'unresolved', i.instance_id);
    // The automatic flags `swe-gym annotations --validation` reads: none on sound rows.
    assert.deepEqual([i.flags.unmatchable_tests, i.flags.missing_from_log, i.flags.fail_to_pass_passing_on_base, i.flags.flaky_tests, i.flags.gold_runs], [[], [], [], [], 1], i.instance_id);
  }
});

test('eval --json prints one object with per-instance verdicts, and writes the harness files', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-cli-'));
  try {
    const list = JSON.parse((await swegym(['list', '--dataset', 'samples', '--json'])).stdout);
    const id: string = list.instances[0].instance_id;
    const r = await swegym(['eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', id, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.equal(res.total, 1);
    assert.equal(res.resolved, 1);
    assert.deepEqual(
      res.instances.map((i: { instance_id: string; resolved: boolean; status: string }) => [i.instance_id, i.resolved, i.status]),
      [[id, true, 'resolved']],
    );
    assert.match(r.stderr, /\[1\/1\]/, 'progress on stderr');
    const log = path.join(out, res.run_id, 'gold', id, 'test_output.txt');
    // The same log graded offline gives the same verdict, with the parsed status map.
    const g = await swegym(['grade', '--dataset', 'samples', '--instance', id, '--log', log, '--json']);
    assert.equal(g.code, 0, g.stderr);
    const graded = JSON.parse(g.stdout);
    assert.equal(graded.report[id].resolved, true);
    assert.ok(Object.values(graded.status_map).includes('PASSED'));
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('bad input: clear errors, right exit codes', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-cli-bad-'));
  try {
    const notDataset = path.join(dir, 'notes.json');
    await fs.writeFile(notDataset, '{"hello": "world"}');
    const r = await swegym(['list', '--dataset', notDataset]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /notes\.json/);
    const unknown = await swegym(['show', '--dataset', 'samples', 'nope__nope-1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown instance id\(s\).*nope__nope-1/);
    const usage = await swegym(['eval', '--dataset', 'samples']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--predictions is required/);
    const badFlag = await swegym(['list', '--datset', 'samples']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /datset/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
