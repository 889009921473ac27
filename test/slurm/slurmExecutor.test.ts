import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEvaluation } from '../../src/core/harness/runEvaluation';
import { loadPredictions } from '../../src/core/predictions/loadPredictions';
import { runtime, TEST_SESSION } from '../support/docker';
import { samples } from '../support/samples';

// Run by scripts/test-slurm.sh: a single-node Slurm cluster on this machine, SLURM_CONF set.
const CLI = path.resolve(__dirname, '../../src/cli/index.js');
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { env: { ...env, SWE_GYM_SLURM_POLL_MS: '500' }, encoding: 'utf8', timeout: 280_000 });

test('the gold batch through a Slurm array job gives the summary of a local run, outputs gathered into one run folder', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-slurm-'));
  try {
    const ds = await samples();
    const local = await runEvaluation(runtime, ds, await loadPredictions('gold', ds), { workers: 2, sessionId: TEST_SESSION, allowPull: false, outDir: path.join(out, 'local'), runId: 'same' });
    const r = cli(['eval', '--dataset', 'samples', '--predictions', 'gold', '--no-pull', '--executor', 'slurm', '--array-size', '2', '--out', path.join(out, 'slurm'), '--run-id', 'same', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Submitted Slurm array job (\d+): 2 shard\(s\) of 6 instance\(s\)/);
    assert.match(r.stderr, /job \d+: \d of 2 shard\(s\) done/);
    const report = JSON.parse(r.stdout) as { resolved: number; total: number; summary_path: string; instances: { instance_id: string; status: string; output_dir: string }[]; slurm: { failed_shards: unknown[] } };
    assert.deepEqual(JSON.parse(fs.readFileSync(report.summary_path, 'utf8')), JSON.parse(fs.readFileSync(local.summaryPath!, 'utf8')), 'the same summary as the local run');
    assert.equal(path.basename(report.summary_path), path.basename(local.summaryPath!));
    assert.deepEqual(report.instances.map((i) => [i.instance_id, i.status]), local.results.map((l) => [l.instance_id, l.status]));
    for (const i of report.instances) {
      assert.equal(path.dirname(path.dirname(i.output_dir)), path.join(out, 'slurm', 'same'), 'outputs in the one run folder');
      assert.ok(fs.existsSync(path.join(i.output_dir, 'report.json')), i.output_dir);
    }
    assert.deepEqual(report.slurm.failed_shards, []);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: 'same' }), []);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('a failed shard is reported with its Slurm task id and log; --resubmit-failed runs only it again; --dry-run prints the script', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-slurm-fail-'));
  try {
    const args = ['eval', '--dataset', 'samples', '--predictions', 'gold', '--instances', 'swe-gym-studio__argsy-9', '--no-pull', '--executor', 'slurm', '--out', out, '--run-id', 'r1'];
    const dry = cli([...args, '--array-size', '1', '--partition', 'debug', '--sbatch-arg=--time=10:00', '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^#!\/bin\/bash\n#SBATCH --job-name=swe-gym-eval-r1\n#SBATCH --array=0-0\n#SBATCH --output=\S+\/r1\/slurm\/logs\/shard-%a\.out\n#SBATCH --chdir=\S+\n#SBATCH --partition=debug\n#SBATCH --time=10:00\n/);
    assert.match(dry.stdout, / eval --dataset samples --predictions gold --instances swe-gym-studio__argsy-9 --no-pull --run-id r1 --shard "\$i\/1" --out "\$dir\/out" --json > "\$dir\/result.json"\n/);
    assert.equal(fs.existsSync(path.join(out, 'r1')), false, 'a dry run writes nothing');
    // The engine is the node's: sbatch hands the submitter's environment to the task, here an engine that is not there.
    const failed = cli([...args, '--json'], { ...process.env, SWE_GYM_ENGINE: '/tmp/swe-gym-no-engine-here.sock' });
    assert.equal(failed.status, 1, failed.stderr);
    const m = /shard 0 FAILED: Slurm task (\d+_0)\b.*exit code 1; log: (\S+)/.exec(failed.stderr);
    assert.ok(m, failed.stderr);
    const report = JSON.parse(failed.stdout) as { resolved: number; slurm: { failed_shards: { slurm_task: string; log: string }[] } };
    assert.equal(report.slurm.failed_shards[0]?.slurm_task, m[1]);
    assert.match(fs.readFileSync(m[2]!, 'utf8'), /swe-gym-no-engine-here\.sock/, 'the log says why');
    assert.match(fs.readFileSync(path.join(out, 'gold.r1.json'), 'utf8'), /"incomplete_ids": \[\s*"swe-gym-studio__argsy-9"/);
    const again = cli([...args, '--resubmit-failed', '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /Submitted Slurm array job \d+: 1 shard\(s\)/);
    assert.equal((JSON.parse(again.stdout) as { resolved: number }).resolved, 1);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
