import type { InstanceValidation } from '../harness/validateInstances';
import type { UnmatchableTest } from '../harness/testIdChecks';

/**
 * The automatic flags of one instance, as `swe-gym validate --json` prints them and
 * `swe-gym annotations --validation FILE` reads them back beside a person's answers.
 */
export interface ValidationFlags {
  /** Listed ids no log can hold (absolute paths of the collecting machine, ids the parser cuts). */
  unmatchable_tests: UnmatchableTest[];
  /** Listed tests that no gold run's log holds. */
  missing_from_log: string[];
  /** FAIL_TO_PASS tests that already pass on the untouched base commit. */
  fail_to_pass_passing_on_base: string[];
  /** Tests whose status changed across gold reruns (needs --reruns 2 or more). */
  flaky_tests: string[];
  /** Gold reruns behind flaky_tests: 1 means flakiness was not looked for. */
  gold_runs: number;
}

export function validationFlags(v: InstanceValidation): ValidationFlags {
  return {
    unmatchable_tests: v.unmatchableTests,
    missing_from_log: v.missingTests,
    fail_to_pass_passing_on_base: v.passingOnBase,
    flaky_tests: v.flakyTests,
    gold_runs: v.gold.length,
  };
}
