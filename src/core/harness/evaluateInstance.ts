import { ensureImage } from '../images/ensureImage';
import { normalizePatch } from '../patch/normalizePatch';
import type { ContainerHandle, ContainerRuntime, ContainerSpec } from '../runtime/containerRuntime';
import type { WarmContainers } from '../runtime/warmContainers';
import type { InstanceSpec } from '../spec/instanceSpec';
import { gradeWithSpec } from '../spec/gradeWithSpec';
import { runGrade } from './runGrade';
import { type EvaluationResult, type EvaluationStatus, type InfraFailure, INFRA_FAILURE_LABELS } from './evaluationResult';
import { newRunId } from './runId';
import { abortError, throwIfAborted } from '../util/abortError';
import { shellQuote } from '../util/shellQuote';

export const DEFAULT_TEST_TIMEOUT_SECONDS = 1800;
/** Output past this is cut, and a cut log is an infrastructure failure, never graded. */
export const DEFAULT_MAX_TEST_OUTPUT_BYTES = 16 * 1024 * 1024;

/** How to run one evaluation; what to evaluate (image, script, parser, rules) is the spec's. */
export interface EvaluateOptions {
  runId?: string;
  modelName?: string;
  /** Whole eval script budget, as the harness's timeout. */
  timeoutSeconds?: number;
  /** Cap on the test log (default 16 MiB); a longer log is an infrastructure failure. */
  maxOutputBytes?: number;
  sessionId?: string;
  memoryBytes?: number;
  /**
   * Called with the container's removal instead of awaiting it, so the verdict is not held up by
   * the engine's teardown; whoever passes it must await the promises (runEvaluation does).
   */
  deferRemoval?: (removal: Promise<void>) => void;
  /**
   * Run the tests even when the patch is empty (validation: the FAIL_TO_PASS tests must fail on
   * the untouched base). The harness itself never runs an empty patch.
   */
  runEmptyPatch?: boolean;
  /**
   * Containers started ahead: the grade takes a never-used one made from its exact spec when one
   * waits (skipping create + start), else creates one as usual. Ignored unless on the same runtime.
   */
  warm?: WarmContainers;
  /** With warm: after the grade, start the next never-used container of this instance (a person re-running the tests). */
  keepWarm?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** The container a grade of this instance runs in; a container started ahead is made from the same spec. */
export function evalContainerSpec(spec: InstanceSpec, image: string, options: Pick<EvaluateOptions, 'sessionId' | 'memoryBytes'>): ContainerSpec {
  return {
    image,
    purpose: 'eval',
    instanceId: spec.instanceId,
    sessionId: options.sessionId,
    memoryBytes: options.memoryBytes,
    network: spec.evalNetwork === 'none' ? 'none' : undefined,
  };
}

/**
 * What a container started ahead runs before its grade: git's and Python's first start-up in a new
 * container (about a second under load, against a warm one). Nothing of the candidate or the
 * hidden tests exists yet, no bytecode is written (-B), and the grade waits for it to end.
 */
export function warmUpCommand(spec: InstanceSpec): string[] {
  return ['/bin/sh', '-c', `cd ${shellQuote(spec.repoDir)} && git status --porcelain >/dev/null 2>&1; ${shellQuote(spec.python.interpreter)} -B -c 'import pytest' >/dev/null 2>&1; true`];
}

/**
 * Grades one candidate patch exactly as the SWE-bench harness does: a fresh container from the
 * instance image, the candidate applied with the harness's fallbacks, the eval script (hidden test
 * patch, test command), the repo's log parser, FAIL_TO_PASS / PASS_TO_PASS grading. The container
 * is always removed. Cancellation rejects with an AbortError after the clean-up.
 */
export async function evaluateInstance(runtime: ContainerRuntime, spec: InstanceSpec, candidatePatch: string | null, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const started = Date.now();
  const rules = spec.rules.reference;
  const progress = options.onProgress ?? (() => undefined);
  const patch = normalizePatch(candidatePatch);
  const result: EvaluationResult = {
    instance_id: spec.instanceId,
    run_id: options.runId ?? newRunId(),
    model_name_or_path: options.modelName ?? 'unknown',
    status: 'error',
    resolved: false,
    rules,
    statusMap: {},
    patch,
    testLog: '',
    applyLog: '',
    skippedInstall: false,
    warnings: [],
    durationMs: 0,
    timings: { imageMs: 0, containerMs: 0, applyMs: 0, testsMs: 0, removeMs: 0 },
  };
  const finish = (status: EvaluationStatus, error?: string): EvaluationResult => {
    result.status = status;
    result.resolved = status === 'resolved';
    if (error) result.error = error;
    result.durationMs = Date.now() - started;
    return result;
  };
  // Only failures of ours (engine, our timeout, our limits) land here; a log rejected for its
  // content is graded unresolved with the reason instead.
  const infraFailure = (kind: InfraFailure, message: string): EvaluationResult => {
    result.infraFailure = kind;
    return finish(kind === 'timeout' ? 'timeout' : 'error', `Infrastructure failure (${INFRA_FAILURE_LABELS[kind]}): ${message}`);
  };
  if (!patch && !options.runEmptyPatch) return finish('empty_patch', candidatePatch?.trim() ? 'The prediction holds no `diff --git` patch.' : undefined);

  let container: ContainerHandle | undefined;
  let keepWarm: (() => void) | undefined;
  try {
    let t = Date.now();
    progress('Ensuring the image');
    const ensured = await ensureImage(runtime, spec.image, {
      signal: options.signal,
      onProgress: (e) => progress(e.message),
    });
    result.image = ensured.image;
    result.warnings.push(...ensured.warnings);
    result.timings.imageMs = Date.now() - t;

    t = Date.now();
    progress('Starting a fresh container');
    const containerSpec = evalContainerSpec(spec, ensured.image, options);
    const warm = options.warm?.runtime === runtime ? options.warm : undefined;
    // A waiting container is taken unchecked: if something removed it, the grade's exec cannot
    // even be created, nothing ran, and the grade goes to a new container (no engine round trip
    // spent checking on the common path).
    let taken = warm?.take(containerSpec);
    container = (await taken) ?? (await runtime.createContainer({ ...containerSpec, signal: options.signal }));
    if (warm && options.keepWarm) keepWarm = () => warm.prepare(containerSpec, { warmUp: warmUpCommand(spec) });
    result.timings.containerMs = Date.now() - t;

    const script = spec.evalScript;
    result.evalScript = script.text;
    result.skippedInstall = script.skippedInstall;
    t = Date.now();
    progress(patch ? 'Applying the candidate patch' : 'Running the hidden tests');
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TEST_TIMEOUT_SECONDS;
    const onPatchStep = patch ? () => progress('Running the hidden tests') : undefined;
    const gradeOptions = { patch, strategy: spec.applyStrategy, timeoutSeconds, maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_TEST_OUTPUT_BYTES, signal: options.signal, onPatchStep };
    let run = await runGrade(runtime, container, script, gradeOptions);
    if (run.stage === 'not_started' && taken) {
      const gone = container;
      container = undefined;
      await gone.remove().catch(() => undefined);
      taken = undefined;
      container = await runtime.createContainer({ ...containerSpec, signal: options.signal });
      result.timings.containerMs += Date.now() - t;
      t = Date.now();
      run = await runGrade(runtime, container, script, gradeOptions);
    }
    throwIfAborted(options.signal);
    if (run.stage === 'not_started') return infraFailure('container_lost', `the container was gone before the grade began: ${run.error.message}`);
    result.timings.applyMs = patch ? run.applyMs : 0;
    if (run.stage === 'apply_failed') {
      result.applyLog = run.apply.log;
      return finish('patch_apply_failed', `Patch failed to apply: ${run.apply.reason ?? 'no strategy applied it'}`);
    }
    result.applyLog = run.apply?.log ?? '';
    result.timings.testsMs = patch ? run.testsMs : run.applyMs + run.testsMs;
    result.testLog = run.run.log;
    result.testExitCode = run.run.exitCode;
    if (!run.run.ok) return infraFailure(run.run.failure, run.run.message);
    result.warnings.push(...run.run.notes);
    return grade(spec, result, finish);
  } catch (err) {
    if (options.signal?.aborted) throw abortError(`Evaluation of ${spec.instanceId}`);
    return infraFailure('engine', err instanceof Error ? err.message : String(err));
  } finally {
    if (container) {
      const t = Date.now();
      const doomed = container;
      const removal = doomed.remove().then(
        () => {
          result.timings.removeMs = Date.now() - t;
        },
        (err: unknown) => {
          result.warnings.push(`Could not remove container ${doomed.name}: ${err instanceof Error ? err.message : String(err)}. The engine removes it when it next stops it (auto-remove), or run \`swe-gym cleanup\`.`);
        },
      );
      if (options.deferRemoval) options.deferRemoval(removal);
      else await removal;
      result.durationMs = Date.now() - started;
    }
    // The next grade's container starts once this one is done, not while its tests compete for the CPU.
    if (!options.signal?.aborted) keepWarm?.();
  }
}

function grade(spec: InstanceSpec, result: EvaluationResult, finish: (s: EvaluationStatus, e?: string) => EvaluationResult): EvaluationResult {
  // Each rule set checks and parses the raw log its own way; the status map shown is the reference one.
  const { grade: both, statusMap } = gradeWithSpec(spec, result.testLog, result.testExitCode);
  result.grade = both;
  result.statusMap = statusMap;
  // What the log says is the candidate's doing (it can print any marker): unresolved, with the reason.
  if (both.reference.rejected !== null) return finish('unresolved', `The test log was rejected: ${both.reference.rejected}`);
  return finish(both.reference.resolved ? 'resolved' : 'unresolved');
}
