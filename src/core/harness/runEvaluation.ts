import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedDataset, TaskInstance } from '../dataset/taskInstance';
import { type DatasetContext, datasetContextOf } from '../spec/datasetContext';
import { familyOf, rulesFor } from '../spec/specFamily';
import type { RuleSet } from '../grading/ruleSet';
import { type InstanceSpec, InstanceSpecError, makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import type { Prediction } from '../predictions/loadPredictions';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { reapOurContainers } from '../runtime/reaper';
import { WarmContainers } from '../runtime/warmContainers';
import { ensureImage } from '../images/ensureImage';
import { normalizePatch } from '../patch/normalizePatch';
import { evalContainerSpec, evaluateInstance, type EvaluateOptions, warmUpCommand } from './evaluateInstance';
import type { EvaluationResult } from './evaluationResult';
import { summarize, writeInstanceOutputs, type RunSummary } from './reportFiles';
import { newRunId } from './runId';
import { type PoolEngine, runOnEngines } from '../runtime/enginePool';

export type RunEvent =
  | { type: 'start'; instance_id: string; index: number; total: number; engine?: string }
  | { type: 'drain'; engine: string; reason: string; requeued: number }
  | { type: 'progress'; instance_id: string; message: string }
  | { type: 'done'; result: EvaluationResult; completed: number; total: number };

export interface RunOptions extends Omit<EvaluateOptions, 'runId' | 'modelName' | 'onProgress'>, SpecSettings {
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
 * Given several engines (a pool), the batch is spread over them, each with its own `workers`
 * slots; an engine that stops answering is drained and its instances graded on the others.
 */
export async function runEvaluation(target: ContainerRuntime | readonly PoolEngine[], dataset: LoadedDataset, predictions: Prediction[], options: RunOptions = {}): Promise<RunOutcome> {
  const runId = options.runId ?? newRunId();
  const sessionId = options.sessionId ?? runId;
  if (options.outDir && (await exists(path.join(options.outDir, runId)))) {
    throw new Error(`Run id ${runId} already has results in ${path.join(options.outDir, runId)}; every evaluation needs a new run id (reusing one would return stale verdicts).`);
  }
  const byId = new Map(dataset.instances.map((i) => [i.instance_id, i]));
  for (const p of predictions) {
    if (!byId.has(p.instance_id)) throw new Error(`Prediction for unknown instance ${p.instance_id}`);
  }
  // Every spec first: what a row alone rules out fails before any engine work.
  const context = datasetContextOf(dataset);
  const specs = new Map<string, InstanceSpec | InstanceSpecError>();
  for (const p of predictions) {
    if (!specs.has(p.instance_id)) specs.set(p.instance_id, specOrError(byId.get(p.instance_id)!, context, options));
  }
  const engines = isPool(target) ? target : [{ name: 'engine', runtime: target, workers: Math.max(1, options.workers ?? 1) }];
  const pooled = engines.length > 1;
  // A pool starts with the engines that answer; one engine that does not is the run's error.
  const answering = pooled ? await answeringEngines(engines, options.signal) : engines;
  for (const { runtime } of answering) {
    if (!pooled) await runtime.ping(options.signal);
    // Leftovers of an earlier crashed run on this host go first, so they cannot pile up.
    await reapOurContainers(runtime, { orphansOnly: true }).catch(() => undefined);
  }

  // Container teardown overlaps with the next evaluation; all of it is awaited before returning.
  const removals: Promise<void>[] = [];

  // The next instance's container starts while the current one's tests run (each container is
  // still used by one grade only); what nobody took is removed with the run. One set per engine.
  const warms = new Map(answering.map((e) => [e.runtime, options.warm?.runtime === e.runtime ? options.warm : new WarmContainers(e.runtime)]));
  const startAhead = async (runtime: ContainerRuntime, p: Prediction | undefined): Promise<void> => {
    if (!p || options.signal?.aborted || (!normalizePatch(p.model_patch) && !options.runEmptyPatch)) return;
    const spec = specs.get(p.instance_id);
    if (!spec || spec instanceof InstanceSpecError) return;
    const { image } = await ensureImage(runtime, spec.image, { signal: options.signal });
    warms.get(runtime)?.prepare(evalContainerSpec(spec, image, { ...options, sessionId }), { warmUp: warmUpCommand(spec) });
  };

  let results: EvaluationResult[];
  try {
    results = await runOnEngines(
      predictions,
      answering,
      async (p, index, slot) => {
        const { runtime } = slot.engine;
        const spec = specs.get(p.instance_id)!;
        options.onEvent?.({ type: 'start', instance_id: p.instance_id, index, total: predictions.length, ...(pooled ? { engine: slot.engine.name } : {}) });
        const runLog: string[] = pooled ? [`${new Date().toISOString()} Engine: ${slot.engine.name}`] : [];
        // Failures here are the next evaluation's to report.
        if (options.startAhead !== false) void startAhead(runtime, slot.reserveNext()).catch(() => undefined);
        const result = spec instanceof InstanceSpecError ? unspecifiable(spec, p, runId, rulesFor(familyOf(byId.get(p.instance_id)!.repo, context), options.rules).reference) : await evaluateInstance(runtime, spec, p.model_patch, {
          ...options,
          warm: warms.get(runtime),
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
      {
        signal: options.signal,
        what: `Run ${runId}`,
        onDone: (result, completed, total) => options.onEvent?.({ type: 'done', result, completed, total }),
        // A grade the engine failed is retried on another engine when this one no longer answers.
        suspect: (r) => pooled && r.infraFailure === 'engine',
        onDrain: (engine, reason, requeued) => options.onEvent?.({ type: 'drain', engine: engine.name, reason, requeued }),
      },
    );
  } finally {
    for (const warm of warms.values()) if (warm !== options.warm) await warm.dispose().catch(() => undefined);
    await Promise.all(removals);
    if (options.signal?.aborted) for (const { runtime } of answering) await reapOurContainers(runtime, { sessionId }).catch(() => undefined);
  }
  results = [...results].sort((a, b) => a.instance_id.localeCompare(b.instance_id));
  const unstopped: string[] = [];
  for (const { runtime } of answering) unstopped.push(...(await runtime.listOurContainers({ sessionId }).catch(() => [])).map((c) => c.name));
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

function isPool(target: ContainerRuntime | readonly PoolEngine[]): target is readonly PoolEngine[] {
  return Array.isArray(target);
}

/** The engines of a pool that answer now; none answering is an error naming each. */
export async function answeringEngines(engines: readonly PoolEngine[], signal?: AbortSignal): Promise<PoolEngine[]> {
  const checks = await Promise.all(engines.map((e) => e.runtime.ping(signal).then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)))));
  const up = engines.filter((_, i) => checks[i] === undefined);
  if (up.length === 0) throw new Error(`No engine of the pool answers: ${engines.map((e, i) => `${e.name}: ${checks[i]}`).join('; ')}`);
  return up;
}

function specOrError(row: TaskInstance, context: DatasetContext, settings: SpecSettings): InstanceSpec | InstanceSpecError {
  try {
    return makeInstanceSpec(row, context, settings);
  } catch (err) {
    if (err instanceof InstanceSpecError) return err;
    throw err;
  }
}

/** The result for a row the spec rules out: nothing ran. */
function unspecifiable(err: InstanceSpecError, p: Prediction, runId: string, rules: RuleSet): EvaluationResult {
  return {
    instance_id: p.instance_id,
    run_id: runId,
    model_name_or_path: p.model_name_or_path,
    status: 'error',
    resolved: false,
    rules,
    statusMap: {},
    patch: p.model_patch ?? '',
    testLog: '',
    applyLog: '',
    skippedInstall: false,
    error: `Cannot evaluate this row (nothing was pulled or started): ${err.message}`,
    warnings: [],
    durationMs: 0,
    timings: { imageMs: 0, containerMs: 0, applyMs: 0, testsMs: 0, removeMs: 0 },
  };
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
