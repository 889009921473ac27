/**
 * Evaluation overhead: the wall time of one full evaluation (fresh container, apply, eval script,
 * grade, remove) minus the bare test command run by `docker exec` in a warm container with the
 * same patches applied, same instance, same run. Also batch throughput at 1 and 2 workers.
 */
import { loadDataset } from '../src/core/dataset/loadDataset';
import { evaluateInstance } from '../src/core/harness/evaluateInstance';
import { runEvaluation } from '../src/core/harness/runEvaluation';
import { buildTestCommand } from '../src/core/harness/specs/testDirectives';
import { ensureImage } from '../src/core/images/ensureImage';
import { applyCandidatePatch } from '../src/core/patch/applyPatch';
import { loadPredictions } from '../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import * as path from 'node:path';

const REPS = Number(process.env.BENCH_REPS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const datasetDir = path.dirname(ds.files[0] ?? '.');
  const id = process.argv[2];
  const inst = ds.instances.find((i) => (id ? i.instance_id === id : (i.test_cmd ?? 'pytest').startsWith('pytest'))) ?? ds.instances[0];
  if (!inst) throw new Error('no sample instance');
  const { image } = await ensureImage(runtime, inst, { flavor: ds.flavor, datasetDir, allowPull: false });

  // Baseline: the bare test command in a warm container (gold and test patch applied once).
  // Bare and full runs alternate so both see the same machine load.
  const warm = await runtime.createContainer({ image, purpose: 'bench' });
  const bare: number[] = [];
  const cmd = buildTestCommand(inst);
  for (const p of [inst.patch, inst.test_patch]) {
    const applied = await applyCandidatePatch(warm, p, 'swe-gym');
    if (!applied.applied) throw new Error(`cannot apply: ${applied.reason}`);
  }
  const bareRun = async () => {
    const t = performance.now();
    await warm.exec(['/bin/bash', '-c', cmd], { cwd: '/testbed' });
    bare.push(performance.now() - t);
  };

  // Verdict latency: until the reward is known (teardown deferred, as runEvaluation does);
  // total: until the container is gone too.
  const full: number[] = [];
  const total: number[] = [];
  const phases: Record<string, number[]> = {};
  for (let i = 0; i < REPS; i++) {
    await bareRun();
    let removal: Promise<void> = Promise.resolve();
    const t = performance.now();
    const r = await evaluateInstance(runtime, inst, inst.patch, { flavor: ds.flavor, datasetDir, allowPull: false, deferRemoval: (p) => (removal = p) });
    full.push(performance.now() - t);
    await removal;
    total.push(performance.now() - t);
    if (r.status !== 'resolved') throw new Error(`gold did not resolve: ${r.status} ${r.error ?? ''}`);
    for (const [k, v] of Object.entries(r.timings)) (phases[k] ??= []).push(v);
  }
  await warm.remove();
  const bareMs = median(bare);
  const fullMs = median(full);
  console.log(`instance                 ${inst.instance_id}`);
  console.log(`bare test command       ${bareMs.toFixed(0)} ms (median of ${REPS}, docker exec in a warm container)`);
  console.log(`full evaluation         ${fullMs.toFixed(0)} ms to the verdict, ${median(total).toFixed(0)} ms until the container is removed (median of ${REPS})`);
  console.log(`overhead                ${(fullMs - bareMs).toFixed(0)} ms to the verdict, ${(median(total) - bareMs).toFixed(0)} ms with teardown   (target <= 500 ms)   ratio full/bare ${(fullMs / bareMs).toFixed(2)}x`);
  console.log(`  phases (median ms)    ${Object.entries(phases).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', ')}`);

  const gold = await loadPredictions('gold', ds);
  const times: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const t = performance.now();
    const out = await runEvaluation(runtime, ds, gold, { workers, allowPull: false });
    times[workers] = performance.now() - t;
    const resolved = out.results.filter((r) => r.resolved).length;
    console.log(`batch ${workers} worker(s)       ${(times[workers] / 1000).toFixed(2)} s for ${gold.length} gold evaluations (${resolved} resolved), ${((gold.length / times[workers]) * 60000).toFixed(1)} evals/min`);
  }
  console.log(`speed-up 2 vs 1 worker  ${((times[1] ?? 0) / (times[2] ?? 1)).toFixed(2)}x   (target >= 1.6x)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
