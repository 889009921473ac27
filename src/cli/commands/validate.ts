import { validateInstances } from '../../core/harness/validateInstances';
import { cliEngines, POOL_USAGE, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, positiveInt, progress, requireOption, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';
import { formatTable } from '../table';
import { EVAL_OPTIONS, instanceIds, parseRules } from './eval';
import { gatherValidateShards } from '../../core/executors/slurm/gatherShards';
import { newRunId } from '../../core/harness/runId';
import { applyShard, EXECUTOR_USAGE, runOnSlurm, wantsSlurm } from '../slurmOption';
import * as path from 'node:path';
import { validationFlags } from '../../core/annotations/validationFlags';

const USAGE = 'swe-gym validate --dataset D [--instances ID...] [--reruns N] [--workers N] [--timeout S] [--skip-install] [--json] ' + RUNTIME_USAGE + ' ' + POOL_USAGE + ' ' + EXECUTOR_USAGE;

/** Gold must resolve (every rerun), the untouched base must not. Exit 1 when any instance fails. */
export async function validateCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, { ...EVAL_OPTIONS, reruns: { type: 'string' } }, USAGE);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const instances = applyShard(selectInstances(dataset, instanceIds(values, positionals)), values, (i) => i.instance_id);
  if (wantsSlurm(values)) {
    const runId = values['run-id'] ?? newRunId('validate');
    return runOnSlurm(ctx, 'validate', values, positionals, {
      instanceIds: instances.map((i) => i.instance_id),
      outDir: path.resolve(values.out ?? 'runs'),
      runId,
      okCodes: [0, 1],
      gather: async (_slurmDir, outcomes, jobIds) => {
        const merged = gatherValidateShards(outcomes);
        const failed = outcomes.filter((x) => !x.ok).map((x) => ({ shard: x.index, slurm_task: x.taskId, state: x.state ?? null, exit_code: x.exitCode ?? null, log: x.log }));
        const valid = merged.filter((v) => v.ok).length;
        if (values.json) writeJson(ctx, { total: instances.length, valid, instances: merged, slurm: { job_ids: jobIds, shards: outcomes.length, failed_shards: failed } });
        else ctx.stdout.write(`${valid}/${instances.length} valid (Slurm job ${jobIds.join(', ')}${failed.length ? `, ${failed.length} shard(s) FAILED` : ''})\n`);
        return failed.length || valid !== instances.length ? 1 : 0;
      },
    });
  }
  progress(ctx, `Validating ${instances.length} instance(s): gold must resolve, the base must not`);
  const results = await validateInstances(cliEngines(values), dataset, instances, {
    goldRuns: positiveInt(values.reruns, 'reruns', 1),
    workers: positiveInt(values.workers, 'workers', 1),
    timeoutSeconds: values.timeout ? positiveInt(values.timeout, 'timeout', 1800) : undefined,
    rules: parseRules(values.rules),
    skipInstall: values['skip-install'],
    allowPull: !values['no-pull'],
    imageTemplate: values['image-template'],
    signal: ctx.signal,
    onDrain: (engine, reason) => progress(ctx, `engine ${engine} drained (${reason}); its instances go to the other engines`),
    onResult: (v) => progress(ctx, `${v.instance_id}: ${v.ok ? 'valid' : `INVALID — ${v.problems.join('; ')}`}`),
  });
  const valid = results.filter((v) => v.ok).length;
  if (values.json) {
    writeJson(ctx, {
      total: results.length,
      valid,
      instances: results.map((v) => ({
        instance_id: v.instance_id,
        ok: v.ok,
        gold_statuses: v.gold.map((g) => g.status),
        base_status: v.base.status,
        problems: v.problems,
        flaky_tests: v.flakyTests,
        flags: validationFlags(v),
      })),
    });
  } else {
    ctx.stdout.write(
      `${formatTable(
        ['instance', 'gold', 'base', 'flaky', 'unmatchable', 'missing', 'F2P on base', 'verdict'],
        results.map((v) => [v.instance_id, v.gold.map((g) => g.status).join(','), v.base.status, String(v.flakyTests.length), String(v.unmatchableTests.length), String(v.missingTests.length), String(v.passingOnBase.length), v.ok ? 'valid' : 'INVALID']),
      )}\n\n${valid}/${results.length} valid\n`,
    );
  }
  return valid === results.length ? 0 : 1;
}
