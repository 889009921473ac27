import type { ContainerHandle } from '../runtime/containerRuntime';

/** Where the candidate patch is written before applying, as the harness does. */
export const CANDIDATE_PATCH_PATH = '/tmp/patch.diff';

/** The harness's fallbacks, tried in order until one exits 0. */
export const APPLY_STRATEGIES = {
  // SWE-Gym fork
  'swe-gym': [
    ['git', 'apply', '-v', CANDIDATE_PATCH_PATH],
    ['patch', '--batch', '--fuzz=5', '-p1', '-i', CANDIDATE_PATCH_PATH],
  ],
  // SWE-bench v4.1 and later
  'swe-bench': [
    ['git', 'apply', '--verbose', CANDIDATE_PATCH_PATH],
    ['git', 'apply', '--verbose', '--reject', CANDIDATE_PATCH_PATH],
    ['patch', '--batch', '--fuzz=5', '-p1', '-i', CANDIDATE_PATCH_PATH],
  ],
} as const satisfies Record<string, readonly (readonly string[])[]>;

export type ApplyStrategy = keyof typeof APPLY_STRATEGIES;

export interface ApplyOutcome {
  applied: boolean;
  /** The command that succeeded. */
  command?: string;
  /** Every attempt's command and output, for the run log and the failure reason. */
  log: string;
  /** A short reason when nothing applied: the first attempt's error lines. */
  reason?: string;
}

export async function applyCandidatePatch(
  container: ContainerHandle,
  patch: string,
  strategy: ApplyStrategy,
  options: { cwd?: string; signal?: AbortSignal } = {},
): Promise<ApplyOutcome> {
  await container.putFile(CANDIDATE_PATCH_PATH, patch);
  return applyUploadedPatch(container, strategy, options);
}

/** Applies the patch already written to CANDIDATE_PATCH_PATH. */
export async function applyUploadedPatch(container: ContainerHandle, strategy: ApplyStrategy, options: { cwd?: string; signal?: AbortSignal } = {}): Promise<ApplyOutcome> {
  const parts: string[] = [];
  let firstFailure: string | undefined;
  for (const cmd of APPLY_STRATEGIES[strategy]) {
    const r = await container.exec([...cmd], { cwd: options.cwd ?? '/testbed', signal: options.signal, timeoutMs: 120_000 });
    // No exit status (killed at our timeout, the engine lost it) is our failure, not the patch's.
    if (r.exitCode === null && !r.cancelled) throw new Error(`\`${cmd.join(' ')}\` ended without an exit status${r.timedOut ? ' (timed out)' : ''}: ${r.output.trim().split('\n').slice(-3).join(' ')}`);
    parts.push(`$ ${cmd.join(' ')}\n${r.output}[exit ${r.exitCode ?? 'killed'}]`);
    if (r.exitCode === 0) return { applied: true, command: cmd.join(' '), log: parts.join('\n') };
    firstFailure ??= failureReason(r.output);
    if (r.cancelled) break;
  }
  return { applied: false, log: parts.join('\n'), reason: firstFailure };
}

/** A short reason from a failed attempt's output: its error lines, else its last lines. */
export function failureReason(output: string): string {
  return (
    output
      .split('\n')
      .filter((l) => /error|fail|reject|corrupt|malformed|does not apply|can't find|only garbage/i.test(l))
      .slice(0, 5)
      .join('\n') || output.trim().split('\n').slice(-3).join('\n')
  );
}

/**
 * The same fallbacks as shell text, for a grade that applies the patch inside its one exec (see
 * harness/gradeScript.ts): each attempt prints `$ <command>`, its output and `[exit N]`, attempts
 * separated by a line break, as applyUploadedPatch logs them. Ends with `$__swe_gym_apply` holding
 * the number of the attempt that applied (1-based), or 0 when none did. Constants only: no
 * dataset text reaches it.
 */
export function applyStrategyScript(strategy: ApplyStrategy): string {
  const attempts = APPLY_STRATEGIES[strategy].map((cmd) => cmd.map(shellWord).join(' '));
  return [
    '__swe_gym_apply=0',
    // The patch step's own output, then one status line; nothing of the candidate has run yet.
    '__swe_gym_try() { [ "$__swe_gym_n" = 0 ] || printf \'\\n\'; __swe_gym_n=$((__swe_gym_n+1)); printf \'$ %s\\n\' "$*"; "$@"; __swe_gym_s=$?; printf \'[exit %s]\' "$__swe_gym_s"; [ "$__swe_gym_s" = 0 ] && __swe_gym_apply=$__swe_gym_n; }',
    '__swe_gym_n=0',
    `${attempts.map((a) => `__swe_gym_try ${a}`).join(' || ')} || true`,
  ].join('\n');
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
