import type { GradeResult } from '../grading/grade';
import type { RuleSet } from '../grading/ruleSet';
import type { StatusMap } from '../grading/testStatus';

/**
 * How an evaluation ended. Only 'resolved' earns the reward. 'patch_apply_failed' is the
 * candidate's fault; 'timeout' and 'error' are infrastructure failures, reported as such.
 */
export type EvaluationStatus = 'resolved' | 'unresolved' | 'empty_patch' | 'patch_apply_failed' | 'timeout' | 'error';

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
  testExitCode?: number | null;
  /** The install step was skipped (offline), so the verdict may differ from the harness's. */
  skippedInstall: boolean;
  /** Why the evaluation could not grade the candidate (apply failure, timeout, engine error). */
  error?: string;
  warnings: string[];
  image?: string;
  durationMs: number;
  timings: { imageMs: number; containerMs: number; applyMs: number; testsMs: number; removeMs: number };
  outputDir?: string;
}

export function isInfraFailure(status: EvaluationStatus): boolean {
  return status === 'timeout' || status === 'error';
}
