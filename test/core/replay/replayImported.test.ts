// Replaying other scaffolds' runs in fresh containers of the textkit sample: every format's fixture
// gives the recorded patch (by changed lines) and the recorded reward; a run recorded in SWE-Gym's
// /workspace/<repo>__<version> layout with another interpreter is the same up to environment noise
// at every step, and a changed recording is named as the first divergence with its diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { replayTrajectory, type ReplayReport } from '../../../src/core/replay/replayTrajectory';
import { importRuns } from '../../../src/core/trajectory/import/importRuns';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { runtime, TEST_SESSION } from '../../support/docker';
import { samples } from '../../support/samples';

const FIXTURES = path.join(__dirname, '../../../../test/fixtures/trajectories');

async function imported(dir: string): Promise<ClosedTrajectory[]> {
  const summary = await importRuns(dir, await samples());
  assert.deepEqual(summary.failures, []);
  return summary.imported.map((i) => i.trajectory);
}

test('every format\'s fixture, imported and replayed: the recorded patch by changed lines and the recorded reward', async () => {
  const ds = await samples();
  const runs = await imported(path.join(FIXTURES, 'formats'));
  assert.equal(runs.length, 7);
  const reports: [string, ReplayReport][] = [];
  // Two at a time: the machine has two cores.
  for (let i = 0; i < runs.length; i += 2) {
    const batch = runs.slice(i, i + 2);
    reports.push(...(await Promise.all(batch.map(async (t) => [`${t.imported?.scaffold}`, await replayTrajectory(runtime, ds, t, { allowPull: false, sessionId: TEST_SESSION, reward: {} })] as [string, ReplayReport]))));
  }
  for (const [name, r] of reports) {
    // mini-swe-agent submits with a command, not a finish call: its replay ends when its turns do,
    // and says so (it read as a step budget hit, max_steps).
    assert.equal(r.result.exitReason, name.startsWith('mini-swe-agent') ? 'replay_exhausted' : 'finished', `${name}: ${r.result.message ?? ''}`);
    assert.equal(r.result.steps, 7, name);
    if (r.recordedPatch !== null) assert.deepEqual(r.patch, { same: true, onlyRecorded: [], onlyReplayed: [] }, name);
    assert.equal(r.recordedResolved, true, name);
    assert.equal(r.result.resolved, true, name);
    assert.equal(r.rewardMatches, true, name);
    assert.equal(r.firstDivergence, null, `${name}: ${JSON.stringify(r.steps.find((s) => s.verdict === 'different')?.diff)}`);
  }
});

test('a run recorded in /workspace/<repo>__<version> with another interpreter: every step the same up to environment noise; a changed recording is the first divergence', async () => {
  const ds = await samples();
  const [row] = await imported(path.join(FIXTURES, 'textkit-12.openhands-layout.row.json'));
  assert.ok(row);
  const swapInterpreter = (t: ClosedTrajectory) => ({
    ...t,
    messages: t.messages.map((m) => (m.role === 'tool' ? { ...m, content: m.content.split('[Python Interpreter: /usr/local/bin/python]').join('[Python Interpreter: /opt/miniconda3/envs/testbed/bin/python]') } : m)),
  });
  const recorded = swapInterpreter(row);
  assert.ok(recorded.messages.some((m) => m.role === 'tool' && m.content.includes('/opt/miniconda3/envs/testbed/bin/python]\nroot@openhands-workspace:/workspace/swe-gym-studio__textkit__0.1 # ')));
  const r = await replayTrajectory(runtime, ds, recorded, { allowPull: false, sessionId: TEST_SESSION, reward: false });
  assert.deepEqual(r.pathMap, [{ from: '/workspace/swe-gym-studio__textkit__0.1', to: '/testbed' }]);
  assert.equal(r.steps.length, 6);
  for (const s of r.steps) assert.equal(s.verdict, 'noise', `step ${s.step} (${s.tool}): ${s.diff ?? ''}`);
  assert.deepEqual(r.steps[0]?.noise.sort(), ['interpreter path', 'paths']);
  assert.equal(r.firstDivergence, null);
  // Observations come back in the recorded paths.
  assert.match(r.steps[0]?.replayedInRecordedPaths ?? '', /root@openhands-workspace:\/workspace\/swe-gym-studio__textkit__0\.1 # /);
  assert.deepEqual(r.patch?.same, true);

  // The same run, its step 6 recorded with another file changed: that is where it diverged.
  const changed = structuredClone(recorded);
  const statusCall = changed.messages.find((m) => m.role === 'tool' && m.content.includes('git status --short'));
  assert.ok(statusCall && statusCall.role === 'tool');
  statusCall.content = statusCall.content.replace(' M textkit/align.py', ' M textkit/width.py');
  const d = await replayTrajectory(runtime, ds, changed, { allowPull: false, sessionId: TEST_SESSION, reward: false });
  assert.deepEqual(d.firstDivergence, { step: 6, toolCallId: statusCall.tool_call_id, tool: 'execute_bash' });
  assert.equal(d.counts.different, 1);
  assert.match(d.steps[5]?.diff ?? '', /^- M textkit\/width\.py\[Python/m);
  assert.match(d.steps[5]?.diff ?? '', /^\+ M textkit\/align\.py\[Python/m);
});
