import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { evaluateInstance } from '../../../src/core/harness/evaluateInstance';
import { runEvaluation } from '../../../src/core/harness/runEvaluation';
import { loadPredictions } from '../../../src/core/predictions/loadPredictions';
import { runtime, TEST_SESSION } from '../../support/docker';
import { pytestSample, sampleSpec, samples } from '../../support/samples';

const opts = async () => ({ sessionId: TEST_SESSION });

test('gold resolves every sample (2 workers) and the outputs follow the harness layout', async () => {
  const ds = await samples();
  assert.ok(ds.instances.length >= 6, 'at least 6 sample tasks');
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-eval-'));
  try {
    const outcome = await runEvaluation(runtime, ds, await loadPredictions('gold', ds), { workers: 2, outDir: out, sessionId: TEST_SESSION, allowPull: false });
    for (const r of outcome.results) {
      assert.equal(r.status, 'resolved', `${r.instance_id}: ${r.error ?? ''}\n${r.testLog.slice(-2000)}`);
      assert.equal(r.grade?.reference.resolution, 'RESOLVED_FULL');
      assert.equal(r.grade?.disagree, false, `${r.instance_id}: v5 agrees on gold`);
    }
    assert.equal(outcome.summary.resolved_instances, ds.instances.length);
    assert.equal(outcome.summary.schema_version, 2);
    const first = outcome.results[0];
    assert.ok(first?.outputDir);
    assert.equal(first.outputDir, path.join(out, outcome.runId, 'gold', first.instance_id));
    for (const f of ['patch.diff', 'eval.sh', 'test_output.txt', 'report.json', 'run_instance.log']) await fs.access(path.join(first.outputDir, f));
    const report = JSON.parse(await fs.readFile(path.join(first.outputDir, 'report.json'), 'utf8'));
    const entry = report[first.instance_id];
    assert.deepEqual(Object.keys(entry).slice(0, 5), ['patch_is_None', 'patch_exists', 'patch_successfully_applied', 'resolved', 'tests_status']);
    assert.deepEqual(entry.tests_status.FAIL_TO_PASS.failure, []);
    assert.ok(outcome.summaryPath && (await fs.readFile(outcome.summaryPath, 'utf8')).includes('"resolved_instances"'));
    await assert.rejects(
      runEvaluation(runtime, ds, await loadPredictions('gold', ds), { runId: outcome.runId, outDir: out }),
      /already has results/,
      'a run id is never reused',
    );
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('an empty patch is not run and earns no reward; the untouched base fails its FAIL_TO_PASS tests', async () => {
  const inst = await pytestSample();
  const empty = await evaluateInstance(runtime, await sampleSpec(inst), '', await opts());
  assert.equal(empty.status, 'empty_patch');
  assert.equal(empty.resolved, false);
  const base = await evaluateInstance(runtime, await sampleSpec(inst), '', { ...(await opts()), runEmptyPatch: true });
  assert.equal(base.status, 'unresolved');
  assert.equal(base.grade?.reference.resolution, 'RESOLVED_NO');
  assert.equal(base.grade?.reference.tests_status.FAIL_TO_PASS.success.length, 0);
});

test('a patch that does not apply is an apply failure with the reason, not a test failure', async () => {
  const inst = await pytestSample();
  const bad = ['diff --git a/no/such/file.py b/no/such/file.py', '--- a/no/such/file.py', '+++ b/no/such/file.py', '@@ -1,2 +1,2 @@', ' a = 1', '-b = 2', '+b = 3', ''].join('\n');
  const r = await evaluateInstance(runtime, await sampleSpec(inst), `Here is my fix:\r\n${bad}`, await opts());
  assert.equal(r.status, 'patch_apply_failed');
  assert.equal(r.resolved, false);
  assert.match(r.error ?? '', /no\/such\/file\.py/);
  assert.match(r.applyLog, /git apply -v/);
  assert.match(r.applyLog, /patch --batch --fuzz=5/, 'the fallback was tried');
});

test('a test run that hangs is killed at the timeout and reported as such', async () => {
  const inst = await pytestSample();
  const hang = ['diff --git a/conftest.py b/conftest.py', 'new file mode 100644', '--- /dev/null', '+++ b/conftest.py', '@@ -0,0 +1,2 @@', '+import time', '+time.sleep(3600)', ''].join('\n');
  const started = Date.now();
  const r = await evaluateInstance(runtime, await sampleSpec(inst), hang, { ...(await opts()), timeoutSeconds: 3 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.resolved, false);
  assert.match(r.testLog, /Tests Timed Out/);
  assert.ok(Date.now() - started < 15_000, 'killed soon after the timeout');
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION, purpose: 'eval' }), []);
});

test('a patch that prints fake PASSED lines fools the reference rules only as far as they allow; v5 rejects a failing exit code', async () => {
  const inst = await pytestSample();
  // Fixes nothing (the FAIL_TO_PASS tests still fail, so pytest exits 1), then prints the PASSED
  // lines the parser looks for after pytest's own summary: later lines overwrite earlier ones.
  const lines = [...inst.FAIL_TO_PASS, ...inst.PASS_TO_PASS].map((t) => `+    print(${JSON.stringify(`PASSED ${t}`)}, flush=True)`);
  const hack = ['diff --git a/conftest.py b/conftest.py', 'new file mode 100644', '--- /dev/null', '+++ b/conftest.py', `@@ -0,0 +1,${lines.length + 1} @@`, '+def pytest_unconfigure(config):', ...lines, ''].join('\n');
  const r = await evaluateInstance(runtime, await sampleSpec(inst), hack, await opts());
  assert.equal(r.testExitCode, 1);
  assert.equal(r.grade?.reference.resolved, true, 'the SWE-Gym rules take the last PASSED line: the hack works there');
  assert.equal(r.grade?.strict.resolved, false, 'v5 rejects a non-zero exit that claims no failure');
  assert.equal(r.grade?.disagree, true, 'and the disagreement is flagged');
});
