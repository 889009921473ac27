import type { ContainerHandle, ContainerRuntime } from '../runtime/containerRuntime';
import { ContainerGoneError } from '../runtime/errors';
import { markerTrace, TEST_OUTPUT_END } from '../grading/outputMarkers';
import type { EvalScript } from './evalScript';
import type { InfraFailure } from './evaluationResult';

const REPO_DIR = '/testbed';
/** The reset after the tests gets at least this long, even when the tests used most of the budget. */
const RESET_TIMEOUT_MS = 60_000;
/** How bash's xtrace prints our end marker: the candidate can print it too, but cannot remove ours. */
const END_MARKER_TRACE = markerTrace(TEST_OUTPUT_END);
const STATE_CHECKS = 15;
const STATE_CHECK_INTERVAL_MS = 200;

export type EvalScriptRun =
  | { ok: true; log: string; exitCode: number; notes: string[] }
  | { ok: false; log: string; exitCode?: number; failure: InfraFailure; message: string };

/**
 * Runs an eval script as the harness would run `/bin/bash /eval.sh`, in two `bash -c` execs whose
 * script texts are arguments (held in memory: nothing in the container can rewrite them mid-run).
 * The first ends with the test command, so its exit code, which the engine reports, is the test
 * command's own status; the second prints the end marker and resets the test files. Failures of
 * ours (engine, timeout, output cap, lost container) come back as such; whatever the candidate
 * does to the container leaves a log to grade.
 */
export async function runEvalScript(
  runtime: ContainerRuntime,
  container: ContainerHandle,
  script: EvalScript,
  options: { timeoutSeconds: number; maxOutputBytes: number; signal?: AbortSignal },
): Promise<EvalScriptRun> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const { maxOutputBytes, signal } = options;
  const failed = (failure: InfraFailure, message: string, log: string, exitCode?: number): EvalScriptRun => ({ ok: false, failure, message, log, exitCode });
  const timedOut = (log: string) => failed('timeout', `the tests did not finish within ${options.timeoutSeconds} s and were killed.`, `${log}\n\nTimeout error: ${options.timeoutSeconds} seconds exceeded.\n>>>>> Tests Timed Out\n`);
  const lost = async (log: string, what: string, exitCode?: number) => {
    const state = await containerState(runtime, container);
    return state === 'running' ? undefined : failed('container_lost', `${what}; the container is ${state}.`, log, exitCode);
  };

  const tests = await container.exec(['/bin/bash', '-c', script.run.tests], { stdin: script.run.testsStdin, timeoutMs: options.timeoutSeconds * 1000, maxOutputBytes, signal }).catch(asError);
  if (tests instanceof Error) return failed(tests instanceof ContainerGoneError ? 'container_lost' : 'engine', `the test run failed: ${tests.message}`, '');
  if (signal?.aborted) return failed('engine', 'cancelled', tests.output);
  if (tests.timedOut) return timedOut(tests.output);
  if (tests.exitCode === null) {
    const what = 'the test run ended without an exit status, so the log is incomplete';
    return (await lost(tests.output, what)) ?? failed('engine', `${what} (the engine lost the process).`, tests.output);
  }

  const reset = await container.exec(['/bin/bash', '-c', script.run.reset], { cwd: REPO_DIR, timeoutMs: Math.max(RESET_TIMEOUT_MS, deadline - Date.now()), maxOutputBytes, signal }).catch(asError);
  const noMarker = 'the log has no end-of-tests marker';
  if (reset instanceof Error) {
    const kind = reset instanceof ContainerGoneError ? 'container_lost' : 'end_marker_missing';
    return failed(kind, `${noMarker}: the run after the tests (end marker, reset of the test files) failed: ${reset.message}`, tests.output, tests.exitCode);
  }
  const log = tests.output + reset.output;
  if (signal?.aborted) return failed('engine', 'cancelled', log);
  if (reset.timedOut) return timedOut(log);
  if (reset.exitCode === null || !reset.output.includes(END_MARKER_TRACE)) {
    // A container removed mid-test lands here (the killed test command still had an exit code).
    const gone = await lost(log, noMarker, tests.exitCode);
    if (gone) return gone;
    if (reset.exitCode === null) return failed('end_marker_missing', `${noMarker}: the run after the tests ended without an exit status.`, log, tests.exitCode);
  }
  if (tests.truncated || reset.truncated) {
    return failed('output_truncated', `the test output passed the ${formatBytes(maxOutputBytes)} cap and was cut, so it cannot be graded (raise the cap to grade it).`, log, tests.exitCode);
  }
  const notes = reset.output.includes(END_MARKER_TRACE) ? [] : [`${noMarker} while the container still runs: something in it broke the shell that prints it, so the log is graded as it is.`];
  return { ok: true, log, exitCode: tests.exitCode, notes };
}

/**
 * The engine's word on the container: 'running', another state, or 'gone'. A removal under way
 * can still list as running for a moment (while exec already fails), so 'running' must hold for
 * a short while.
 */
async function containerState(runtime: ContainerRuntime, container: ContainerHandle): Promise<string> {
  for (let i = 0; ; i++) {
    const ours = await runtime.listOurContainers().catch(() => undefined);
    if (!ours) return 'unknown (the engine does not answer)';
    const state = ours.find((c) => c.id === container.id)?.state ?? 'gone';
    if (state !== 'running' || i === STATE_CHECKS - 1) return state;
    await new Promise((r) => setTimeout(r, STATE_CHECK_INTERVAL_MS));
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

