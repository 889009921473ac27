/**
 * Grading a test log against an instance's FAIL_TO_PASS / PASS_TO_PASS lists, under the rules of
 * the SWE-Gym harness, SWE-bench 4.1 or SWE-bench 5.
 *
 * All rule sets: a test passes on PASSED or XFAIL and fails on FAILED, ERROR or absence; ids match
 * exactly. 'swe-gym' / 'swebench-v4': SKIPPED (or any non-status value) counts neither way, so an
 * instance whose FAIL_TO_PASS tests all skip is resolved. 'swebench-v5': a skipped FAIL_TO_PASS
 * test fails, a skipped PASS_TO_PASS test is maintained, a truncated parametrized id (more `[`
 * than `]`) may prefix-match, and a log is refused when the test command exited non-zero while
 * the log shows no failure, when that exit status should be known and is not, or when the log
 * shows no results and no sign the suite ran.
 */
import type { DatasetFlavor } from '../dataset/taskInstance';
import type { TestStatus } from './testStatus';
import { type RuleSet, RULE_SETS, RULE_SET_LABELS } from './ruleSet';
import { isTestStatus } from './parsers/pyText';
import { type LogParserName, parseTestLog } from './logParsers';
import { parserNameForInstance } from '../harness/specs/logParserTable';
import { type LogCheck, checkLog, extractTestSection, parseTestExitCode, suiteRanEvidence } from './logChecks';

export type { RuleSet } from './ruleSet';
export { RULE_SETS, RULE_SET_LABELS } from './ruleSet';

export type Resolution = 'RESOLVED_FULL' | 'RESOLVED_PARTIAL' | 'RESOLVED_NO';
export type TestGroup = 'FAIL_TO_PASS' | 'PASS_TO_PASS';
/** MISSING: not in the log. UNRECOGNIZED: the log gave it a value that is no status. */
export type GradedStatus = TestStatus | 'MISSING' | 'UNRECOGNIZED';
/** 'skipped' = counted neither as success nor failure. */
export type GradeOutcome = 'success' | 'failure' | 'skipped';

export interface OutcomeLists {
  success: string[];
  failure: string[];
}

export interface TestsStatus {
  FAIL_TO_PASS: OutcomeLists;
  PASS_TO_PASS: OutcomeLists;
  /** Always empty, as in the harness reports. */
  FAIL_TO_FAIL: OutcomeLists;
  PASS_TO_FAIL: OutcomeLists;
}

export interface TestGrade {
  id: string;
  group: TestGroup;
  status: GradedStatus;
  outcome: GradeOutcome;
  /** The log's id when it differs from `id` (SWE-bench 5 prefix match of a truncated id). */
  matchedId?: string;
  /** The log's value when status is UNRECOGNIZED. */
  rawStatus?: string;
}

export interface GradeEvidence {
  /**
   * The test command's own exit status (not the eval script's). undefined: no source for it (a
   * bare log without an exit-code line), so the check does not apply. null: there should be one
   * and it is missing or unreadable, so SWE-bench 5 rules do not trust the log (fail closed).
   */
  testCommandExitCode?: number | null;
  /** Whether the log shows a test runner executed; consulted only for an empty status map. */
  suiteRan?: boolean;
}

export interface GradeResult {
  rules: RuleSet;
  rulesLabel: string;
  resolution: Resolution;
  /** The reward: resolution === 'RESOLVED_FULL' and the log was accepted. */
  resolved: boolean;
  f2p: number;
  p2p: number;
  tests_status: TestsStatus;
  tests: TestGrade[];
  notes: string[];
  /**
   * Why the log was not graded (failed pre-parse check, reference parser error, or a SWE-bench 5
   * refusal); null when it was. A rejected result is never resolved.
   */
  rejected: string | null;
}

/** What grading reads of an instance: its two test lists (an InstanceSpec holds them read once). */
export interface GradeSubject {
  readonly instance_id: string;
  readonly repo: string;
  readonly FAIL_TO_PASS: readonly string[];
  readonly PASS_TO_PASS: readonly string[];
  /** Only read to pick the parser when GradeLogOptions.parser is not given. */
  readonly log_parser?: string;
}

const PASSING: readonly string[] = ['PASSED', 'XFAIL'];
const FAILING: readonly string[] = ['FAILED', 'ERROR'];

interface Lookup {
  key: string;
  value: string;
}

/** SWE-bench 5: a truncated parametrized id matches the log's ids it prefixes, if they agree. */
function resolveTruncated(id: string, sm: Readonly<Record<string, string>>): Lookup | undefined {
  const opens = id.split('[').length - 1;
  const closes = id.split(']').length - 1;
  if (opens <= closes) {
    return undefined;
  }
  const matches = Object.keys(sm).filter((k) => k.startsWith(id));
  const first = matches[0];
  if (first === undefined) {
    return undefined;
  }
  const verdicts = new Set(matches.map((k) => PASSING.includes(sm[k] ?? '')));
  return verdicts.size === 1 ? { key: first, value: sm[first] ?? '' } : undefined;
}

function lookup(id: string, sm: Readonly<Record<string, string>>, rules: RuleSet): Lookup | undefined {
  if (Object.hasOwn(sm, id)) {
    return { key: id, value: sm[id] ?? '' };
  }
  return rules === 'swebench-v5' ? resolveTruncated(id, sm) : undefined;
}

function gradeTest(id: string, group: TestGroup, sm: Readonly<Record<string, string>>, rules: RuleSet): TestGrade {
  const found = lookup(id, sm, rules);
  const v5 = rules === 'swebench-v5';
  let status: GradedStatus = 'MISSING';
  let outcome: GradeOutcome;
  if (found === undefined) {
    outcome = 'failure';
  } else {
    status = isTestStatus(found.value) ? found.value : 'UNRECOGNIZED';
    if (PASSING.includes(found.value)) {
      outcome = 'success';
    } else if (FAILING.includes(found.value)) {
      outcome = 'failure';
    } else if (v5 && found.value === 'SKIPPED') {
      outcome = group === 'PASS_TO_PASS' ? 'success' : 'failure';
    } else {
      outcome = 'skipped';
    }
  }
  const grade: TestGrade = { id, group, status, outcome };
  if (found !== undefined && found.key !== id) {
    grade.matchedId = found.key;
  }
  if (status === 'UNRECOGNIZED' && found !== undefined) {
    grade.rawStatus = found.value;
  }
  return grade;
}

function ratio(lists: OutcomeLists): number {
  const total = lists.success.length + lists.failure.length;
  return total === 0 ? 1 : lists.success.length / total;
}

function resolutionOf(f2p: number, p2p: number): Resolution {
  if (f2p === 1 && p2p === 1) {
    return 'RESOLVED_FULL';
  }
  if (f2p > 0 && f2p < 1 && p2p === 1) {
    return 'RESOLVED_PARTIAL';
  }
  return 'RESOLVED_NO';
}

function emptyTestsStatus(): TestsStatus {
  return {
    FAIL_TO_PASS: { success: [], failure: [] },
    PASS_TO_PASS: { success: [], failure: [] },
    FAIL_TO_FAIL: { success: [], failure: [] },
    PASS_TO_FAIL: { success: [], failure: [] },
  };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * Grades a status map. `statusMap` may be a plain StatusMap or `ParsedLog.raw` (values that are
 * not statuses then count neither way, as in the harness).
 */
export function gradeStatusMap(
  instance: GradeSubject,
  statusMap: Readonly<Record<string, string>>,
  rules: RuleSet,
  evidence: GradeEvidence = {},
): GradeResult {
  const v5 = rules === 'swebench-v5';
  const tests: TestGrade[] = [
    ...instance.FAIL_TO_PASS.map((id) => gradeTest(id, 'FAIL_TO_PASS', statusMap, rules)),
    ...instance.PASS_TO_PASS.map((id) => gradeTest(id, 'PASS_TO_PASS', statusMap, rules)),
  ];
  const tests_status = emptyTestsStatus();
  for (const t of tests) {
    if (t.outcome !== 'skipped') {
      tests_status[t.group][t.outcome].push(t.id);
    }
  }
  const f2p = ratio(tests_status.FAIL_TO_PASS);
  const p2p = ratio(tests_status.PASS_TO_PASS);
  let resolution = resolutionOf(f2p, p2p);
  const notes: string[] = [];
  let rejected: string | null = null;

  const values = Object.values(statusMap);
  const exitCode = evidence.testCommandExitCode;
  const claimsNoFailure = values.length > 0 && !values.some((v) => FAILING.includes(v));
  if (exitCode === null) {
    const what = "the test command's exit status is missing or unreadable";
    if (v5) {
      rejected = `${what}; SWE-bench 5 rules do not trust a log they cannot check against it`;
    } else {
      notes.push(`${what}; SWE-bench 5 would refuse this log`);
    }
  } else if (exitCode !== undefined && exitCode !== 0 && claimsNoFailure) {
    const what = `the test command exited ${exitCode} while the log shows no failure`;
    if (v5) {
      rejected = `${what}; SWE-bench 5 does not trust such a log (a patch can print its own PASSED lines)`;
    } else {
      notes.push(`${what}; SWE-bench 5 would refuse this log`);
    }
  }
  if (v5 && values.length === 0 && evidence.suiteRan !== true) {
    rejected = 'the log yields no test results and shows no sign that the tests ran';
  }

  const skipped = (group: TestGroup) => tests.filter((t) => t.group === group && t.status === 'SKIPPED').length;
  const f2pSkipped = skipped('FAIL_TO_PASS');
  const p2pSkipped = skipped('PASS_TO_PASS');
  if (v5) {
    if (f2pSkipped > 0) {
      notes.push(`${plural(f2pSkipped, 'FAIL_TO_PASS test')} skipped: counted as failing under SWE-bench 5 rules`);
    }
    if (p2pSkipped > 0) {
      notes.push(`${plural(p2pSkipped, 'PASS_TO_PASS test')} skipped: counted as maintained under SWE-bench 5 rules`);
    }
  } else if (f2pSkipped + p2pSkipped > 0) {
    notes.push(
      `${plural(f2pSkipped + p2pSkipped, 'test')} skipped (${f2pSkipped} FAIL_TO_PASS, ${p2pSkipped} PASS_TO_PASS): ` +
        'counted neither way under these rules; SWE-bench 5 fails a skipped FAIL_TO_PASS test',
    );
  }
  const unrecognized = tests.filter((t) => t.status === 'UNRECOGNIZED');
  if (unrecognized.length > 0) {
    notes.push(
      `${plural(unrecognized.length, 'test')} with a non-status value in the log (counted neither way): ` +
        unrecognized.map((t) => `${t.id} -> ${JSON.stringify(t.rawStatus)}`).join(', '),
    );
  }
  for (const t of tests) {
    if (t.matchedId !== undefined) {
      notes.push(`truncated id ${JSON.stringify(t.id)} matched ${JSON.stringify(t.matchedId)}`);
    }
  }
  if (rejected !== null) {
    resolution = 'RESOLVED_NO';
    notes.push(`rejected: ${rejected}`);
  }
  return {
    rules,
    rulesLabel: RULE_SET_LABELS[rules],
    resolution,
    resolved: resolution === 'RESOLVED_FULL',
    f2p,
    p2p,
    tests_status,
    tests,
    notes,
    rejected,
  };
}

export interface GradeLogOptions extends GradeEvidence {
  /** Overrides the parser chosen from the instance. */
  parser?: LogParserName;
}

export interface GradeLogResult extends GradeResult {
  logCheck: LogCheck;
  parser: LogParserName;
}

function rejectedResult(rules: RuleSet, reason: string, logCheck: LogCheck, parser: LogParserName): GradeLogResult {
  return {
    rules,
    rulesLabel: RULE_SET_LABELS[rules],
    resolution: 'RESOLVED_NO',
    resolved: false,
    f2p: 0,
    p2p: 0,
    tests_status: emptyTestsStatus(),
    tests: [],
    notes: [`rejected: ${reason}`],
    rejected: reason,
    logCheck,
    parser,
  };
}

/**
 * The whole harness step for one log: pre-parse checks, the section to parse, the parser, and
 * the grade. The exit code comes from `options` or, failing that, from the log's
 * `>>>>> Test Exit Code: N` line.
 */
export function gradeLog(instance: GradeSubject, log: string, rules: RuleSet, options: GradeLogOptions = {}): GradeLogResult {
  const parser = options.parser ?? parserNameForInstance(instance);
  const logCheck = checkLog(log, rules);
  if (!logCheck.ok) {
    return rejectedResult(rules, logCheck.reason, logCheck, parser);
  }
  const section = extractTestSection(log, rules);
  let parsed = parseTestLog(parser, section, rules);
  if (rules !== 'swe-gym' && parsed.harnessErrors.length === 0 && Object.keys(parsed.raw).length === 0 && section !== log) {
    // SWE-bench: results printed outside the markers (stream interleaving) still count.
    parsed = parseTestLog(parser, log, rules);
  }
  if (parsed.harnessErrors.length > 0) {
    const reason =
      `the reference harness's ${parser} parser raises on this log, so it reports an evaluation error: ` +
      parsed.harnessErrors.slice(0, 3).join('; ');
    return rejectedResult(rules, reason, logCheck, parser);
  }
  // A bare log's exit-code line is optional evidence: without one there is nothing to check.
  const exitCode = options.testCommandExitCode !== undefined ? options.testCommandExitCode : (parseTestExitCode(log) ?? undefined);
  const result = gradeStatusMap(instance, parsed.raw, rules, {
    testCommandExitCode: exitCode,
    suiteRan: options.suiteRan ?? suiteRanEvidence(log),
  });
  return { ...result, logCheck, parser };
}

/** The rules a dataset's own harness applies. */
export function referenceRulesFor(flavor: DatasetFlavor): RuleSet {
  return flavor === 'swe-bench' ? 'swebench-v4' : 'swe-gym';
}

function isRuleSet(s: string): s is RuleSet {
  return (RULE_SETS as readonly string[]).includes(s);
}

export interface DualGrade {
  /** Under the dataset's own rules ('swe-gym' for SWE-Gym and samples, 'swebench-v4' for SWE-bench). */
  reference: GradeResult;
  /** Under SWE-bench 5 rules. */
  strict: GradeResult;
  /** The two disagree on the reward. */
  disagree: boolean;
  /** Human-readable differences (reward, rejection, per-test outcomes). */
  differences: string[];
}

/**
 * Grades under the reference rules and under SWE-bench 5 rules.
 *
 * Pass the raw log to have each rule set parse it its own way (exact); a status map is graded
 * as it is by both. `referenceOf` is the dataset flavor, or the reference rule set itself.
 */
export function gradeBoth(
  instance: GradeSubject,
  logOrStatusMap: string | Readonly<Record<string, string>>,
  referenceOf: DatasetFlavor | RuleSet,
  options: GradeLogOptions = {},
): DualGrade {
  const refRules = isRuleSet(referenceOf) ? referenceOf : referenceRulesFor(referenceOf);
  const grade = (rules: RuleSet): GradeResult =>
    typeof logOrStatusMap === 'string'
      ? gradeLog(instance, logOrStatusMap, rules, options)
      : gradeStatusMap(instance, logOrStatusMap, rules, options);
  const reference = grade(refRules);
  const strict = grade('swebench-v5');
  const differences: string[] = [];
  if (reference.resolved !== strict.resolved) {
    differences.push(
      `${reference.rulesLabel}: ${reference.resolved ? 'resolved' : 'not resolved'}; ` +
        `${strict.rulesLabel}: ${strict.resolved ? 'resolved' : 'not resolved'}`,
    );
  }
  if (strict.rejected !== null && reference.rejected === null) {
    differences.push(`only ${strict.rulesLabel} rejects the log: ${strict.rejected}`);
  }
  if (reference.rejected === null && strict.rejected === null) {
    const strictById = new Map(strict.tests.map((t) => [`${t.group}\0${t.id}`, t]));
    for (const t of reference.tests) {
      const s = strictById.get(`${t.group}\0${t.id}`);
      if (s !== undefined && s.outcome !== t.outcome) {
        differences.push(`${t.group} ${t.id}: ${t.outcome} (${t.status}) vs ${s.outcome} (${s.status})`);
      }
    }
  }
  return { reference, strict, disagree: reference.resolved !== strict.resolved, differences };
}
