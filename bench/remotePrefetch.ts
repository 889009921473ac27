/**
 * Would a campaign gain from preparing a remote engine's next instance further ahead than its
 * image? On an ssh:// engine a launch makes the workspace in the dev container (the copy at the
 * base commit), brings it to this machine through the archive API, and keeps both sides synced.
 * A prefetch could seed the host copy ahead; the launch would then only copy it into the
 * container (the path a kept workspace takes). Measured, alternating in one run:
 *  - fresh: the launch as a campaign's hand-over does it today (image present, no host copy);
 *  - host copy ahead: the same launch when the host copy is already there (a kept, unedited one);
 * and the parts of the fresh launch: the copy inside the container, and its trip to the host
 * (the most a launch could save by reusing a host copy while still seeding in the container).
 * Engine: BENCH_ENGINE (ssh://user@host:port; BENCH_SSH_DIR holds id_ed25519 and known_hosts, as
 * scripts/lib/ensure-sshd.sh writes them), default the test sshd in $SWE_GYM_SSHD_DIR.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import type { TaskInstance } from '../src/core/dataset/taskInstance';
import { REPO_DIR } from '../src/core/devcontainer/devShell';
import { launchDevContainer } from '../src/core/devcontainer/launchDevContainer';
import { copyRepositoryAtBase, SEED_OUT_DIR } from '../src/core/devcontainer/workspaceCopy';
import { ensureImage } from '../src/core/images/ensureImage';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec, type InstanceSpec } from '../src/core/spec/instanceSpec';
import { largeRepoInstance } from './fixtures/largeRepoInstance';
import { timeToPrompt } from './fixtures/timeToPrompt';

const FIXTURES = path.resolve(__dirname, '..', '..', 'bench', 'fixtures');

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SSH_DIR = process.env.BENCH_SSH_DIR ?? process.env.SWE_GYM_SSHD_DIR ?? '/run/swe-gym-sshd';
const ENGINE = process.env.BENCH_ENGINE ?? `ssh://root@127.0.0.1:${fs.readFileSync(path.join(SSH_DIR, 'port'), 'utf8').trim()}`;
const runtime = new DockerRuntime({ engine: ENGINE, connect: { ssh: { identityFile: path.join(SSH_DIR, 'id_ed25519'), knownHostsFile: path.join(SSH_DIR, 'known_hosts') } } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

/** One launch to the first prompt; the workspace root decides whether a host copy is there. */
async function launch(spec: InstanceSpec, workspaceRoot: string): Promise<{ total: number; workspace: number; reused: boolean }> {
  const t = performance.now();
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot });
  try {
    await timeToPrompt(dev.container);
    return { total: performance.now() - t, workspace: dev.timingsMs.workspace, reused: dev.reusedWorkspace };
  } finally {
    await dev.container.remove().catch(() => undefined);
  }
}

/** The fresh launch's two halves: the copy inside the container, and bringing it to the host. */
async function parts(spec: InstanceSpec): Promise<{ seed: number; copyOut: number }> {
  const c = await runtime.createContainer({ image: spec.image.name, purpose: 'bench' });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-bench-remote-out-'));
  try {
    await c.exec(['mkdir', '-p', SEED_OUT_DIR]);
    let t = performance.now();
    await copyRepositoryAtBase(c, REPO_DIR, spec.baseCommit, { owner: { uid: 1000, gid: 1000 } });
    const seed = performance.now() - t;
    t = performance.now();
    await c.copyOut(SEED_OUT_DIR, out);
    return { seed, copyOut: performance.now() - t };
  } finally {
    await c.remove().catch(() => undefined);
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`engine ${ENGINE}; load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const samples = await loadDataset('samples');
  const ids = (process.env.BENCH_IDS ?? 'swe-gym-studio__textkit-12,swe-gym-studio__argsy-9').split(',').filter(Boolean);
  const specs = ids.map((id) => makeInstanceSpec(samples.instances.find((i) => i.instance_id === id) as TaskInstance, datasetContextOf(samples), { allowPull: false }));
  // BENCH_LARGE=1: also the mypy-sized bench repository (12,000 files, 11,000 commits).
  if (process.env.BENCH_LARGE === '1') {
    const placeholder = makeInstanceSpec(largeRepoInstance(), { flavor: 'swe-gym', dir: FIXTURES }, { allowPull: false });
    const ensured = await ensureImage(runtime, placeholder.image);
    const probe = await runtime.createContainer({ image: ensured.image, purpose: 'bench' });
    const base = (await probe.exec(['git', '-c', 'safe.directory=*', 'rev-parse', 'base^{commit}'], { cwd: REPO_DIR })).stdout.trim();
    await probe.remove();
    specs.push(makeInstanceSpec(largeRepoInstance({ base_commit: base }), { flavor: 'swe-gym', dir: FIXTURES }, { allowPull: false }));
  }
  for (const spec of specs) {
    const id = spec.instanceId;
    await ensureImage(runtime, spec.image);
    const fresh: number[] = [];
    const ahead: number[] = [];
    const freshWs: number[] = [];
    const aheadWs: number[] = [];
    const seed: number[] = [];
    const copyOut: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-bench-remote-'));
      try {
        load.push(os.loadavg()[0] ?? 0);
        // Fresh first (it leaves the host copy), then the launch that finds it: a host copy made ahead.
        const f = await launch(spec, root);
        const a = await launch(spec, root);
        if (f.reused || !a.reused) throw new Error('the second launch did not find the host copy');
        fresh.push(f.total);
        freshWs.push(f.workspace);
        ahead.push(a.total);
        aheadWs.push(a.workspace);
        const p = await parts(spec);
        seed.push(p.seed);
        copyOut.push(p.copyOut);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
    const files = (await (async () => {
      const c = await runtime.createContainer({ image: spec.image.name, purpose: 'bench' });
      try {
        return (await c.exec(['bash', '-c', 'find . -type f | wc -l'], { cwd: REPO_DIR })).stdout.trim();
      } finally {
        await c.remove().catch(() => undefined);
      }
    })());
    console.log(
      `${id} (${files} files): launch to prompt, fresh ${ms(median(fresh))} (workspace step ${ms(median(freshWs))}), host copy ahead ${ms(median(ahead))} (workspace step ${ms(median(aheadWs))}), ratio ${(median(ahead) / median(fresh)).toFixed(2)}x`,
    );
    console.log(
      `${''.padEnd(id.length)}   fresh workspace step = copy in the container ${ms(median(seed))} + its trip to the host ${ms(median(copyOut))} + shell and sync start; medians of ${REPS}, fresh ${fresh.map((x) => x.toFixed(0)).join('/')}, ahead ${ahead.map((x) => x.toFixed(0)).join('/')}; load ${median(load).toFixed(1)}`,
    );
  }
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
