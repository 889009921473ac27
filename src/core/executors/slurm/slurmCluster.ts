import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { abortError } from '../../util/abortError';
import { shardDir, shardLog } from './slurmScript';

/** The Slurm client commands (sbatch, squeue, scontrol), run as they are on PATH with SLURM_CONF as set. */
function slurm(cmd: string, args: string[], signal?: AbortSignal, env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { signal, timeout: 60_000, encoding: 'utf8', env: env ? { ...process.env, ...env } : undefined }, (err, stdout, stderr) => {
      if (signal?.aborted) return reject(abortError(`${cmd}`));
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return reject(new Error(code === 'ENOENT' ? `${cmd} is not installed here: the Slurm executor needs the Slurm client commands (sbatch, squeue, scontrol) on PATH.` : `${cmd} ${args.join(' ')} failed: ${(stderr || err.message).trim()}`));
      }
      resolve(stdout);
    });
  });
}

/**
 * Submits a job script; returns the job id. `env` is added to the environment sbatch passes on to
 * the tasks (secrets: never in the script or any file of the job folder).
 */
export async function submitJob(scriptPath: string, signal?: AbortSignal, env?: Record<string, string>): Promise<string> {
  const out = (await slurm('sbatch', ['--parsable', scriptPath], signal, env)).trim();
  const id = out.split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new Error(`sbatch gave no job id (it printed "${out}")`);
  return id;
}

/** State of each array task still known to squeue (PENDING, RUNNING, ...); empty once all left the queue. */
export async function queuedTasks(jobId: string, signal?: AbortSignal): Promise<Map<string, string>> {
  const out = await slurm('squeue', ['-h', '-r', '-j', jobId, '-o', '%i %T'], signal).catch((err: unknown) => {
    // squeue forgets a finished job and then calls its id invalid: nothing is queued.
    if (/Invalid job id/i.test(String(err))) return '';
    throw err;
  });
  const tasks = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) tasks.set(id, state);
  }
  return tasks;
}

/** Slurm's own word on a finished task (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...) while it still knows the job. */
export async function taskState(jobId: string, index: number, signal?: AbortSignal): Promise<string | undefined> {
  const out = await slurm('scontrol', ['show', 'job', `${jobId}_${index}`], signal).catch(() => '');
  return /JobState=(\S+)/.exec(out)?.[1];
}

export interface ShardOutcome {
  index: number;
  /** `<job>_<index>`, as squeue and sacct name the task. */
  taskId: string;
  ok: boolean;
  exitCode?: number;
  state?: string;
  log: string;
  /** The shard's --json report when it finished. */
  report?: unknown;
}

/**
 * Follows an array job until every task left the queue (polling squeue), reporting progress, then
 * reads what each shard left: its exit code and report. A cancel cancels the job (scancel).
 */
export async function followJob(
  jobId: string,
  slurmDir: string,
  shards: number[],
  options: { pollMs?: number; signal?: AbortSignal; onProgress?: (line: string) => void; /** Exit codes of a shard that finished its work (validate exits 1 on an invalid instance). */ okCodes?: number[] } = {},
): Promise<ShardOutcome[]> {
  const pollMs = options.pollMs ?? (Number(process.env.SWE_GYM_SLURM_POLL_MS) || 2000);
  let last = '';
  for (;;) {
    if (options.signal?.aborted) {
      await slurm('scancel', [jobId]).catch(() => undefined);
      throw abortError(`Slurm job ${jobId}`);
    }
    const queued = await queuedTasks(jobId, options.signal);
    if (queued.size === 0) break;
    const counts = new Map<string, number>();
    for (const state of queued.values()) counts.set(state, (counts.get(state) ?? 0) + 1);
    const line = `job ${jobId}: ${shards.length - queued.size} of ${shards.length} shard(s) done; ${[...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ')}`;
    if (line !== last) options.onProgress?.((last = line));
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return Promise.all(
    shards.map(async (index): Promise<ShardOutcome> => {
      const dir = shardDir(slurmDir, index);
      const code = await fs.readFile(`${dir}/exit_code`, 'utf8').then((t) => Number(t.trim()), () => undefined);
      const report = await fs.readFile(`${dir}/result.json`, 'utf8').then(parseReport, () => undefined);
      const ok = code !== undefined && (options.okCodes ?? [0]).includes(code) && report !== undefined;
      return { index, taskId: `${jobId}_${index}`, ok, exitCode: code, state: ok ? 'COMPLETED' : await taskState(jobId, index), log: shardLog(slurmDir, index), report };
    }),
  );
}

/** A shard's --json report; a crashed shard leaves it empty or cut. */
function parseReport(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
