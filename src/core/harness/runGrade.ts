import { randomBytes } from 'node:crypto';
import type { ContainerHandle, ContainerRuntime } from '../runtime/containerRuntime';
import { ContainerGoneError, EngineUnavailableError } from '../runtime/errors';
import { markerTrace, TEST_OUTPUT_END } from '../grading/outputMarkers';
import { APPLY_STRATEGIES, type ApplyOutcome, type ApplyStrategy, applyStrategyScript, CANDIDATE_PATCH_PATH, failureReason } from '../patch/applyPatch';
import type { EvalScript } from './evalScript';
import type { InfraFailure } from './evaluationResult';

const REPO_DIR = '/testbed';
/** How bash's xtrace prints our end marker: the candidate can print it too, but cannot remove ours without killing the shell. */
const END_MARKER_TRACE = markerTrace(TEST_OUTPUT_END);
const STATE_CHECKS = 15;
const STATE_CHECK_INTERVAL_MS = 200;

export type EvalScriptRun =
  | { ok: true; log: string; exitCode: number; notes: string[] }
  | { ok: false; log: string; exitCode?: number; failure: InfraFailure; message: string };

export type GradeRun =
  /** The container was gone before anything ran in it (a waiting one removed from outside): nothing happened. */
  | { stage: 'not_started'; error: ContainerGoneError }
  | { stage: 'apply_failed'; apply: ApplyOutcome; applyMs: number }
  /** `apply` is undefined when there was no patch to apply, or when the run failed before the patch step ended. */
  | { stage: 'ran'; apply?: ApplyOutcome; run: EvalScriptRun; applyMs: number; testsMs: number };

/**
 * One grade in ONE exec, the way `/bin/bash /eval.sh` runs after the harness applied the patch: a
 * `bash -c` whose text is an argument (held in memory: nothing in the container can rewrite it
 * mid-run) reads the candidate patch and the hidden test patch from stdin before anything else
 * runs, writes the candidate to /tmp/patch.diff and applies it with the harness's fallbacks, prints
 * a status line carrying a per-grade random token, then runs the eval script: reset of the test
 * files and test patch AFTER the candidate, tests, end marker, reset. The exec exits with the test
 * command's status. Everything before the token line is the patch step's own output (no candidate
 * code runs before it, so the first token line is ours); everything after is the test log.
 * One exec instead of an archive upload and three execs: each engine round trip costs 60-250 ms.
 */
export async function runGrade(
  runtime: ContainerRuntime,
  container: ContainerHandle,
  script: EvalScript,
  options: { patch: string | null; strategy: ApplyStrategy; timeoutSeconds: number; maxOutputBytes: number; signal?: AbortSignal; /** The patch step ended (the tests start, unless it failed). */ onPatchStep?: () => void },
): Promise<GradeRun> {
  const { maxOutputBytes, signal } = options;
  const token = randomBytes(16).toString('hex');
  const patch = options.patch ? Buffer.from(options.patch, 'utf8') : Buffer.alloc(0);
  const started = Date.now();
  let applyEnded: number | undefined;
  let seen = '';
  const onOutput = (chunk: string) => {
    if (applyEnded !== undefined) return;
    seen += chunk;
    const at = seen.indexOf(`\n${token} `);
    const lineEnd = at < 0 ? -1 : seen.indexOf('\n', at + 1);
    if (lineEnd < 0) return;
    applyEnded = Date.now();
    if (seen.slice(at + token.length + 2, lineEnd).startsWith('applied')) options.onPatchStep?.();
    seen = '';
  };
  const text = gradeScript(script, options.strategy, patch.length > 0);
  const exec = await container
    .exec(['/bin/bash', '-c', text, '/bin/bash', String(patch.length), token], {
      stdin: Buffer.concat([patch, Buffer.from(script.run.testsStdin, 'utf8')]),
      timeoutMs: options.timeoutSeconds * 1000,
      maxOutputBytes,
      signal,
      onOutput,
    })
    .catch(asError);
  const applyMs = (applyEnded ?? Date.now()) - started;
  const testsMs = applyEnded === undefined ? 0 : Date.now() - applyEnded;
  const infra = (failure: InfraFailure, message: string, log: string, exitCode?: number): EvalScriptRun => ({ ok: false, failure, message, log, ...(exitCode !== undefined ? { exitCode } : {}) });
  const lost = async (log: string, what: string, exitCode?: number): Promise<EvalScriptRun | undefined> => {
    const state = await containerState(runtime, container);
    if (state === 'running') return undefined;
    // An engine that is shutting down still lists containers for a moment: name it, not just the container.
    const down = await engineGoing(runtime);
    return down ? infra('engine', `${what}: ${down.message}`, log, exitCode) : infra('container_lost', `${what}; the container is ${state}.`, log, exitCode);
  };
  const ran = (run: EvalScriptRun, apply?: ApplyOutcome): GradeRun => ({ stage: 'ran', ...(apply ? { apply } : {}), run, applyMs, testsMs });

  if (exec instanceof Error) {
    if (exec instanceof ContainerGoneError && exec.beforeExec) return { stage: 'not_started', error: exec };
    return ran(infra(exec instanceof ContainerGoneError ? 'container_lost' : 'engine', `the test run failed: ${exec.message}`, ''));
  }
  const split = splitAtToken(exec.output, token);
  if (!split) {
    // The shell never finished the patch step.
    if (signal?.aborted || exec.cancelled) return ran(infra('engine', 'cancelled', ''));
    if (exec.timedOut) return ran(infra('timeout', `applying the patch did not finish within ${options.timeoutSeconds} s.`, ''));
    const tail = exec.output.trim().split('\n').slice(-3).join(' ');
    const what = `the grade ended before the patch step did (exit ${exec.exitCode ?? 'none'}${tail ? `: ${tail}` : ''})`;
    return ran((await lost('', what)) ?? infra('engine', `${what}.`, ''));
  }
  const apply = split.status === 'none' ? undefined : applyOutcome(split.applyLog, options.strategy, split.status);
  if (apply && !apply.applied) return { stage: 'apply_failed', apply, applyMs };

  const log = split.rest;
  if (signal?.aborted || exec.cancelled) return ran(infra('engine', 'cancelled', log), apply);
  if (exec.timedOut) {
    return ran(infra('timeout', `the tests did not finish within ${options.timeoutSeconds} s and were killed.`, `${log}\n\nTimeout error: ${options.timeoutSeconds} seconds exceeded.\n>>>>> Tests Timed Out\n`), apply);
  }
  const noMarker = 'the log has no end-of-tests marker';
  const hasMarker = log.includes(END_MARKER_TRACE);
  if (exec.exitCode === null) {
    const what = `the test run ended without an exit status, so the log is incomplete${hasMarker ? '' : ` (${noMarker})`}`;
    return ran((await lost(log, what)) ?? infra('engine', `${what} (the engine lost the process).`, log), apply);
  }
  if (!hasMarker) {
    // A container removed right after the tests lands here when the engine still reported a status.
    const gone = await lost(log, noMarker, exec.exitCode);
    if (gone) return ran(gone, apply);
  }
  if (exec.truncated) {
    return ran(infra('output_truncated', `the test output passed the ${formatBytes(maxOutputBytes)} cap and was cut, so it cannot be graded (raise the cap to grade it).`, log, exec.exitCode), apply);
  }
  // A candidate can kill the shell after its tests (the status is then the shell's, not the tests').
  const notes = hasMarker ? [] : [`${noMarker} while the container still runs: something in it broke the shell that prints it, so the log is graded as it is.`];
  return ran({ ok: true, log, exitCode: exec.exitCode, notes }, apply);
}

/** The one exec's text: read both patches, apply the candidate (if any), status line, then the eval script. */
export function gradeScript(script: EvalScript, strategy: ApplyStrategy, hasPatch: boolean): string {
  // Positional parameters: $1 the candidate patch's length in bytes, $2 the token. `head -c`
  // reads exactly that many bytes from the pipe; the rest of stdin is the hidden test patch.
  const read = [`if [ "$1" -gt 0 ]; then head -c "$1" > ${CANDIDATE_PATCH_PATH}; fi`, 'p=$(cat; printf x); p=${p%x}', '__swe_gym_token=$2', 'set --'];
  const applyStep = hasPatch
    ? [
        // The harness applies in the repository; the eval script then starts where it would have.
        `__swe_gym_cwd=$PWD; cd ${REPO_DIR}`,
        applyStrategyScript(strategy),
        'cd "$__swe_gym_cwd"',
        'if [ "$__swe_gym_apply" = 0 ]; then printf \'\\n%s failed\\n\' "$__swe_gym_token"; exit 0; fi',
        'printf \'\\n%s applied %s\\n\' "$__swe_gym_token" "$__swe_gym_apply"',
      ]
    : ['printf \'\\n%s none\\n\' "$__swe_gym_token"'];
  return ['exec 2>&1', ...read, ...applyStep, 'unset -v __swe_gym_token __swe_gym_cwd', script.run.body].join('\n');
}

function splitAtToken(output: string, token: string): { applyLog: string; status: 'applied' | 'failed' | 'none'; attempt: number; rest: string } | undefined {
  const at = output.indexOf(`\n${token} `);
  if (at < 0) return undefined;
  const lineEnd = output.indexOf('\n', at + 1);
  if (lineEnd < 0) return undefined;
  const [status, attempt] = output.slice(at + 1 + token.length + 1, lineEnd).split(' ');
  if (status !== 'applied' && status !== 'failed' && status !== 'none') return undefined;
  return { applyLog: output.slice(0, at), status, attempt: Number(attempt ?? 0), rest: output.slice(lineEnd + 1) };
}

function applyOutcome(log: string, strategy: ApplyStrategy, status: 'applied' | 'failed'): ApplyOutcome {
  const commands = APPLY_STRATEGIES[strategy].map((c) => c.join(' '));
  if (status === 'applied') {
    // The last attempt printed is the one that applied (attempts stop at the first success).
    const command = [...commands].reverse().find((c) => log.includes(`$ ${c}\n`));
    return { applied: true, ...(command ? { command } : {}), log };
  }
  // The first attempt's own output: after its `$ command` line, up to its `[exit N]`.
  const first = commands[0] ?? '';
  const body = log.startsWith(`$ ${first}\n`) ? log.slice(first.length + 3) : log;
  const end = body.search(/\[exit [^\]]*\](\n\$ |$)/);
  return { applied: false, log, reason: failureReason(end < 0 ? body : body.slice(0, end)) };
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

/** The engine's own error when it stops answering within a few seconds (a container lost with its engine). */
async function engineGoing(runtime: ContainerRuntime): Promise<Error | undefined> {
  for (let i = 0; i < STATE_CHECKS; i++) {
    const err = await runtime.ping().then(
      () => undefined,
      (e: unknown) => asError(e),
    );
    if (err instanceof EngineUnavailableError) return err;
    await new Promise((r) => setTimeout(r, STATE_CHECK_INTERVAL_MS));
  }
  return undefined;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
