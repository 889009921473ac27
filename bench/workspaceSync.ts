/**
 * Workspace sync over ssh:// (a dev container on a remote engine; see core WorkspaceSync): the wall
 * time and engine round trips of one push and one pull, for nothing changed, one file and 40 files,
 * against the sync as it was before a sync became one exec each way (bench/fixtures/
 * previousWorkspaceSync.ts), on the same container in the same run, the two alternating.
 * Needs an sshd whose root reaches the engine: `bash scripts/lib/ensure-sshd.sh` (SWE_GYM_SSHD_DIR).
 * The engine is this machine's, so the figures hold no network latency: on a real remote host
 * every round trip also costs its latency, and the ratio of round trips says more than the times.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { launchDevContainer } from '../src/core/devcontainer/launchDevContainer';
import { WorkspaceSync } from '../src/core/devcontainer/workspaceSync';
import { datasetContextOf } from '../src/core/spec/datasetContext';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import type { ContainerHandle } from '../src/core/runtime/containerRuntime';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { PreviousWorkspaceSync } from './fixtures/previousWorkspaceSync';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const ID = process.env.BENCH_INSTANCE ?? 'swe-gym-studio__textkit-12';
const SSHD_DIR = process.env.SWE_GYM_SSHD_DIR ?? '/run/swe-gym-sshd';
const load = () => `load ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/** The container, counting the engine round trips a sync makes (an exec is itself create + start + inspect). */
function counted(c: ContainerHandle, calls: { exec: number; archive: number }): ContainerHandle {
  return {
    id: c.id,
    name: c.name,
    exec: (cmd, o) => (calls.exec++, c.exec(cmd, o)),
    spawn: (cmd, o) => c.spawn(cmd, o),
    putFile: (p, content, mode) => (calls.archive++, c.putFile(p, content, mode)),
    putFiles: (files) => (calls.archive++, c.putFiles(files)),
    readFile: (p) => (calls.archive++, c.readFile(p)),
    copyOut: (p, dir) => (calls.archive++, c.copyOut(p, dir)),
    copyIn: (from, entries, to, signal) => (calls.archive++, c.copyIn(from, entries, to, signal)),
    remove: () => c.remove(),
  };
}

interface Sync {
  start(signal?: AbortSignal): Promise<void>;
  push(): Promise<{ written: string[]; deleted: string[] }>;
  pull(): Promise<{ written: string[]; deleted: string[] }>;
}

async function main(): Promise<void> {
  const port = fs.readFileSync(path.join(SSHD_DIR, 'port'), 'utf8').trim();
  const runtime = new DockerRuntime({ engine: `ssh://root@127.0.0.1:${port}`, connect: { ssh: { identityFile: path.join(SSHD_DIR, 'id_ed25519'), knownHostsFile: path.join(SSHD_DIR, 'known_hosts') } } });
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  if (!inst) throw new Error(`no sample ${ID}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-bench-sync-'));
  console.log(`workspace sync over ssh:// (engine on this machine), ${ID}, ${REPS} reps per case; ${load()} at the start`);
  const dev = await launchDevContainer(runtime, makeInstanceSpec(inst, datasetContextOf(ds), { allowPull: false }), { workspaceRoot: root, sessionId: `bench-${process.pid}` });
  const ws = dev.workspaceDir;
  const inside = async (script: string) => {
    const r = await dev.container.exec(['bash', '-c', script], { cwd: '/testbed' });
    if (r.exitCode !== 0) throw new Error(r.output);
  };
  let n = 0;
  const cases: { name: string; way: 'push' | 'pull'; change: () => Promise<number> }[] = [
    { name: 'push, nothing changed', way: 'push', change: async () => 0 },
    { name: 'push, 1 file saved', way: 'push', change: async () => (fs.appendFileSync(path.join(ws, 'bench-one.txt'), `${n++}\n`), 1) },
    {
      name: 'push, 40 files',
      way: 'push',
      change: async () => {
        fs.mkdirSync(path.join(ws, 'bench-many'), { recursive: true });
        for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(ws, 'bench-many', `f${i}.py`), `x = ${n}\n`.repeat(50));
        n++;
        return 40;
      },
    },
    { name: 'pull, nothing changed', way: 'pull', change: async () => 0 },
    { name: 'pull, 1 file changed', way: 'pull', change: async () => (await inside(`echo ${n++} >> bench-one.txt`), 1) },
    { name: 'pull, 40 files', way: 'pull', change: async () => (await inside(`mkdir -p bench-many && for i in $(seq 0 39); do yes "y = ${n}" | head -n 50 > bench-many/g$i.py; done`), n++, 40) },
  ];
  const impls: [string, (c: ContainerHandle) => Sync][] = [
    ['before', (c) => new PreviousWorkspaceSync(c, ws)],
    ['now', (c) => new WorkspaceSync(c, ws)],
  ];
  try {
    console.log('| Case | Before: ms (median) | round trips | Now: ms (median) | round trips | Time ratio | Load during |');
    console.log('|---|---|---|---|---|---|---|');
    for (const c of cases) {
      const ms: Record<string, number[]> = { before: [], now: [] };
      const trips: Record<string, string> = {};
      const loads: number[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        for (const [label, make] of rep % 2 ? [...impls].reverse() : impls) {
          const calls = { exec: 0, archive: 0 };
          const sync = make(counted(dev.container, calls));
          await sync.start();
          const expected = await c.change();
          const startCalls = { ...calls };
          const t = performance.now();
          const r = c.way === 'push' ? await sync.push() : await sync.pull();
          ms[label]!.push(performance.now() - t);
          if (r.written.length !== expected) throw new Error(`${label} ${c.name}: ${r.written.length} written, ${expected} expected`);
          trips[label] = `${calls.exec - startCalls.exec} exec + ${calls.archive - startCalls.archive} archive`;
          loads.push(os.loadavg()[0] ?? 0);
        }
      }
      const [b, a] = [median(ms.before!), median(ms.now!)];
      console.log(`| ${c.name} | ${b.toFixed(0)} | ${trips.before} | ${a.toFixed(0)} | ${trips.now} | ${(a / Math.max(b, 0.01)).toFixed(2)}x | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`);
    }
  } finally {
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`${load()} at the end`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
