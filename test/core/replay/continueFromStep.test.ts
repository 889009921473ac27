// Continue from step N with a model (issue 12 item 2): `swe-gym replay --continue-from-step N
// --continue-with-model M --base-url U`. Real containers and grading; the model is the scripted
// OpenAI-protocol server on 127.0.0.1 (no LLM can run here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChatMessage } from '../../../src/core/agent/chatTypes';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { continueFromStep } from '../../../src/core/replay/continueFromStep';
import { loadReplayable } from '../../../src/core/replay/loadReplayable';
import { loadClosedTrajectory } from '../../../src/core/trajectory/readTrajectory';
import { runtime, TEST_SESSION } from '../../support/docker';
import { byTurn, solveScript, startFakeOpenAIServer } from '../../support/fakeOpenAIServer';
import { sampleSpec, samples } from '../../support/samples';

const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const KEY = 'sk-continue-test-4d1e';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })),
  );
}

test('replay --continue-from-step 2 --continue-with-model: steps 1..2 replayed (paths mapped, compared), then the model goes on from there and solves it', async () => {
  const inst = (await samples()).instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(inst);
  const server = await startFakeOpenAIServer(byTurn(solveScript(inst.patch)), { apiKey: KEY });
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-continue-'));
  try {
    const r = await cli(['replay', '--dataset', 'samples', '--trajectory', FIXTURE, '--out', out, '--no-pull', '--json', '--continue-from-step', '2', '--continue-with-model', 'fake-continuer', '--base-url', server.baseURL], { OPENAI_API_KEY: KEY });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(report.continued_from_step, 2);
    assert.equal(report.continued_by, 'fake-continuer');
    assert.deepEqual(
      (report.step_verdicts as { step: number; verdict: string }[]).map((s) => [s.step, s.verdict]),
      [
        [1, 'noise'],
        [2, 'noise'],
      ],
      'only the replayed steps are compared with the recording (the same up to the mapped paths)',
    );
    assert.equal(report.first_divergence, null);
    assert.equal(report.exit_reason, 'finished');
    assert.equal(report.resolved, true, 'the model finished the fix from step 2 and it is graded');
    assert.equal(report.continued_steps, (report.steps as number) - 2);
    assert.ok((report.continued_steps as number) >= 3);
    assert.equal('patch_matches' in report, false, 'a continuation is not expected to match the recorded patch');

    // The model was asked only after step 2, and saw the replayed steps' observations in /testbed.
    const first = server.requests[0]?.body as { messages: ChatMessage[] } | undefined;
    assert.ok(first);
    assert.equal(first.messages.filter((m) => m.role === 'assistant').length, 2);
    const toolTexts = first.messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
    assert.match(toolTexts[0] ?? '', /^OBSERVATION:\ncd \/testbed && ls/);
    assert.ok(!JSON.stringify(first.messages).includes('/workspace/swe-gym-studio__textkit__0.1'), 'the recorded folder is mapped to /testbed everywhere');

    const t = await loadClosedTrajectory(String(report.trajectory));
    assert.deepEqual((t.config as Record<string, unknown>).continue_of, { rollout_id: (t.config as { continue_of: { rollout_id: string } }).continue_of.rollout_id, instance_id: 'swe-gym-studio__textkit-12', step: 2, by: 'model' });
    assert.equal(t.model, 'fake-continuer');
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('replay --continue-from-step outside the recording, or without a model, is refused before any container starts', async () => {
  const far = await cli(['replay', '--dataset', 'samples', '--trajectory', FIXTURE, '--continue-from-step', '99', '--continue-with-model', 'm', '--base-url', 'http://127.0.0.1:9/v1']);
  assert.equal(far.code, 2, far.stderr);
  assert.match(far.stderr, /--continue-from-step: Step 99 is outside the recorded run of swe-gym-studio__textkit-12 \(0\.\.7\)/);
  const noModel = await cli(['replay', '--dataset', 'samples', '--trajectory', FIXTURE, '--continue-from-step', '2']);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /go with --continue-with-model M/);
});

test('continuing by hand from step 0 replays nothing and ends as a replay does, not as an error of the run', async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(inst);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-continue0-'));
  const dev = await launchDevContainer(runtime, await sampleSpec(inst), { workspaceRoot: path.join(root, 'ws'), sessionId: TEST_SESSION });
  try {
    const t = await loadReplayable(FIXTURE, ds);
    const report = await continueFromStep(runtime, ds, t, { step: 0, mode: { by: 'hand', container: dev.container }, sessionId: TEST_SESSION, trajectoryDir: path.join(root, 'run') });
    assert.equal(report.result.exitReason, 'replay_exhausted', report.result.message);
    assert.equal(report.result.steps, 0);
    assert.equal(report.result.runError, false, 'nothing to replay before a person takes over is not an error of the run');
    assert.deepEqual(report.steps, []);
    const closed = await loadClosedTrajectory(report.result.trajectoryPath ?? '');
    assert.equal(closed.run_error, undefined);
  } finally {
    await dev.container.remove();
    await fs.rm(root, { recursive: true, force: true });
  }
});
