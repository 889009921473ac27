import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { summarise, writeRunRecord, writeRunSummary, type InstanceSummary, type RolloutRunRecord, type RolloutRunSummary } from '../../agent/runRollouts';
import type { ShardOutcome } from './slurmCluster';
import { shardDir } from './slurmScript';

/** What a run's own files are (everything else in a shard's run folder is a rollout's). */
const RUN_FILES = new Set(['run.json', 'summary.json']);

/**
 * One rollout run from a Slurm job's shards, laid out as a local run: every trajectory (and
 * anything else a rollout left) moved from <shard>/out/<runId>/ to <outDir>/<runId>/, run.json as
 * the coordinator asked for the whole batch, one summary.json over every shard with the
 * trajectory paths pointing into the run folder. Gathering again (after a resubmission) moves
 * only what is still in a shard and rewrites the same files.
 */
export async function gatherRolloutShards(slurmDir: string, runDir: string, record: RolloutRunRecord, outcomes: ShardOutcome[]): Promise<RolloutRunSummary> {
  const rows: RolloutRunSummary['rollouts'] = [];
  const perInstance = new Map<string, InstanceSummary>();
  let finished = true;
  for (const o of outcomes) {
    if (!o.ok) {
      finished = false;
      continue;
    }
    const shardRun = path.join(shardDir(slurmDir, o.index), 'out', record.run_id);
    const text = await fs.readFile(path.join(shardRun, 'summary.json'), 'utf8').catch(() => {
      throw new Error(`Shard ${o.taskId} finished without its run summary ${path.join(shardRun, 'summary.json')}`);
    });
    const part = JSON.parse(text) as RolloutRunSummary;
    if (part.status !== 'finished') finished = false;
    for (const name of await fs.readdir(shardRun)) {
      if (RUN_FILES.has(name)) continue;
      const to = path.join(runDir, name);
      await fs.rm(to, { recursive: true, force: true });
      await fs.rename(path.join(shardRun, name), to);
    }
    rows.push(...part.rollouts.map((r) => ({ ...r, trajectory: r.trajectory && path.join(runDir, path.relative(shardRun, r.trajectory)) })));
    for (const s of part.instances) perInstance.set(s.instance_id, s);
  }
  rows.sort((a, b) => a.instance_id.localeCompare(b.instance_id) || a.index - b.index);
  const summary: RolloutRunSummary = {
    run_id: record.run_id,
    status: finished ? 'finished' : 'incomplete',
    completed: rows.length,
    total: record.instances.length * record.n,
    rollouts: rows,
    // An instance of a shard that did not finish has no rollouts, as in a cancelled local run.
    instances: record.instances.map((id) => perInstance.get(id) ?? summarise(id, [])),
  };
  await writeRunRecord(runDir, record);
  await writeRunSummary(runDir, summary);
  return summary;
}
