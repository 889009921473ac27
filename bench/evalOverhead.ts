/**
 * Evaluation overhead: the wall time of one full evaluation (fresh container, apply, eval script,
 * grade, remove) minus the bare test command run by `docker exec` in a warm container with the
 * same patches applied, same instance, same run: cold (the grade creates its container) and warm
 * (a never-used container was started ahead, as after a grade in the editor). Also batch
 * throughput at 1 and 2 workers.
 */
import { loadDataset } from '../src/core/dataset/loadDataset';
import { evalContainerSpec, evaluateInstance } from '../src/core/harness/evaluateInstance';
import { WarmContainers } from '../src/core/runtime/warmContainers';
import { runEvaluation } from '../src/core/harness/runEvaluation';
import { buildTestCommand } from '../src/core/harness/specs/testDirectives';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { applyCandidatePatch } from '../src/core/patch/applyPatch';
import { loadPredictions } from '../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';

const REPS = Number(process.env.BENCH_REPS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const id = process.argv[2];
  const inst = ds.instances.find((i) => (id ? i.instance_id === id : (i.test_cmd ?? 'pytest').startsWith('pytest'))) ?? ds.instances[0];
  if (!inst) throw new Error('no sample instance');
  const instSpec = makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false });
  const { image } = await ensureImage(runtime, instSpec.image);

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
  // total: until the container is gone too. Cold and warm grades alternate with the bare run.
  const pool = new WarmContainers(runtime);
  const spec = evalContainerSpec(instSpec, image, {});
  const runs = { cold: { full: [] as number[], total: [] as number[], phases: {} as Record<string, number[]> }, warm: { full: [] as number[], total: [] as number[], phases: {} as Record<string, number[]> } };
  for (let i = 0; i < REPS; i++) {
    for (const kind of ['cold', 'warm'] as const) {
      if (kind === 'warm') {
        // The person reads the verdict and edits: the next container has started by then.
        pool.prepare(spec);
        await pool.started();
      }
      await bareRun();
      let removal: Promise<void> = Promise.resolve();
      const t = performance.now();
      const r = await evaluateInstance(runtime, instSpec, inst.patch, { warm: kind === 'warm' ? pool : undefined, deferRemoval: (p) => (removal = p) });
      runs[kind].full.push(performance.now() - t);
      await removal;
      runs[kind].total.push(performance.now() - t);
      if (r.status !== 'resolved') throw new Error(`gold did not resolve: ${r.status} ${r.error ?? ''}`);
      for (const [k, v] of Object.entries(r.timings)) (runs[kind].phases[k] ??= []).push(v);
    }
  }
  await pool.dispose();
  await warm.remove();
  const bareMs = median(bare);
  console.log(`instance                 ${inst.instance_id}`);
  console.log(`bare test command       ${bareMs.toFixed(0)} ms (median of ${bare.length}, docker exec in a warm container)`);
  for (const kind of ['cold', 'warm'] as const) {
    const fullMs = median(runs[kind].full);
    const target = kind === 'cold' ? 500 : 150;
    console.log(`${kind} evaluation         ${fullMs.toFixed(0)} ms to the verdict, ${median(runs[kind].total).toFixed(0)} ms until the container is removed (median of ${REPS})`);
    console.log(`${kind} overhead           ${(fullMs - bareMs).toFixed(0)} ms to the verdict, ${(median(runs[kind].total) - bareMs).toFixed(0)} ms with teardown   (target <= ${target} ms)   ratio full/bare ${(fullMs / bareMs).toFixed(2)}x`);
    console.log(`  phases (median ms)    ${Object.entries(runs[kind].phases).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', ')}`);
  }
  console.log(`warm vs cold            ${(median(runs.cold.full) - median(runs.warm.full)).toFixed(0)} ms saved per grade`);

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
