import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { summaryFromIds, type RunSummary } from '../../harness/reportFiles';
import type { ShardOutcome } from './slurmCluster';
import { shardDir } from './slurmScript';

export interface GatheredEval {
  summary: RunSummary;
  summaryPath: string;
  /** The shards' per-instance --json entries, in instance order. */
  instances: { instance_id: string; resolved?: boolean; output_dir?: string | null }[];
}

/**
 * One run from an eval's shards, laid out as a local run: each instance's outputs moved to
 * <outDir>/<runId>/<model>/<instance>/, one summary <outDir>/<model>.<runId>.json whose submitted
 * ids are the whole batch's (a failed shard's instances are incomplete).
 */
export async function gatherEvalShards(slurmDir: string, outDir: string, runId: string, submittedIds: string[], outcomes: ShardOutcome[], modelName: string): Promise<GatheredEval> {
  const parts: RunSummary[] = [];
  const instances: GatheredEval['instances'] = [];
  // Named as a local run names it, also when no shard finished.
  const summaryName = `${modelName.replace(/\//g, '__')}.${runId}.json`;
  for (const o of outcomes.filter((x) => x.ok)) {
    const shardOut = path.join(shardDir(slurmDir, o.index), 'out');
    const text = await fs.readFile(path.join(shardOut, summaryName), 'utf8').catch(() => {
      throw new Error(`Shard ${o.taskId} finished without its run summary ${path.join(shardOut, summaryName)}`);
    });
    parts.push(JSON.parse(text) as RunSummary);
    const entries = (o.report as { instances?: GatheredEval['instances'] } | undefined)?.instances ?? [];
    // Each instance's outputs move to the run folder below; its entry says where they are now.
    instances.push(...entries.map((e) => (e.output_dir?.startsWith(shardOut) ? { ...e, output_dir: path.join(outDir, path.relative(shardOut, e.output_dir)) } : e)));
    // Outputs: <shard>/out/<runId>/<model>/<instance>/ -> <outDir>/<runId>/<model>/<instance>/
    const runOut = path.join(shardOut, runId);
    for (const model of await fs.readdir(runOut).catch(() => [])) {
      await fs.mkdir(path.join(outDir, runId, model), { recursive: true });
      for (const inst of await fs.readdir(path.join(runOut, model))) {
        const to = path.join(outDir, runId, model, inst);
        await fs.rm(to, { recursive: true, force: true });
        await fs.rename(path.join(runOut, model, inst), to);
      }
    }
  }
  const union = (pick: (s: RunSummary) => string[]) => [...new Set(parts.flatMap(pick))].sort();
  const done = new Set([...union((s) => s.submitted_ids)].filter((id) => !union((s) => s.incomplete_ids).includes(id)));
  const lists = { completed: union((s) => s.completed_ids), done, resolved: union((s) => s.resolved_ids), unresolved: union((s) => s.unresolved_ids), empty: union((s) => s.empty_patch_ids), errors: union((s) => s.error_ids) };
  const summary = summaryFromIds(parts[0]?.total_instances ?? submittedIds.length, submittedIds, lists, parts.flatMap((s) => s.unstopped_containers));
  const summaryPath = path.join(outDir, summaryName);
  await fs.writeFile(summaryPath, JSON.stringify(summary, null, 4));
  instances.sort((a, b) => a.instance_id.localeCompare(b.instance_id));
  return { summary, summaryPath, instances };
}

/** A validation's shards: their reports' instances, in instance order. */
export function gatherValidateShards(outcomes: ShardOutcome[]): { instance_id: string; ok: boolean }[] {
  return outcomes
    .filter((o) => o.ok)
    .flatMap((o) => (o.report as { instances?: { instance_id: string; ok: boolean }[] } | undefined)?.instances ?? [])
    .sort((a, b) => a.instance_id.localeCompare(b.instance_id));
}
