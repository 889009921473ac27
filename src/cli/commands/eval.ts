import * as path from 'node:path';
import { runEvaluation } from '../../core/harness/runEvaluation';
import { RULE_SETS, type RuleSet } from '../../core/grading/ruleSet';
import { evalJsonEntry } from '../../core/gym/evalJson';
import { loadPredictions } from '../../core/predictions/loadPredictions';
import { parseCommandArgs, positiveInt, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';
import { evaluationTable, resultLine } from '../evaluationTable';
import { cliEngines, POOL_OPTIONS, POOL_USAGE, RUNTIME_USAGE } from '../runtimeOptions';
import { gatherEvalShards } from '../../core/executors/slurm/gatherShards';
import { newRunId } from '../../core/harness/runId';
import { applyShard, EXECUTOR_OPTIONS, EXECUTOR_USAGE, runOnSlurm, shardFrom, wantsSlurm } from '../slurmOption';

const USAGE =
  'swe-gym eval --dataset D --predictions P|gold|empty [--instances ID...] [--workers N] [--timeout S] [--run-id R] [--out DIR] [--rules swe-gym|swebench-v4|swebench-v5] [--skip-install] [--no-pull] [--json] ' + RUNTIME_USAGE + ' ' + POOL_USAGE + ' ' + EXECUTOR_USAGE;

export const EVAL_OPTIONS = {
  ...POOL_OPTIONS,
  ...EXECUTOR_OPTIONS,
  dataset: { type: 'string' },
  instances: { type: 'string', multiple: true },
  workers: { type: 'string' },
  timeout: { type: 'string' },
  'run-id': { type: 'string' },
  out: { type: 'string' },
  rules: { type: 'string' },
  'skip-install': { type: 'boolean' },
  'no-pull': { type: 'boolean' },
  'image-template': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function parseRules(value: string | undefined): RuleSet | undefined {
  if (value === undefined) return undefined;
  if (!(RULE_SETS as readonly string[]).includes(value)) throw new UsageError(`--rules takes one of ${RULE_SETS.join(', ')}, got "${value}"`);
  return value as RuleSet;
}

/** `--instances a b c` and `--instances a --instances b` both work. */
export function instanceIds(values: { instances?: string[] }, positionals: string[]): string[] | undefined {
  const ids = [...(values.instances ?? []), ...positionals].flatMap((s) => s.split(',')).filter(Boolean);
  return ids.length ? ids : undefined;
}

export async function evalCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, { ...EVAL_OPTIONS, predictions: { type: 'string' } }, USAGE);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const selected = new Set(selectInstances(dataset, instanceIds(values, positionals)).map((i) => i.instance_id));
  const loaded = (await loadPredictions(requireOption(values.predictions, 'predictions', USAGE), dataset)).filter((p) => selected.has(p.instance_id));
  const predictions = applyShard(loaded, values, (p) => p.instance_id);
  if (predictions.length === 0) throw new UsageError('No predictions left to evaluate for the selected instances.');
  const outDir = path.resolve(values.out ?? 'runs');
  if (wantsSlurm(values)) {
    const runId = values['run-id'] ?? newRunId();
    const ids = predictions.map((p) => p.instance_id);
    return runOnSlurm(ctx, 'eval', values, positionals, {
      instanceIds: ids,
      outDir,
      runId,
      gather: async (slurmDir, outcomes, jobIds) => {
        const g = await gatherEvalShards(slurmDir, outDir, runId, ids, outcomes, predictions[0]?.model_name_or_path ?? 'unknown');
        const failed = outcomes.filter((x) => !x.ok).map((x) => ({ shard: x.index, slurm_task: x.taskId, state: x.state ?? null, exit_code: x.exitCode ?? null, log: x.log }));
        if (values.json) writeJson(ctx, { run_id: runId, total: ids.length, resolved: g.summary.resolved_instances, summary_path: g.summaryPath, instances: g.instances, slurm: { job_ids: jobIds, shards: outcomes.length, failed_shards: failed } });
        else ctx.stdout.write(`run ${runId}: ${g.summary.resolved_instances}/${ids.length} resolved (Slurm job ${jobIds.join(', ')}, ${outcomes.length} shard(s)${failed.length ? `, ${failed.length} FAILED` : ''}); outputs in ${path.join(outDir, runId)}, summary ${g.summaryPath}\n`);
        return failed.length ? 1 : 0;
      },
    });
  }
  const engines = cliEngines(values);
  progress(ctx, `Evaluating ${predictions.length} prediction(s) from ${dataset.name} with ${Array.isArray(engines) ? engines.map((e) => `${e.workers} worker(s) on ${e.name}`).join(' and ') : `${positiveInt(values.workers, 'workers', 1)} worker(s)`}`);
  const shard = shardFrom(values);
  const outcome = await runEvaluation(engines, dataset, predictions, {
    // Shards of one run grade at once: each its own session, so none counts another's containers as its own.
    ...(shard && values['run-id'] ? { sessionId: `${values['run-id']}-shard-${shard.index}` } : {}),
    workers: positiveInt(values.workers, 'workers', 1),
    timeoutSeconds: values.timeout ? positiveInt(values.timeout, 'timeout', 1800) : undefined,
    runId: values['run-id'],
    outDir,
    rules: parseRules(values.rules),
    skipInstall: values['skip-install'],
    allowPull: !values['no-pull'],
    imageTemplate: values['image-template'],
    signal: ctx.signal,
    onEvent: (e) => {
      if (e.type === 'start' && e.engine) progress(ctx, `${e.instance_id}: on ${e.engine}`);
      if (e.type === 'done') progress(ctx, `[${e.completed}/${e.total}] ${resultLine(e.result)}`);
      if (e.type === 'drain') progress(ctx, `engine ${e.engine} drained (${e.reason}); ${e.requeued} instance(s) go to the other engines`);
    },
  });
  const resolved = outcome.results.filter((r) => r.resolved).length;
  if (values.json) {
    writeJson(ctx, {
      run_id: outcome.runId,
      total: outcome.results.length,
      resolved,
      summary_path: outcome.summaryPath ?? null,
      instances: outcome.results.map(evalJsonEntry),
    });
  } else {
    ctx.stdout.write(`${evaluationTable(outcome.results)}\n\nrun ${outcome.runId}: ${resolved}/${outcome.results.length} resolved; outputs in ${path.join(outDir, outcome.runId)}\n`);
  }
  for (const r of outcome.results) for (const w of r.warnings) progress(ctx, `warning: ${r.instance_id}: ${w}`);
  return 0;
}
