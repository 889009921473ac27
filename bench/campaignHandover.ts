/**
 * Campaign hand-over: the time from a demonstration's *finish* (graded, closed) to the next
 * instance being ready (its dev container up and its terminal's shell answering at /testbed),
 * with the next instance's image present. Measured with the campaign's prefetch (the next
 * workspace copied while the person worked on the current one, so the hand-over only starts a
 * container) against without it (copy and container at the hand-over), alternating in the same
 * run, on a sample repository and on the mypy-sized bench repository (12,000 files, 11,000
 * commits). The current instance's container stays up during the hand-over, as in VS Code
 * (it is stopped once the next one is open). Target: under 3 s.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Campaign } from '../src/core/campaign/campaign';
import { CampaignPrefetcher } from '../src/core/campaign/campaignPrefetch';
import { loadDataset } from '../src/core/dataset/loadDataset';
import type { TaskInstance } from '../src/core/dataset/taskInstance';
import { launchDevContainer } from '../src/core/devcontainer/launchDevContainer';
import { REPO_DIR } from '../src/core/devcontainer/devShell';
import { ensureImage } from '../src/core/images/ensureImage';
import type { ContainerHandle } from '../src/core/runtime/containerRuntime';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec, type InstanceSpec } from '../src/core/spec/instanceSpec';
import { largeRepoInstance } from './fixtures/largeRepoInstance';
import { timeToPrompt } from './fixtures/timeToPrompt';

const REPS = Number(process.env.BENCH_REPS ?? 3);
/** Whose files the workspace holds: a person's VS Code does not run as root (BENCH_HOST_USER=uid:gid). */
const [uid, gid] = (process.env.BENCH_HOST_USER ?? '1000:1000').split(':').map(Number);
const HOST_USER = { uid: uid ?? 1000, gid: gid ?? uid ?? 1000 };
const FIXTURES = path.resolve(__dirname, '..', '..', 'bench', 'fixtures');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const runtime = new DockerRuntime();

/** One hand-over from `current` to `next`: the finish's bookkeeping, the next launch, its prompt. */
async function handOver(current: InstanceSpec, next: InstanceSpec, prefetch: boolean): Promise<{ ms: number; launchMs: number; load: number }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-bench-campaign-'));
  const workspaceRoot = path.join(root, 'ws');
  const prefetcher = new CampaignPrefetcher(() => runtime, { workspaceRoot, hostUser: HOST_USER });
  const up: ContainerHandle[] = [];
  try {
    const campaign = Campaign.create(path.join(root, 'out'), { dataset: 'bench', pickedBy: { kind: 'list', file: 'bench' }, instanceIds: [current.instanceId, next.instanceId] });
    // The person works on the current instance; with prefetch, the next is prepared meanwhile.
    const working = await launchDevContainer(runtime, current, { workspaceRoot, hostUser: HOST_USER });
    up.push(working.container);
    if (prefetch && !(await prefetcher.prefetch(next))?.created) throw new Error(`prefetch failed: ${prefetcher.error(next.instanceId)}`);
    const load = os.loadavg()[0] ?? 0;
    const t = performance.now();
    campaign.complete(current.instanceId, { resolved: true });
    if (prefetch) await prefetcher.handOver(next.instanceId);
    const dev = await launchDevContainer(runtime, next, { workspaceRoot, hostUser: HOST_USER });
    up.push(dev.container);
    const launchMs = performance.now() - t;
    await timeToPrompt(dev.container);
    const ms = performance.now() - t;
    if (dev.reusedWorkspace !== prefetch) throw new Error(`the launch ${dev.reusedWorkspace ? 'reused' : 'copied'} the workspace (prefetch ${prefetch})`);
    return { ms, launchMs, load };
  } finally {
    await prefetcher.stop();
    for (const c of up) await c.remove().catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function measure(label: string, current: InstanceSpec, next: InstanceSpec): Promise<void> {
  const times = { with: [] as number[], without: [] as number[] };
  const launchWith: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < REPS; i++) {
    // Alternating, so both see the same machine load.
    for (const prefetch of i % 2 ? [true, false] : [false, true]) {
      const r = await handOver(current, next, prefetch);
      times[prefetch ? 'with' : 'without'].push(r.ms);
      if (prefetch) launchWith.push(r.launchMs);
      load.push(r.load);
    }
  }
  const [w, wo] = [median(times.with), median(times.without)];
  console.log(
    `${label.padEnd(34)} with prefetch ${w.toFixed(0).padStart(6)} ms (target < 3000)   without ${wo.toFixed(0).padStart(6)} ms   ratio ${(w / wo).toFixed(2)}x   ` +
      `(median of ${REPS}; with ${times.with.map((x) => x.toFixed(0)).join('/')}, without ${times.without.map((x) => x.toFixed(0)).join('/')}; load ${median(load).toFixed(1)})`,
  );
  console.log(`${''.padEnd(34)}   of which the container's launch ${median(launchWith).toFixed(0)} ms, the shell's first prompt ${(w - median(launchWith)).toFixed(0)} ms (medians)`);
}

async function main(): Promise<void> {
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const samples = await loadDataset('samples');
  const sampleSpec = (id: string) => makeInstanceSpec(samples.instances.find((i) => i.instance_id === id) as TaskInstance, datasetContextOf(samples), { allowPull: false });
  const [a, b] = [sampleSpec('swe-gym-studio__textkit-12'), sampleSpec('swe-gym-studio__argsy-9')];
  for (const s of [a, b]) await ensureImage(runtime, s.image);

  // The large repository's base commit is known only from its image.
  const placeholder = makeInstanceSpec(largeRepoInstance(), { flavor: 'swe-gym', dir: FIXTURES }, { allowPull: false });
  const ensured = await ensureImage(runtime, placeholder.image, { onProgress: (e) => e.phase === 'build' && process.stdout.write('.') });
  const probe = await runtime.createContainer({ image: ensured.image, purpose: 'bench' });
  const base = (await probe.exec(['git', '-c', 'safe.directory=*', 'rev-parse', 'base^{commit}'], { cwd: REPO_DIR })).stdout.trim();
  await probe.remove();
  const large = (n: number) => makeInstanceSpec(largeRepoInstance({ instance_id: `bench__large-repo-${n}`, base_commit: base }), { flavor: 'swe-gym', dir: FIXTURES }, { allowPull: false });

  console.log(`finish → next instance ready (dev container up, shell prompt at /testbed), image present; files for uid ${HOST_USER.uid}`);
  await measure('sample (textkit → argsy)', a, b);
  await measure('12,000 files, 11,000 commits', large(1), large(2));
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
