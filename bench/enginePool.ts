/**
 * Batch throughput on the samples: one engine (Docker, W workers) against a pool of two (Docker
 * and Podman, W workers each), the same gold batch, alternating rounds in one run; prints
 * instances per minute and the ratio. Needs Podman's service (scripts/lib/ensure-podman.sh prints
 * its socket; pass it as SWE_GYM_PODMAN_SOCKET). On a machine whose CPUs are already busy a second
 * engine adds no CPUs: the ratio then says what the pool costs, not what a second host would give.
 */
import { loadDataset } from '../src/core/dataset/loadDataset';
import { runEvaluation } from '../src/core/harness/runEvaluation';
import { loadPredictions } from '../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import type { PoolEngine } from '../src/core/runtime/enginePool';

const ROUNDS = Number(process.env.BENCH_REPS ?? 2);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

async function main(): Promise<void> {
  const docker = new DockerRuntime({ engine: process.env.SWE_GYM_DOCKER_ENGINE ?? 'docker' });
  const podman = new DockerRuntime({ engine: 'podman' });
  await podman.ping().catch(() => {
    throw new Error('Podman does not answer: start it with `bash scripts/lib/ensure-podman.sh` and set SWE_GYM_PODMAN_SOCKET to the socket it prints.');
  });
  const ds = await loadDataset('samples');
  const gold = await loadPredictions('gold', ds);
  const one: PoolEngine[] = [{ name: 'docker', runtime: docker, workers: WORKERS }];
  const two: PoolEngine[] = [...one, { name: 'podman', runtime: podman, workers: WORKERS }];
  // Images built on both engines first: the rounds time grading, not builds.
  await runEvaluation(two, ds, gold, { allowPull: false, sessionId: 'bench-pool' });
  const times = { one: [] as number[], two: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, engines] of [['one', one], ['two', two]] as const) {
      const t = Date.now();
      const out = await runEvaluation(engines, ds, gold, { allowPull: false, sessionId: 'bench-pool' });
      times[label].push(Date.now() - t);
      const bad = out.results.filter((r) => !r.resolved);
      if (bad.length) throw new Error(`${label}: ${bad.map((r) => `${r.instance_id} ${r.status}`).join(', ')}`);
    }
  }
  const perMin = (ms: number[]) => (gold.length * ms.length * 60_000) / ms.reduce((a, b) => a + b, 0);
  console.log(`samples gold batch (${gold.length} instances), ${WORKERS} worker(s) per engine, ${ROUNDS} round(s) each:`);
  console.log(`  1 engine  (docker):          ${times.one.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')}  -> ${perMin(times.one).toFixed(1)} instances/min`);
  console.log(`  2 engines (docker + podman): ${times.two.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')}  -> ${perMin(times.two).toFixed(1)} instances/min`);
  console.log(`  ratio (pool / one engine): ${(perMin(times.two) / perMin(times.one)).toFixed(2)}x`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
