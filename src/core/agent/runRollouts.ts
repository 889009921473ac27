import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedDataset, TaskInstance } from '../dataset/taskInstance';
import { newRunId } from '../harness/runId';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import type { PythonToolsSettings } from './tools/pythonTools';
import { reapOurContainers } from '../runtime/reaper';
import { datasetContextOf } from '../spec/datasetContext';
import { makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import { AgentRollout, type RolloutOptions, type RolloutResult } from './agentRollout';
import type { ModelProvider } from './model/modelProvider';
import { abortError } from '../util/abortError';
import { BatchCancelledError } from '../util/workerPool';
import { type PoolEngine, runOnEngines } from '../runtime/enginePool';

export interface RolloutRunOptions extends Omit<RolloutOptions, 'runtime' | 'spec' | 'model' | 'index' | 'runId' | 'trajectoryDir' | 'container'>, SpecSettings {
  instances: TaskInstance[];
  /** Rollouts per instance. */
  n: number;
  /** Rollouts at a time, each in its own container. */
  workers: number;
  /** The run folder is <outDir>/<runId>. */
  outDir: string;
  runId?: string;
  /** A fresh provider per rollout (providers keep per-call state). */
  modelFactory: () => ModelProvider;
  /** Called as each rollout is created, before it runs: subscribe a view, keep its controls. */
  onRollout?: (rollout: AgentRollout, instance: TaskInstance, index: number) => void;
  onDone?: (result: RolloutResult, completed: number, total: number) => void;
  /** An engine of a pool stopped answering: its rollouts run again on the others. */
  onDrain?: (engine: string, reason: string) => void;
  /** The python tools' server per engine name (a Node for each engine's architecture); wins over languageServer. */
  languageServerByEngine?: ReadonlyMap<string, PythonToolsSettings>;
}

export interface InstanceSummary {
  instance_id: string;
  rollouts: number;
  /** Rewarded rollouts left out of the figures: they did not start from the base commit in a clean container. */
  not_counted: number;
  resolved: number;
  success_rate: number;
  /** Unbiased pass@k for k = 1..n. */
  pass_at_k: Record<string, number>;
}

export interface RolloutRunOutcome {
  runId: string;
  runDir: string;
  results: RolloutResult[];
  instances: InstanceSummary[];
}

/**
 * N rollouts per instance, W at a time, each in its own container and rewarded by the hidden
 * tests in a fresh one; trajectories under <outDir>/<runId>/ with run.json and summary.json.
 * Cancelling stops scheduling and cancels the rollouts in flight (their containers removed); the
 * summary then says "cancelled" with what finished, and BatchCancelledError is thrown.
 */
export async function runRollouts(target: ContainerRuntime | readonly PoolEngine[], dataset: LoadedDataset, options: RolloutRunOptions): Promise<RolloutRunOutcome> {
  const runId = options.runId ?? newRunId('rollout');
  const runDir = path.join(options.outDir, runId);
  const { instances, n, workers, outDir: _outDir, modelFactory, onRollout, onDone, onDrain, languageServerByEngine, runId: _runId, imageTemplate, allowPull, skipInstall, rules, ...common } = options;
  const engines = Array.isArray(target) ? (target as readonly PoolEngine[]) : [{ name: 'engine', runtime: target as ContainerRuntime, workers }];
  const pooled = engines.length > 1;
  // Every spec first: a row the spec rules out fails the run before any folder or engine work.
  const context = datasetContextOf(dataset);
  const specs = new Map(instances.map((i) => [i.instance_id, makeInstanceSpec(i, context, { imageTemplate, allowPull, skipInstall, rules })]));
  try {
    await fs.mkdir(runDir, { recursive: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`Run ${runId} already exists in ${options.outDir}; every run needs a new id.`);
    await fs.mkdir(runDir, { recursive: true });
  }
  for (const { runtime } of engines) {
    if (!pooled) await runtime.ping(options.signal);
    await reapOurContainers(runtime, { orphansOnly: true }).catch(() => undefined);
  }
  await writeRunRecord(runDir, rolloutRunRecord(runId, dataset.name, instances.map((i) => i.instance_id), n, workers, common.config));
  const queue = instances.flatMap((instance) => Array.from({ length: n }, (_, index) => ({ instance, index })));
  const total = queue.length;
  let results: RolloutResult[];
  let cancelled: BatchCancelledError<RolloutResult> | undefined;
  try {
    results = await runOnEngines(
      queue,
      engines,
      async (item, _index, { engine }) => {
        const { runtime } = engine;
        const languageServer = languageServerByEngine?.get(engine.name);
        const rollout = new AgentRollout({
          ...common,
          ...(languageServer ? { languageServer } : {}),
          runtime,
          spec: specs.get(item.instance.instance_id)!,
          index: item.index,
          runId,
          model: modelFactory(),
          trajectoryDir: runDir,
          sessionId: common.sessionId ?? runId,
        });
        onRollout?.(rollout, item.instance, item.index);
        const result = await rollout.run();
        // A rollout cut short by the cancel is not a finished rollout: it must not count.
        if (result.exitReason === 'cancelled' && options.signal?.aborted) throw abortError(`Rollout ${item.index} of ${item.instance.instance_id}`);
        // On a pool, a rollout its engine failed runs again elsewhere; its partial trajectory is kept aside.
        if (pooled && (result.runError || result.exitReason === 'environment_error') && !(await answers(runtime))) {
          await setAside(result, engine.name);
          throw new Error(`${engine.name} stopped answering during rollout ${item.index} of ${item.instance.instance_id}`);
        }
        return result;
      },
      { signal: options.signal, what: `Run ${runId}`, onDone: (result, done) => onDone?.(result, done, total), onDrain: (engine, reason) => onDrain?.(engine.name, reason) },
    );
  } catch (err) {
    if (!(err instanceof BatchCancelledError)) throw err;
    cancelled = err as BatchCancelledError<RolloutResult>;
    results = [...cancelled.done];
  }
  results.sort((a, b) => a.instanceId.localeCompare(b.instanceId) || a.index - b.index);
  const summaries = instances.map((i) => summarise(i.instance_id, results.filter((r) => r.instanceId === i.instance_id)));
  // A cancelled run still leaves its summary (what finished is worth keeping), marked so that
  // nothing reads it as a finished run.
  await writeRunSummary(runDir, { run_id: runId, status: cancelled ? 'cancelled' : 'finished', completed: results.length, total, rollouts: results.map(summaryRow), instances: summaries });
  if (cancelled) throw cancelled;
  return { runId, runDir, results, instances: summaries };
}

/** run.json: what a rollout run was asked to do. */
export interface RolloutRunRecord {
  run_id: string;
  created_at: string;
  dataset: string;
  instances: string[];
  n: number;
  workers: number;
  config: Record<string, unknown>;
}

export function rolloutRunRecord(runId: string, dataset: string, instanceIds: string[], n: number, workers: number, config: Record<string, unknown> | undefined): RolloutRunRecord {
  return { run_id: runId, created_at: new Date().toISOString(), dataset, instances: instanceIds, n, workers, config: config ?? {} };
}

/** One rollout's line in summary.json. */
export interface RolloutSummaryRow {
  instance_id: string;
  index: number;
  resolved: boolean | null;
  counted: boolean;
  exit_reason: string;
  run_error?: true;
  steps: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  duration_ms: number;
  trajectory: string | null;
}

/** summary.json of a rollout run; `incomplete`: shards of a Slurm run that did not finish are missing. */
export interface RolloutRunSummary {
  run_id: string;
  status: 'finished' | 'cancelled' | 'incomplete';
  completed: number;
  total: number;
  rollouts: RolloutSummaryRow[];
  instances: InstanceSummary[];
}

export function summaryRow(r: RolloutResult): RolloutSummaryRow {
  return { instance_id: r.instanceId, index: r.index, resolved: r.resolved, counted: counts(r), exit_reason: r.exitReason, ...(r.runError ? { run_error: true as const } : {}), steps: r.steps, prompt_tokens: r.totals.promptTokens, completion_tokens: r.totals.completionTokens, cost_usd: r.totals.costUsd, duration_ms: r.durationMs, trajectory: r.trajectoryPath ?? null };
}

export async function writeRunRecord(runDir: string, record: RolloutRunRecord): Promise<void> {
  await fs.writeFile(path.join(runDir, 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
}

export async function writeRunSummary(runDir: string, summary: RolloutRunSummary): Promise<void> {
  await fs.writeFile(path.join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

function answers(runtime: ContainerRuntime): Promise<boolean> {
  return runtime.ping(AbortSignal.timeout(10_000)).then(
    () => true,
    () => false,
  );
}

/** Renames a failed attempt's trajectory files so the retry can write its own under the same name. */
async function setAside(result: RolloutResult, engine: string): Promise<void> {
  const jsonl = result.trajectoryPath?.replace(/\.json$/, '.jsonl');
  for (const file of [result.trajectoryPath, jsonl]) {
    if (file) await fs.rename(file, file.replace(/(\.jsonl?)$/, `.failed-on-${engine.replace(/[^\w.-]+/g, '_')}$1`)).catch(() => undefined);
  }
}

/** Whether a rollout's reward enters success rates and pass@k: it started from the base commit in a clean container. */
export function counts(r: Pick<RolloutResult, 'environment'>): boolean {
  return r.environment?.counted ?? false;
}

export function summarise(instanceId: string, results: RolloutResult[]): InstanceSummary {
  const rewarded = results.filter((r) => r.resolved !== null && counts(r));
  const c = rewarded.filter((r) => r.resolved).length;
  const total = rewarded.length;
  const passAtK: Record<string, number> = {};
  for (let k = 1; k <= total; k++) passAtK[String(k)] = passAtKEstimate(total, c, k);
  const notCounted = results.filter((r) => r.resolved !== null && !counts(r)).length;
  return { instance_id: instanceId, rollouts: results.length, not_counted: notCounted, resolved: c, success_rate: total ? c / total : 0, pass_at_k: passAtK };
}

/** 1 - C(n-c, k) / C(n, k): the chance that k of the n samples include a correct one. */
export function passAtKEstimate(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let p = 1;
  for (let i = n - c + 1; i <= n; i++) p *= 1 - k / i;
  return 1 - p;
}
