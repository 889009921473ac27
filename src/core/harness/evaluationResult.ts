import type { GradeResult } from '../grading/grade';
import type { RuleSet } from '../grading/ruleSet';
import type { StatusMap } from '../grading/testStatus';

/**
 * How an evaluation ended. Only 'resolved' earns the reward. 'patch_apply_failed' is the
 * candidate's fault, and so is a log rejected for its content ('unresolved', with the reason);
 * 'timeout' and 'error' are infrastructure failures (ours), reported as such.
 */
export type EvaluationStatus = 'resolved' | 'unresolved' | 'empty_patch' | 'patch_apply_failed' | 'timeout' | 'error';

/** Which of our parts failed, when the status is 'timeout' or 'error'. */
export type InfraFailure = 'engine' | 'timeout' | 'output_truncated' | 'container_lost' | 'end_marker_missing';

export const INFRA_FAILURE_LABELS: Readonly<Record<InfraFailure, string>> = {
  engine: 'container engine error',
  timeout: 'test timeout',
  output_truncated: 'test output over the cap',
  container_lost: 'container lost during the tests',
  end_marker_missing: 'no end-of-tests marker',
};

export interface EvaluationResult {
  instance_id: string;
  run_id: string;
  model_name_or_path: string;
  status: EvaluationStatus;
  resolved: boolean;
  /** The rule set the reward follows (the dataset's own by default). */
  rules: RuleSet;
  /** The verdict under the reference rules and under the strict SWE-bench v5 rules. */
  grade?: { reference: GradeResult; strict: GradeResult; disagree: boolean };
  statusMap: StatusMap;
  /** The patch that was evaluated, after the harness's normalisation. */
  patch: string;
  evalScript?: string;
  testLog: string;
  applyLog: string;
  /** The test command's exit status, from the container engine (null: the engine gave none). */
  testExitCode?: number | null;
  /** The install step was skipped (offline), so the verdict may differ from the harness's. */
  skippedInstall: boolean;
  /** Why the evaluation could not grade the candidate (apply failure, rejected log, infrastructure failure). */
  error?: string;
  /** Set with status 'timeout' / 'error': which part of ours failed. */
  infraFailure?: InfraFailure;
  warnings: string[];
  image?: string;
  durationMs: number;
  timings: { imageMs: number; containerMs: number; applyMs: number; testsMs: number; removeMs: number };
  outputDir?: string;
}

export function isInfraFailure(status: EvaluationStatus): boolean {
  return status === 'timeout' || status === 'error';
}
