/**
 * The test command, as the harness builds it from the test patch: the repo's test_cmd followed by
 * the test files the patch touches (django: module names; mypy: a `-k` expression of the
 * `[case NAME]` test cases it contains).
 */
import type { TaskInstance } from '../../dataset/taskInstance';
import { shellDoubleQuoteIfInert, shellQuote } from '../../util/shellQuote';
import { resolveRepoSpec } from './repoSpecs';

/** Endings the harness drops from the directives ("csv" has no dot in the reference). */
export const NON_TEST_EXTS: readonly string[] = ['.json', '.png', 'csv', '.txt', '.md', '.jpg', '.jpeg', '.pkl', '.yml', '.yaml', '.toml'];

// Python's `.` (anything but \n): JavaScript's `.` would also stop at \r, U+2028 and U+2029.
const DIFF_TARGET = /diff --git a\/[^\n]* b\/([^\n]*)/g;
const MYPY_CASE = /\[case ([^\]]+)\]/g;

/** Every `b/` path of a `diff --git` line, as the harness's (greedy) pattern reads it. */
export function testPatchTargets(testPatch: string): string[] {
  return [...testPatch.matchAll(DIFF_TARGET)].map((m) => m[1] ?? '');
}

/** The `[case NAME]` names anywhere in a mypy test patch (context and removed lines included). */
export function mypyCaseNames(testPatch: string): string[] {
  return [...testPatch.matchAll(MYPY_CASE)].map((m) => m[1] ?? '');
}

function isMypy(repo: string): boolean {
  return repo === 'python/mypy';
}

/**
 * The directives as argv words, unquoted. For mypy: one word, the `-k` expression
 * ("A or B or C"); the repo's test_cmd already ends in `-k`.
 */
export function testDirectives(instance: TaskInstance): string[] {
  return directivesFor(instance.repo, instance.test_patch);
}

function directivesFor(repo: string, testPatch: string): string[] {
  if (isMypy(repo)) {
    return [mypyCaseNames(testPatch).join(' or ')];
  }
  if (repo === 'swe-bench/humaneval') {
    return ['test.py'];
  }
  const paths = testPatchTargets(testPatch).filter((p) => !NON_TEST_EXTS.some((ext) => p.endsWith(ext)));
  if (repo === 'django/django') {
    return paths.map((p) => {
      let d = p.endsWith('.py') ? p.slice(0, -'.py'.length) : p;
      d = d.startsWith('tests/') ? d.slice('tests/'.length) : d;
      return d.replaceAll('/', '.');
    });
  }
  return paths;
}

/**
 * The test command line for eval.sh. Byte-identical to the harness's for ordinary paths and test
 * names; any word from the dataset that a shell would interpret is single-quoted instead.
 */
export function buildTestCommand(instance: TaskInstance): string {
  return testCommandFor(instance.repo, instance.test_patch, resolveRepoSpec(instance).test_cmd);
}

/** The same from its parts (an InstanceSpec reads the row's test patch once). */
export function testCommandFor(repo: string, testPatch: string, test_cmd: string): string {
  const directives = directivesFor(repo, testPatch);
  if (isMypy(repo)) {
    // The harness always double-quotes the expression, even when empty.
    return `${test_cmd} ${shellDoubleQuoteIfInert(directives[0] ?? '')}`;
  }
  return [test_cmd, ...directives.map(shellQuote)].join(' ');
}
