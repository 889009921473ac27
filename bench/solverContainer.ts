/**
 * What the history cut costs per rollout: every container a solver acts in (rollout, fork,
 * replay) is started by startSolverContainer, which cuts /testbed's git history at the base
 * commit before the agent gets a shell. Baseline measured in the same run: a plain container of
 * the same image (create + start + remove). On the textkit sample and, when its image is present,
 * on bench/launch's mypy-sized repository (12,000 files, 11,000 commits up to the base).
 *
 *   npx tsc -p tsconfig.test.json && node out/bench/solverContainer.js
 */
import { performance } from 'node:perf_hooks';
import type { HistoryMode } from '../src/core/devcontainer/gitHistory';
import { loadDataset } from '../src/core/dataset/loadDataset';
import type { TaskInstance } from '../src/core/dataset/taskInstance';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { startSolverContainer } from '../src/core/solver/solverContainer';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const LARGE_IMAGE = 'swe-gym-studio/bench-large-repo:latest';

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const textkit = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  if (!textkit) throw new Error('textkit sample missing');
  const { image } = await ensureImage(runtime, makeInstanceSpec(textkit, datasetContextOf(ds), { allowPull: false }).image);
  const cases: { name: string; instance: TaskInstance; image: string }[] = [{ name: 'textkit (8 commits)', instance: textkit, image }];
  if (await runtime.inspectImage(LARGE_IMAGE)) {
    const large = { ...textkit, instance_id: 'bench__large-repo-1', base_commit: 'base', image_name: LARGE_IMAGE };
    cases.push({ name: 'large repo (11,000 commits, 12,000 files)', instance: large, image: LARGE_IMAGE });
  } else {
    console.log(`(${LARGE_IMAGE} is not built: run bench/launch first for the large-repository figures)`);
  }
  console.log(`median of ${REPS}, ms per container (create + start [+ cut] + remove)`);
  console.log('case                                        plain   cut:full  cut only  cut:shallow  cut only  full/plain');
  for (const c of cases) {
    const plain: number[] = [];
    const full: number[] = [];
    const fullCut: number[] = [];
    const shallow: number[] = [];
    const shallowCut: number[] = [];
    for (let i = 0; i < REPS; i++) {
      let t = performance.now();
      const p = await runtime.createContainer({ image: c.image, purpose: 'bench' });
      await p.remove();
      plain.push(performance.now() - t);
      for (const [mode, total, cut] of [['full', full, fullCut], ['shallow', shallow, shallowCut]] as [HistoryMode, number[], number[]][]) {
        t = performance.now();
        const s = await startSolverContainer(runtime, c.instance, c.image, { purpose: 'bench', historyMode: mode });
        cut.push(s.historyCutMs);
        await s.container.remove();
        total.push(performance.now() - t);
      }
    }
    const f = (n: number) => n.toFixed(0).padStart(8);
    console.log(`${c.name.padEnd(42)}${f(median(plain))}${f(median(full))}  ${f(median(fullCut))}  ${f(median(shallow))}     ${f(median(shallowCut))}  ${(median(full) / median(plain)).toFixed(2).padStart(9)}x`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
