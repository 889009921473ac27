/**
 * What the harnesses check in a test log before parsing it, and which part they parse.
 *
 * - SWE-Gym fork: rejects a log holding any failure marker or "Failed to reset task environment",
 *   and one lacking "applied patch" (any case; `git apply -v` of the test patch prints it). It
 *   parses the text after the last ">>>>> Applied Patch (pred)" (normally absent: the whole log).
 * - SWE-bench 4.1 and 5: reject failure markers, and require both test-output markers; they parse
 *   between them, falling back to the whole log when that part yields no results.
 */
import type { RuleSet } from './ruleSet';
import { PY_WS } from './parsers/pyText';
import { APPLY_PATCH_FAIL, APPLY_PATCH_PASS, FAILED_TO_RESET, RESET_FAILED, TEST_EXIT_CODE, TEST_OUTPUT_END, TEST_OUTPUT_START, TESTS_ERROR, TESTS_TIMEOUT } from './outputMarkers';


const FAILURE_MARKERS = [APPLY_PATCH_FAIL, RESET_FAILED, TESTS_ERROR, TESTS_TIMEOUT];

export type LogCheck = { ok: true } | { ok: false; reason: string };

export function checkLog(log: string, rules: RuleSet = 'swe-gym'): LogCheck {
  const markers = rules === 'swe-gym' ? [...FAILURE_MARKERS, FAILED_TO_RESET] : FAILURE_MARKERS;
  const found = markers.find((m) => log.includes(m));
  if (found !== undefined) {
    return { ok: false, reason: `the log contains "${found}"` };
  }
  if (rules === 'swe-gym') {
    if (!log.toLowerCase().includes('applied patch')) {
      return { ok: false, reason: 'the log never says "applied patch": the test patch did not apply' };
    }
    return { ok: true };
  }
  if (!log.includes(TEST_OUTPUT_START) || !log.includes(TEST_OUTPUT_END)) {
    return {
      ok: false,
      reason: `the log lacks the "${TEST_OUTPUT_START}" / "${TEST_OUTPUT_END}" markers, which SWE-bench requires`,
    };
  }
  return { ok: true };
}

/** The part of the log the rule set's harness hands to the parser. */
export function extractTestSection(log: string, rules: RuleSet): string {
  if (rules === 'swe-gym') {
    return log.split(`${APPLY_PATCH_PASS} (pred)`).at(-1) ?? log;
  }
  if (log.includes(TEST_OUTPUT_START) && log.includes(TEST_OUTPUT_END)) {
    const afterStart = log.split(TEST_OUTPUT_START)[1] ?? '';
    return afterStart.split(TEST_OUTPUT_END)[0] ?? '';
  }
  return log;
}

const EXIT_CODE = new RegExp(`${TEST_EXIT_CODE}:[${PY_WS}]*(-?\\p{Nd}+)`, 'u');

/**
 * The test command's exit status as a SWE-bench 5 eval script records it
 * (`>>>>> Test Exit Code: N`, first occurrence), or null.
 */
export function parseTestExitCode(log: string): number | null {
  const m = EXIT_CODE.exec(log);
  if (!m || m[1] === undefined) {
    return null;
  }
  const n = Number.parseInt(m[1], 10);
  return Number.isNaN(n) ? null : n;
}

const BOL = '(?<![^\\n])';
const EOL = '(?![^\\n])';
const WS = `[${PY_WS}]`;
const WORD = '[\\p{L}\\p{N}_]';
/**
 * SWE-bench 5's evidence that a runner executed (all counts non-zero), used only when a log
 * parses to nothing.
 */
const SUITE_RAN = new RegExp(
  [
    'Executed [1-9]\\p{Nd}* of \\p{Nd}+',
    'TOTAL: [1-9]\\p{Nd}* (?:SUCCESS|FAILED)',
    '[1-9]\\p{Nd}* passing',
    `Tests:${WS}+[1-9]\\p{Nd}*`,
    `Test Suites:${WS}+(?:\\p{Nd}+ ${WORD}+, )*[1-9]\\p{Nd}* total`,
    `${BOL}# tests [1-9]\\p{Nd}*`,
    '[1-9]\\p{Nd}* specs?, \\p{Nd}+ failures?',
    `': ok${EOL}`,
  ].join('|'),
  'u',
);

export function suiteRanEvidence(log: string): boolean {
  return SUITE_RAN.test(log);
}
