/**
 * Batch throughput on the samples, local vs Slurm: the same gold batch graded by one local run
 * (BENCH_WORKERS workers) and by `swe-gym eval --executor slurm --array-size K` (K shards of one
 * worker each, on this machine's one-node cluster), alternating rounds in one run; prints
 * instances per minute, the ratio and the load average. Needs the cluster (scripts/lib/ensure-slurm.sh
 * prints its config: pass it as SLURM_CONF). Here the cluster's node is this machine, so the ratio
 * says what the array job costs (submit, poll, gather), not what more nodes would give.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../src/core/dataset/loadDataset';
import { runEvaluation } from '../src/core/harness/runEvaluation';
import { loadPredictions } from '../src/core/predictions/loadPredictions';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';

const ROUNDS = Number(process.env.BENCH_REPS ?? 2);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SHARDS = Number(process.env.BENCH_SHARDS ?? 2);
const CLI = path.resolve(__dirname, '../src/cli/index.js');

function slurmRun(out: string, runId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'eval', '--dataset', 'samples', '--predictions', 'gold', '--no-pull', '--executor', 'slurm', '--array-size', String(SHARDS), '--out', out, '--run-id', runId, '--json'], { env: { ...process.env, SWE_GYM_SLURM_POLL_MS: '250' }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`slurm run failed: ${stderr}`));
      const report = JSON.parse(stdout) as { resolved: number; total: number };
      if (report.resolved !== report.total) return reject(new Error(`slurm run resolved ${report.resolved}/${report.total}`));
      resolve();
    });
  });
}

async function main(): Promise<void> {
  if (!process.env.SLURM_CONF) throw new Error('Set SLURM_CONF to the cluster config (bash scripts/lib/ensure-slurm.sh prints it).');
  const runtime = new DockerRuntime();
  const ds = await loadDataset('samples');
  const gold = await loadPredictions('gold', ds);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-slurm-'));
  const load = [os.loadavg()[0] ?? 0];
  try {
    // Images first: the rounds time grading, not builds.
    await runEvaluation(runtime, ds, gold, { allowPull: false, sessionId: 'bench-slurm', outDir: out, runId: 'warmup' });
    const times = { local: [] as number[], slurm: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      let t = Date.now();
      const local = await runEvaluation(runtime, ds, gold, { workers: WORKERS, allowPull: false, sessionId: 'bench-slurm', outDir: out, runId: `local-${round}` });
      times.local.push(Date.now() - t);
      if (local.results.some((r) => !r.resolved)) throw new Error('local run did not resolve every instance');
      t = Date.now();
      await slurmRun(out, `slurm-${round}`);
      times.slurm.push(Date.now() - t);
      load.push(os.loadavg()[0] ?? 0);
    }
    const perMin = (ms: number[]) => (gold.length * ms.length * 60_000) / ms.reduce((a, b) => a + b, 0);
    const fmt = (ms: number[]) => ms.map((x) => `${(x / 1000).toFixed(1)} s`).join(', ');
    console.log(`samples gold batch (${gold.length} instances), ${ROUNDS} round(s) each, load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)} on ${os.cpus().length} CPUs:`);
    console.log(`  local (${WORKERS} workers):          ${fmt(times.local)}  -> ${perMin(times.local).toFixed(1)} instances/min`);
    console.log(`  Slurm (${SHARDS} shards x 1 worker): ${fmt(times.slurm)}  -> ${perMin(times.slurm).toFixed(1)} instances/min`);
    console.log(`  ratio (Slurm / local): ${(perMin(times.slurm) / perMin(times.local)).toFixed(2)}x`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
