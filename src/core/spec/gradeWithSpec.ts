import { type DualGrade, gradeBoth } from '../grading/grade';
import { extractTestSection } from '../grading/logChecks';
import { getLogParser } from '../grading/logParsers';
import type { StatusMap } from '../grading/testStatus';
import type { InstanceSpec } from './instanceSpec';

export interface SpecGrade {
  grade: DualGrade;
  /** The reference rules' status map (the one shown). */
  statusMap: StatusMap;
}

/**
 * Grades a test log with the spec's parser, test lists and rule sets (each rule set checks and
 * parses the raw log its own way). `testCommandExitCode`: see GradeEvidence.
 */
export function gradeWithSpec(spec: InstanceSpec, log: string, testCommandExitCode?: number | null): SpecGrade {
  const subject = { instance_id: spec.instanceId, repo: spec.repo, FAIL_TO_PASS: spec.tests.FAIL_TO_PASS, PASS_TO_PASS: spec.tests.PASS_TO_PASS };
  const rules = spec.rules.reference;
  const grade = gradeBoth(subject, log, rules, { parser: spec.logParser, ...(testCommandExitCode !== undefined ? { testCommandExitCode } : {}) });
  return { grade, statusMap: getLogParser(spec.logParser, rules)(extractTestSection(log, rules)) };
}
