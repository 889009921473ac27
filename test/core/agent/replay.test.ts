// Replaying a recorded SWE-Gym row of a sample: the actions run afresh in a new container with
// the /workspace path mapped to /testbed, the patch and the reward come out as recorded, and a
// differing observation is reported where it happens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRecordedRows, replayRow } from '../../../src/core/agent/replay';
import { runtime, TEST_SESSION } from '../../support/docker';
import { samples } from '../../support/samples';

const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

test('replaying a recorded trajectory of a sample reproduces its patch and reward (CLI, path map from the row)', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-replay-'));
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'replay', '--dataset', 'samples', '--trajectory', FIXTURE, '--out', out, '--json'], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.instance_id, 'swe-gym-studio__textkit-12');
    assert.deepEqual(report.path_map, [{ from: '/workspace/swe-gym-studio__textkit__0.1', to: '/testbed' }]);
    assert.equal(report.exit_reason, 'finished');
    assert.deepEqual(report.observation_mismatches, [], 'today the environment gives the recorded observations');
    assert.equal(report.patch_matches, true);
    assert.equal(report.recorded_resolved, true);
    assert.equal(report.resolved, true);
    assert.equal(report.reward_matches, true);
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('a replay reports the step whose observation differs from the recording, and still takes the patch', async () => {
  const [row] = await loadRecordedRows(FIXTURE);
  assert.ok(row);
  const altered = structuredClone(row);
  const tool = altered.messages.find((m) => m.role === 'tool' && String(m.content).includes('cd /workspace'));
  assert.ok(tool);
  tool.content = String(tool.content).replace('CHANGELOG.md', 'CHANGES.rst');
  const outcome = await replayRow(runtime, await samples(), altered, { reward: false, allowPull: false, sessionId: TEST_SESSION });
  assert.deepEqual(
    outcome.mismatches.map((m) => [m.step, m.firstDifferentLine]),
    [[1, 3]],
  );
  assert.equal(outcome.patchMatches, true);
  assert.equal(outcome.result.resolved, null, 'no reward asked');
});
