/**
 * The one set of marker lines of a test log: what SWE-bench's and SWE-Gym's harnesses print, what
 * our eval script prints, and what the graders and views look for.
 */

/** Around the test command's output: the part of the log that is graded. */
export const TEST_OUTPUT_START = '>>>>> Start Test Output';
export const TEST_OUTPUT_END = '>>>>> End Test Output';
/** Around the install re-run: the end marker carries the exit code of the first command of it that failed (0: none). */
export const INSTALL_START = '>>>>> Start Install Step';
export const INSTALL_END = '>>>>> End Install Step, exit';
export const APPLY_PATCH_FAIL = '>>>>> Patch Apply Failed';
export const APPLY_PATCH_PASS = '>>>>> Applied Patch';
export const RESET_FAILED = '>>>>> Reset Failed';
export const TESTS_ERROR = '>>>>> Tests Errored';
export const TESTS_TIMEOUT = '>>>>> Tests Timed Out';
export const TEST_EXIT_CODE = '>>>>> Test Exit Code';
/** Only the SWE-Gym fork checks this one. */
export const FAILED_TO_RESET = 'Failed to reset task environment';

/** The eval script writes a marker as `: '<marker>'`, which `set -x` traces as this line. */
export function markerTrace(marker: string): string {
  return `+ : '${marker}'`;
}
