import { shellQuote } from '../../util/shellQuote';

export interface SlurmJobOptions {
  jobName: string;
  /** The batch's Slurm folder: job.sh, logs/, shards/<i>/. */
  slurmDir: string;
  /** Working directory of each task (relative paths of the command resolve there). */
  workDir: string;
  /** Shards the batch is split into; task i runs shard i. */
  shards: number;
  /** Only these shards (a resubmission of failed ones); all by default. */
  only?: number[];
  partition?: string;
  /** Passed to sbatch as they are (`--time=1:00:00`, `--mem=16G`, ...). */
  sbatchArgs?: string[];
  /** The CLI invocation of a shard, without its --shard/--out (node, the CLI, the command, its options). */
  command: string[];
}

export const shardDir = (slurmDir: string, i: number | string): string => `${slurmDir}/shards/${i}`;
export const shardLog = (slurmDir: string, i: number | string): string => `${slurmDir}/logs/shard-${i}.out`;

/**
 * The array job: task i runs the CLI on shard i against its node's engine, writing its outputs to
 * shards/<i>/, its --json report to shards/<i>/result.json and its exit code to shards/<i>/exit_code
 * (what the gather step reads; Slurm's accounting may not be kept).
 */
export function slurmArrayScript(o: SlurmJobOptions): string {
  const array = o.only?.length ? o.only.join(',') : `0-${o.shards - 1}`;
  const directive = (arg: string) => `#SBATCH ${arg}`;
  const lines = [
    '#!/bin/bash',
    directive(`--job-name=${shellQuote(o.jobName)}`),
    directive(`--array=${array}`),
    directive(`--output=${shellQuote(shardLog(o.slurmDir, '%a'))}`),
    directive(`--chdir=${shellQuote(o.workDir)}`),
    ...(o.partition ? [directive(`--partition=${shellQuote(o.partition)}`)] : []),
    ...(o.sbatchArgs ?? []).map((a) => directive(shellQuote(a))),
    'set -u',
    'i="$SLURM_ARRAY_TASK_ID"',
    `dir=${shellQuote(shardDir(o.slurmDir, ''))}"$i"`,
    'rm -rf "$dir" && mkdir -p "$dir"',
    `${o.command.map(shellQuote).join(' ')} --shard "$i/${o.shards}" --out "$dir/out" --json > "$dir/result.json"`,
    'rc=$?',
    'echo "$rc" > "$dir/exit_code"',
    'exit "$rc"',
    '',
  ];
  return lines.join('\n');
}
