import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runEvaluation } from '../../src/core/harness/runEvaluation';
import { loadPredictions } from '../../src/core/predictions/loadPredictions';
import { runtime, TEST_SESSION } from '../support/docker';
import { samples } from '../support/samples';

const CLI = path.resolve(__dirname, '../../src/cli/index.js');

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

test('`swe-gym eval --engine podman` grades on Podman; an engine name that means nothing is a usage error', async () => {
  const socket = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
  const env = { ...process.env, DOCKER_HOST: '', SWE_GYM_PODMAN_SOCKET: socket };
  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  const id = (await samples()).instances[0]?.instance_id ?? '';
  const r = cli(['eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', id, '--no-pull', '--engine', 'podman', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /"resolved": ?true/);
  // The flag really picks the engine: a Podman socket that is not there is named in the error.
  const gone = spawnSync(process.execPath, [CLI, 'eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', id, '--no-pull', '--engine', 'podman'], { env: { ...env, SWE_GYM_PODMAN_SOCKET: '/tmp/swe-gym-no-podman-here.sock' }, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /swe-gym-no-podman-here\.sock/);
  const bad = cli(['eval', '--dataset', 'samples', '--predictions', 'gold', '--engine', 'ftp://nowhere']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--engine: .*not supported/);
});
