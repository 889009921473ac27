/**
 * What the confinement of containers with a host mount costs (dropped capabilities,
 * no-new-privileges, our seccomp profile): the same image and the same read-write bind of a
 * sample repository, with and without it, alternating in one run. Figures: container start to a
 * first exec, the sample's test suite (pytest), and a system-call-bound loop (every call passes
 * the seccomp filter: the worst case).
 */
import Docker from 'dockerode';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { DockerContainer } from '../src/core/runtime/docker/dockerContainer';
import { hostMountConfinement } from '../src/core/runtime/docker/hostMountConfinement';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const runtime = new DockerRuntime();
  const docker = new Docker();
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === (process.argv[2] ?? 'swe-gym-studio__textkit-12')) ?? ds.instances[0];
  if (!inst) throw new Error('no sample');
  const { image } = await ensureImage(runtime, makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false }).image);

  // A host copy of the repository to bind-mount, as a dev container gets it.
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-bench-confine-'));
  const seed = await runtime.createContainer({ image, purpose: 'bench' });
  await seed.copyOut('/testbed', root);
  await seed.remove();

  const start = async (confined: boolean): Promise<DockerContainer> => {
    const c = await docker.createContainer({
      Image: image,
      Cmd: ['tail', '-f', '/dev/null'],
      Entrypoint: [],
      Labels: { 'io.swe-gym-studio.owner': 'swe-gym-studio', 'io.swe-gym-studio.purpose': 'bench' },
      WorkingDir: '/testbed',
      HostConfig: { Init: true, AutoRemove: true, Binds: [`${root}:/testbed`], ...(confined ? hostMountConfinement() : {}) },
    });
    await c.start();
    return new DockerContainer(docker, c.id, c.id.slice(0, 12), '/var/run/docker.sock');
  };

  const figures: Record<string, { bare: number[]; confined: number[] }> = { start: { bare: [], confined: [] }, tests: { bare: [], confined: [] }, syscalls: { bare: [], confined: [] } };
  const testCmd = ['bash', '-lc', 'cd /testbed && python3 -m pytest -q -p no:cacheprovider >/dev/null 2>&1; true'];
  const loop = ['python3', '-c', 'import os, time\nt = time.perf_counter()\nfor _ in range(300000): os.stat("/testbed")\nprint(time.perf_counter() - t)'];
  try {
    for (let i = 0; i < REPS; i++) {
      for (const confined of i % 2 ? [true, false] : [false, true]) {
        const key = confined ? 'confined' : 'bare';
        let t = performance.now();
        const c = await start(confined);
        await c.exec(['true']);
        figures.start![key].push(performance.now() - t);
        t = performance.now();
        await c.exec(testCmd, { timeoutMs: 300_000 });
        figures.tests![key].push(performance.now() - t);
        const r = await c.exec(loop, { timeoutMs: 300_000 });
        figures.syscalls![key].push(Number(r.stdout.trim()) * 1000);
        await c.remove();
      }
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  console.log(`instance                ${inst.instance_id} (${REPS} alternating runs each, medians)`);
  const label: Record<string, string> = { start: 'create+start+exec', tests: 'pytest suite', syscalls: '300k stat() calls' };
  for (const [k, v] of Object.entries(figures)) {
    const bare = median(v.bare);
    const confined = median(v.confined);
    console.log(`${(label[k] ?? k).padEnd(22)}  bare ${bare.toFixed(0).padStart(5)} ms   confined ${confined.toFixed(0).padStart(5)} ms   ratio ${(confined / bare).toFixed(2)}x`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
