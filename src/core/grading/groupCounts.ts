import type { GradeResult, TestGroup } from './grade';

export interface GroupCount {
  passed: number;
  total: number;
}

/** An instance's (or its spec's) hidden test lists. */
export interface TestLists {
  readonly FAIL_TO_PASS: readonly string[];
  readonly PASS_TO_PASS: readonly string[];
}

export interface GroupCounts {
  failToPass: GroupCount;
  passToPass: GroupCount;
}

/**
 * What a run's card counts: per group, the instance's tests that passed under `grade`, out of the
 * instance's own list. The one count for a person's run and an agent's reward alike.
 */
export function groupCounts(instance: TestLists, grade: GradeResult): GroupCounts {
  const count = (group: TestGroup, names: readonly string[]): GroupCount => {
    const listed = new Set(names);
    return { passed: grade.tests.filter((t) => t.group === group && listed.has(t.id) && t.outcome === 'success').length, total: names.length };
  };
  return { failToPass: count('FAIL_TO_PASS', instance.FAIL_TO_PASS), passToPass: count('PASS_TO_PASS', instance.PASS_TO_PASS) };
}
