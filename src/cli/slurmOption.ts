import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseShard, shardOf, type Shard } from '../core/executors/shard';
import { followJob, submitJob, type ShardOutcome } from '../core/executors/slurm/slurmCluster';
import { slurmArrayScript } from '../core/executors/slurm/slurmScript';
import { positiveInt, progress, UsageError, type CliContext } from './cliContext';

/** Options of the batch commands that can run as a Slurm array job. */
export const EXECUTOR_OPTIONS = {
  executor: { type: 'string' },
  partition: { type: 'string' },
  'array-size': { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  'resubmit-failed': { type: 'boolean' },
  shard: { type: 'string' },
} as const;

export const EXECUTOR_USAGE = '[--executor local|slurm [--partition P] [--array-size K] [--sbatch-arg=ARG ...] [--dry-run] [--resubmit-failed --run-id R]]';

export interface ExecutorValues {
  executor?: string;
  partition?: string;
  'array-size'?: string;
  'sbatch-arg'?: string[];
  'dry-run'?: boolean;
  'resubmit-failed'?: boolean;
  shard?: string;
}

/**
 * Options that belong to the coordinating run, never passed on to a shard's command. `header`
 * values may be credentials: they reach the shards in the environment (MODEL_HEADERS_ENV).
 */
const NOT_FOR_SHARDS = new Set([...Object.keys(EXECUTOR_OPTIONS), 'out', 'json', 'run-id', 'header']);

/** The model request headers of a Slurm run's shards (a JSON object), as OPENAI_API_KEY carries the key. */
export const MODEL_HEADERS_ENV = 'SWE_GYM_MODEL_HEADERS';

export function wantsSlurm(values: ExecutorValues): boolean {
  const executor = values.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new UsageError(`--executor takes local or slurm, got "${executor}"`);
  if (executor === 'local') {
    for (const k of ['partition', 'array-size', 'sbatch-arg', 'dry-run', 'resubmit-failed'] as const) {
      if (values[k] !== undefined) throw new UsageError(`--${k} needs --executor slurm`);
    }
  }
  return executor === 'slurm';
}

/** The shard a Slurm task runs (--shard I/K), undefined for a whole batch. */
export function shardFrom(values: ExecutorValues): Shard | undefined {
  if (values.shard === undefined) return undefined;
  try {
    return parseShard(values.shard);
  } catch (err) {
    throw new UsageError(`--shard: ${(err as Error).message}`);
  }
}

export function applyShard<T>(items: T[], values: ExecutorValues, idOf: (item: T) => string): T[] {
  const shard = shardFrom(values);
  return shard ? shardOf(items, shard, idOf) : items;
}

interface JobRecord {
  run_id: string;
  job_ids: string[];
  shards: number;
  instance_ids: string[];
  command: string[];
  work_dir: string;
  /** Names of the model request headers the shards get from the environment (values never written). */
  model_headers?: string[];
}

/**
 * Runs a batch command as a Slurm array job: writes <out>/<run>/slurm/job.sh (task i runs this CLI
 * on shard i), submits it, follows it and hands the shards' outcomes to `gather`. --dry-run prints
 * the script; --resubmit-failed submits again only the shards of run R that did not finish.
 */
export async function runOnSlurm(
  ctx: CliContext,
  command: 'eval' | 'validate' | 'rollout',
  values: ExecutorValues & Record<string, unknown>,
  positionals: string[],
  o: {
    instanceIds: string[];
    outDir: string;
    runId: string;
    okCodes?: number[];
    /** --header values: passed to the tasks in the environment, only their names recorded. */
    modelHeaders?: Record<string, string>;
    gather: (slurmDir: string, outcomes: ShardOutcome[], jobIds: string[]) => Promise<number>;
  },
): Promise<number> {
  const headers = o.modelHeaders ?? {};
  const runDir = path.join(o.outDir, o.runId);
  const slurmDir = path.join(runDir, 'slurm');
  const recordPath = path.join(slurmDir, 'job.json');
  let record: JobRecord;
  let only: number[] | undefined;
  if (values['resubmit-failed']) {
    if (!values['run-id']) throw new UsageError('--resubmit-failed needs --run-id of the run whose failed shards to submit again');
    record = JSON.parse(await fs.readFile(recordPath, 'utf8').catch(() => {
      throw new UsageError(`No Slurm run ${o.runId} in ${o.outDir} (${recordPath} is missing)`);
    })) as JobRecord;
    only = [];
    for (let i = 0; i < record.shards; i++) {
      const code = await fs.readFile(path.join(slurmDir, 'shards', String(i), 'exit_code'), 'utf8').then((t) => Number(t.trim()), () => undefined);
      if (code === undefined || !(o.okCodes ?? [0]).includes(code)) only.push(i);
    }
    const missing = (record.model_headers ?? []).filter((name) => !(name in headers));
    if (missing.length && only.length) throw new UsageError(`Run ${o.runId} sent the header(s) ${missing.join(', ')}, whose values are never written: give --header ${missing[0]}=VALUE again to resubmit.`);
    if (only.length === 0) {
      progress(ctx, `Every shard of ${o.runId} finished; nothing to resubmit.`);
      return o.gather(slurmDir, await outcomesOf(record, slurmDir, o.okCodes), record.job_ids);
    }
  } else {
    const shards = Math.min(positiveInt(values['array-size'], 'array-size', Math.min(o.instanceIds.length, 1000)), o.instanceIds.length);
    const forward: string[] = [];
    for (const [key, value] of Object.entries(values)) {
      if (NOT_FOR_SHARDS.has(key) || value === undefined || value === false) continue;
      for (const v of Array.isArray(value) ? value : [value]) forward.push(...(v === true ? [`--${key}`] : [`--${key}`, String(v)]));
    }
    record = { run_id: o.runId, job_ids: [], shards, instance_ids: o.instanceIds, command: [process.execPath, path.resolve(process.argv[1] ?? 'swe-gym'), command, ...positionals, ...forward, '--run-id', o.runId], work_dir: process.cwd(), ...(Object.keys(headers).length ? { model_headers: Object.keys(headers) } : {}) };
  }
  const script = slurmArrayScript({
    jobName: `swe-gym-${command}-${o.runId}`,
    slurmDir,
    workDir: record.work_dir,
    shards: record.shards,
    only,
    partition: values.partition,
    sbatchArgs: values['sbatch-arg'],
    command: record.command,
  });
  if (values['dry-run']) {
    ctx.stdout.write(script);
    return 0;
  }
  if (!only) {
    try {
      await fs.mkdir(runDir, { recursive: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`Run ${o.runId} already exists in ${o.outDir}; every run needs a new id (--resubmit-failed --run-id ${o.runId} submits its failed shards again).`);
      await fs.mkdir(runDir, { recursive: true });
    }
  }
  await fs.mkdir(path.join(slurmDir, 'logs'), { recursive: true });
  const scriptPath = path.join(slurmDir, only ? `job.resubmit-${record.job_ids.length}.sh` : 'job.sh');
  await fs.writeFile(scriptPath, script, { mode: 0o755 });
  const jobId = await submitJob(scriptPath, ctx.signal, Object.keys(headers).length ? { [MODEL_HEADERS_ENV]: JSON.stringify(headers) } : undefined);
  record.job_ids.push(jobId);
  await fs.writeFile(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  const submitted = only ?? Array.from({ length: record.shards }, (_, i) => i);
  progress(ctx, `Submitted Slurm array job ${jobId}: ${submitted.length} shard(s) of ${record.instance_ids.length} instance(s); scripts and logs in ${slurmDir}`);
  const followed = await followJob(jobId, slurmDir, submitted, { signal: ctx.signal, okCodes: o.okCodes, onProgress: (line) => progress(ctx, line) });
  const outcomes = (await outcomesOf(record, slurmDir, o.okCodes)).map((x) => followed.find((f) => f.index === x.index) ?? x);
  for (const f of outcomes.filter((x) => !x.ok)) {
    progress(ctx, `shard ${f.index} FAILED: Slurm task ${f.taskId}${f.state ? ` (${f.state})` : ''}, exit code ${f.exitCode ?? 'none'}; log: ${f.log}`);
  }
  return o.gather(slurmDir, outcomes, record.job_ids);
}

/** Every shard's outcome as its files say (after any number of submissions): job ids of the last one that ran it. */
async function outcomesOf(record: JobRecord, slurmDir: string, okCodes?: number[]): Promise<ShardOutcome[]> {
  const jobId = record.job_ids[record.job_ids.length - 1] ?? '?';
  const out: ShardOutcome[] = [];
  for (let i = 0; i < record.shards; i++) {
    const dir = path.join(slurmDir, 'shards', String(i));
    const code = await fs.readFile(path.join(dir, 'exit_code'), 'utf8').then((t) => Number(t.trim()), () => undefined);
    const report = await fs.readFile(path.join(dir, 'result.json'), 'utf8').then(parseReport, () => undefined);
    out.push({ index: i, taskId: `${jobId}_${i}`, ok: code !== undefined && (okCodes ?? [0]).includes(code) && report !== undefined, exitCode: code, log: path.join(slurmDir, 'logs', `shard-${i}.out`), report });
  }
  return out;
}

/** A shard's --json report; a crashed shard leaves it empty or cut. */
function parseReport(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
