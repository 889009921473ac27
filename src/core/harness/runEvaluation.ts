import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedDataset } from '../dataset/taskInstance';
import type { Prediction } from '../predictions/loadPredictions';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { reapOurContainers } from '../runtime/reaper';
import { WarmContainers } from '../runtime/warmContainers';
import { ensureImage } from '../images/ensureImage';
import { normalizePatch } from '../patch/normalizePatch';
import { evalContainerSpec, evaluateInstance, type EvaluateOptions } from './evaluateInstance';
import type { EvaluationResult } from './evaluationResult';
import { summarize, writeInstanceOutputs, type RunSummary } from './reportFiles';
import { newRunId } from './runId';
import { runPool } from '../util/workerPool';

export type RunEvent =
  | { type: 'start'; instance_id: string; index: number; total: number }
  | { type: 'progress'; instance_id: string; message: string }
  | { type: 'done'; result: EvaluationResult; completed: number; total: number };

export interface RunOptions extends Omit<EvaluateOptions, 'runId' | 'modelName' | 'onProgress' | 'flavor' | 'datasetDir'> {
  workers?: number;
  runId?: string;
  /** Where the harness-style outputs go; nothing is written without it. */
  outDir?: string;
  onEvent?: (e: RunEvent) => void;
  /** Start the next instance's container while the current one's tests run (default true). */
  startAhead?: boolean;
}

export interface RunOutcome {
  runId: string;
  results: EvaluationResult[];
  summary: RunSummary;
  summaryPath?: string;
}

/**
 * Evaluates predictions with a pool of workers, each instance in its own fresh container.
 * A run id is never reused: an existing run folder is an error, not a cache.
 */
export async function runEvaluation(runtime: ContainerRuntime, dataset: LoadedDataset, predictions: Prediction[], options: RunOptions = {}): Promise<RunOutcome> {
  const runId = options.runId ?? newRunId();
  const sessionId = options.sessionId ?? runId;
  if (options.outDir && (await exists(path.join(options.outDir, runId)))) {
    throw new Error(`Run id ${runId} already has results in ${path.join(options.outDir, runId)}; every evaluation needs a new run id (reusing one would return stale verdicts).`);
  }
  await runtime.ping(options.signal);
  // Leftovers of an earlier crashed run on this host go first, so they cannot pile up.
  await reapOurContainers(runtime, { orphansOnly: true }).catch(() => undefined);

  const byId = new Map(dataset.instances.map((i) => [i.instance_id, i]));
  const datasetDir = dataset.files[0] ? path.dirname(dataset.files[0]) : undefined;
  const workers = Math.max(1, options.workers ?? 1);
  // Container teardown overlaps with the next evaluation; all of it is awaited before returning.
  const removals: Promise<void>[] = [];
  for (const p of predictions) {
    if (!byId.has(p.instance_id)) throw new Error(`Prediction for unknown instance ${p.instance_id}`);
  }

  // The next instance's container starts while the current one's tests run (each container is
  // still used by one grade only); what nobody took is removed with the run.
  const warm = options.warm ?? new WarmContainers(runtime);
  const startAhead = async (p: Prediction | undefined): Promise<void> => {
    if (!p || options.signal?.aborted || (!normalizePatch(p.model_patch) && !options.runEmptyPatch)) return;
    const instance = byId.get(p.instance_id)!;
    const { image } = await ensureImage(runtime, instance, { flavor: dataset.flavor, datasetDir, template: options.imageTemplate, allowPull: options.allowPull, signal: options.signal });
    warm.prepare(evalContainerSpec(instance, image, { ...options, sessionId }));
  };

  let results: EvaluationResult[];
  try {
    results = await runPool(
      predictions,
      workers,
      async (p, index) => {
        const instance = byId.get(p.instance_id)!;
        options.onEvent?.({ type: 'start', instance_id: p.instance_id, index, total: predictions.length });
        const runLog: string[] = [];
        // Failures here are the next evaluation's to report.
        if (options.startAhead !== false) void startAhead(predictions[index + workers]).catch(() => undefined);
        const result = await evaluateInstance(runtime, instance, p.model_patch, {
          ...options,
          warm,
          flavor: dataset.flavor,
          datasetDir,
          runId,
          sessionId,
          modelName: p.model_name_or_path,
          deferRemoval: (r) => removals.push(r),
          onProgress: (message) => {
            runLog.push(`${new Date().toISOString()} ${message}`);
            options.onEvent?.({ type: 'progress', instance_id: p.instance_id, message });
          },
        });
        if (options.outDir) result.outputDir = await writeInstanceOutputs(options.outDir, result, runLog);
        return result;
      },
      { signal: options.signal, what: `Run ${runId}`, onDone: (result, completed, total) => options.onEvent?.({ type: 'done', result, completed, total }) },
    );
  } finally {
    if (!options.warm) await warm.dispose();
    await Promise.all(removals);
    if (options.signal?.aborted) await reapOurContainers(runtime, { sessionId }).catch(() => undefined);
  }
  results = [...results].sort((a, b) => a.instance_id.localeCompare(b.instance_id));
  const unstopped = (await runtime.listOurContainers({ sessionId }).catch(() => [])).map((c) => c.name);
  const summary = summarize(dataset.instances.length, predictions.map((p) => p.instance_id), results, unstopped);
  let summaryPath: string | undefined;
  if (options.outDir) {
    const model = (predictions[0]?.model_name_or_path ?? 'unknown').replace(/\//g, '__');
    summaryPath = path.join(options.outDir, `${model}.${runId}.json`);
    await fs.mkdir(options.outDir, { recursive: true });
    await fs.writeFile(summaryPath, JSON.stringify(summary, null, 4));
  }
  return { runId, results, summary, summaryPath };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
