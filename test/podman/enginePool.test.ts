import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEvaluation, type RunEvent } from '../../src/core/harness/runEvaluation';
import type { EvaluationResult } from '../../src/core/harness/evaluationResult';
import { loadPredictions } from '../../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../../src/core/runtime/docker/dockerRuntime';
import type { PoolEngine } from '../../src/core/runtime/enginePool';
import { runtime as podman, TEST_SESSION } from '../support/docker';
import { samples } from '../support/samples';

// Run by scripts/test-podman.sh: DOCKER_HOST is Podman's socket, SWE_GYM_DOCKER_ENGINE the Docker engine.
const docker = new DockerRuntime({ engine: process.env.SWE_GYM_DOCKER_ENGINE ?? '/var/run/docker.sock' });

/** What must not depend on the engine: the verdict and every test's status. */
function verdicts(results: EvaluationResult[]): Record<string, { status: string; statusMap: Record<string, string> }> {
  return Object.fromEntries(results.map((r) => [r.instance_id, { status: r.status, statusMap: r.statusMap }]));
}

test('Docker and Podman as a pool of two engines grade the gold batch as one engine does, both taking work', async () => {
  assert.equal(await podman.engineKind(), 'podman');
  assert.equal(await docker.engineKind(), 'docker');
  const ds = await samples();
  const gold = await loadPredictions('gold', ds);
  const one = await runEvaluation(docker, ds, gold, { workers: 2, sessionId: TEST_SESSION, allowPull: false });
  const engineOf = new Map<string, string>();
  const pool: PoolEngine[] = [
    { name: 'docker', runtime: docker, workers: 1 },
    { name: 'podman', runtime: podman, workers: 1 },
  ];
  const pooled = await runEvaluation(pool, ds, gold, { sessionId: TEST_SESSION, allowPull: false, onEvent: (e) => e.type === 'start' && e.engine && engineOf.set(e.instance_id, e.engine) });
  for (const r of pooled.results) assert.equal(r.status, 'resolved', `${r.instance_id} on ${engineOf.get(r.instance_id)}: ${r.error ?? ''}\n${r.testLog.slice(-1000)}`);
  assert.deepEqual(verdicts(pooled.results), verdicts(one.results));
  assert.deepEqual(pooled.summary, one.summary, 'the run summary is the one of a one-engine run');
  assert.deepEqual(new Set(engineOf.values()), new Set(['docker', 'podman']), `both engines took work: ${JSON.stringify([...engineOf])}`);
  assert.deepEqual(await docker.listOurContainers({ sessionId: TEST_SESSION }), []);
  assert.deepEqual(await podman.listOurContainers({ sessionId: TEST_SESSION }), []);
});

test('a Podman service killed mid-run is drained: every instance still finishes, on Docker, with the same verdicts', async () => {
  // A second Podman service of our own (same storage as the tier's), so killing it leaves the tier's alone.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-drain-'));
  const socket = path.join(dir, 'podman.sock');
  const confDir = process.env.SWE_GYM_PODMAN_DIR ?? '/run/swe-gym-podman';
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env: { ...process.env, CONTAINERS_CONF: path.join(confDir, 'containers.conf') }, stdio: 'ignore' });
  const doomed = new DockerRuntime({ engine: socket });
  try {
    for (let i = 0; i < 60 && !(await doomed.ping().then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 500));
    const ds = await samples();
    const gold = (await loadPredictions('gold', ds)).slice(0, 4);
    const engineOf = new Map<string, string>();
    const events: RunEvent[] = [];
    let killed = false;
    const outcome = await runEvaluation(
      [
        { name: 'docker', runtime: docker, workers: 1 },
        { name: 'doomed-podman', runtime: doomed, workers: 1 },
      ],
      ds,
      gold,
      {
        sessionId: TEST_SESSION,
        allowPull: false,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'start' && e.engine) engineOf.set(e.instance_id, e.engine);
          // Killed while its first grade's tests run: that grade must be retried on Docker.
          if (e.type === 'progress' && !killed && engineOf.get(e.instance_id) === 'doomed-podman' && /hidden tests/.test(e.message)) {
            killed = true;
            service.kill('SIGKILL');
          }
        },
      },
    );
    assert.ok(killed, 'the Podman service was killed while it graded');
    const drains = events.filter((e) => e.type === 'drain');
    assert.equal(drains.length >= 1 && drains.every((d) => d.type === 'drain' && d.engine === 'doomed-podman'), true, JSON.stringify(drains));
    assert.equal(outcome.results.length, gold.length);
    for (const r of outcome.results) assert.equal(r.status, 'resolved', `${r.instance_id}: ${r.error ?? ''}`);
    // engineOf holds each instance's last start: a grade cut short on Podman ends on Docker.
    const lastEngine = engineOf;
    const retried = gold.filter((p) => events.filter((e) => e.type === 'start' && e.instance_id === p.instance_id).length > 1);
    assert.ok(retried.length >= 1, 'the grade cut short on Podman was run again');
    for (const p of retried) assert.equal(lastEngine.get(p.instance_id), 'docker');
    assert.deepEqual(await docker.listOurContainers({ sessionId: TEST_SESSION }), []);
  } finally {
    service.kill('SIGKILL');
    // The killed service's containers live on (conmon): remove them through the tier's service.
    for (const c of await podman.listOurContainers({ sessionId: TEST_SESSION }).catch(() => [])) await podman.removeContainer(c.id).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the CLI takes a pool: --engine twice with --workers-per-engine; a pool of one engine named twice is a usage error', () => {
  const cli = path.resolve(__dirname, '../../src/cli/index.js');
  const env = { ...process.env, DOCKER_HOST: '' };
  const podmanSocket = (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '');
  const dockerEngine = process.env.SWE_GYM_DOCKER_ENGINE ?? '/var/run/docker.sock';
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-pool-cli-'));
  try {
    const r = run(['eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', 'swe-gym-studio__argsy-9', 'swe-gym-studio__confini-7', '--no-pull', '--engine', dockerEngine, '--engine', podmanSocket, '--workers-per-engine', '1', '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { resolved: number; total: number };
    assert.deepEqual([report.resolved, report.total], [2, 2], r.stderr);
    assert.match(r.stderr, /1 worker\(s\) on .* and 1 worker\(s\) on /);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  const twice = run(['eval', '--dataset', 'samples', '--predictions', 'gold', '--engine', podmanSocket, '--engine', podmanSocket]);
  assert.equal(twice.status, 2, twice.stderr);
  assert.match(twice.stderr, /same engine twice/);
  const lonely = run(['eval', '--dataset', 'samples', '--predictions', 'gold', '--engine', podmanSocket, '--workers-per-engine', '2']);
  assert.equal(lonely.status, 2, lonely.stderr);
  assert.match(lonely.stderr, /needs a pool/);
});
