import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEvaluation } from '../../src/core/harness/runEvaluation';
import { loadPredictions } from '../../src/core/predictions/loadPredictions';
import { runtime, TEST_SESSION } from '../support/docker';
import { samples } from '../support/samples';

// Run by scripts/test-podman.sh with DOCKER_HOST on Podman's Docker-compatible socket.
test('through Podman: the engine is Podman, gold resolves and the untouched base does not, on every sample', async () => {
  assert.equal(await runtime.engineKind(), 'podman', 'DOCKER_HOST names a Podman socket');
  const ds = await samples();
  const gold = await loadPredictions('gold', ds);
  const resolved = await runEvaluation(runtime, ds, gold, { workers: 2, sessionId: TEST_SESSION, allowPull: false });
  for (const r of resolved.results) assert.equal(r.status, 'resolved', `${r.instance_id}: ${r.error ?? ''}\n${r.testLog.slice(-1500)}`);
  assert.equal(resolved.results.length, ds.instances.length);
  const empty = gold.map((p) => ({ ...p, model_patch: '' }));
  const base = await runEvaluation(runtime, ds, empty, { workers: 2, sessionId: TEST_SESSION, allowPull: false, runEmptyPatch: true });
  for (const r of base.results) assert.equal(r.status, 'unresolved', `${r.instance_id}: the untouched base must fail its FAIL_TO_PASS tests (${r.error ?? ''})`);
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left behind');
});
