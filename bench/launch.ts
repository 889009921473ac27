/**
 * Dev-container launch with a cached image: a fresh workspace (history truncated at the base
 * commit, copied out, bind-mounted back) plus a terminal shell answering at /testbed, against the
 * baseline of starting a bare container from the same image in the same run. Target: <= 2 s.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { launchDevContainer } from '../src/core/devcontainer/launchDevContainer';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const datasetDir = path.dirname(ds.files[0] ?? '.');
  const inst = ds.instances.find((i) => i.instance_id === (process.argv[2] ?? 'swe-gym-studio__textkit-12')) ?? ds.instances[0];
  if (!inst) throw new Error('no sample');
  const { image } = await ensureImage(runtime, inst, { flavor: ds.flavor, datasetDir, allowPull: false });

  const bare: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    const c = await runtime.createContainer({ image, purpose: 'bench' });
    await c.exec(['true']);
    bare.push(performance.now() - t);
    await c.remove();
  }

  const launch: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let i = 0; i < REPS; i++) {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-bench-launch-'));
    try {
      const t = performance.now();
      const dev = await launchDevContainer(runtime, inst, { flavor: ds.flavor, datasetDir, workspaceRoot: root, allowPull: false });
      // "Editable workspace with a terminal": the terminal's shell answers at /testbed.
      const shell = await dev.container.spawn(['/bin/bash', '--norc', '-i'], { tty: true, cwd: '/testbed' });
      let out = '';
      shell.onOutput((s) => (out += s));
      shell.write('echo ready-$PWD\n');
      while (!out.includes('ready-/testbed')) await new Promise((r) => setTimeout(r, 5));
      launch.push(performance.now() - t);
      for (const [k, v] of Object.entries(dev.timingsMs)) (steps[k] ??= []).push(v);
      await shell.kill();
      await dev.container.remove();
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
  console.log(`instance                 ${inst.instance_id} (cached image ${image})`);
  console.log(`bare container start    ${median(bare).toFixed(0)} ms (median of ${REPS}: create, start, one exec)`);
  console.log(`launch to terminal      ${median(launch).toFixed(0)} ms (median of ${REPS})   (target <= 2000 ms)   ratio launch/bare ${(median(launch) / median(bare)).toFixed(2)}x`);
  console.log(`  steps (median ms)     ${Object.entries(steps).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
