import type { LogParserName } from '../grading/logParsers';
import { pySplit } from '../grading/parsers/pyText';

export type TestList = 'FAIL_TO_PASS' | 'PASS_TO_PASS';

/** A listed test id that no log of this instance can ever hold, so grading never finds it. */
export interface UnmatchableTest {
  id: string;
  list: TestList;
  reason: string;
}

/** Parsers that take the id as the second whitespace-separated token of a `STATUS id` line. */
const TOKEN_PARSERS: ReadonlySet<LogParserName> = new Set(['pytest', 'pytest_options', 'matplotlib']);

const ABSOLUTE = /^(?:\/|[A-Za-z]:[\\/])/;

/**
 * Test ids the instance's own log parser can never produce. Found from the row alone, before any
 * container: an id holding the collecting machine's absolute path (pytest reports node ids
 * relative to the repository it runs in), an empty id, or for the token parsers an id with
 * whitespace (the parser cuts the id at the first whitespace).
 */
export function unmatchableTests(tests: { readonly FAIL_TO_PASS: readonly string[]; readonly PASS_TO_PASS: readonly string[] }, logParser: LogParserName, repoDir: string): UnmatchableTest[] {
  const out: UnmatchableTest[] = [];
  for (const list of ['FAIL_TO_PASS', 'PASS_TO_PASS'] as const) {
    for (const id of tests[list]) {
      const reason = whyUnmatchable(id, logParser, repoDir);
      if (reason) out.push({ id, list, reason });
    }
  }
  return out;
}

function whyUnmatchable(id: string, logParser: LogParserName, repoDir: string): string | undefined {
  if (pySplit(id).length === 0) return 'the id is empty';
  if (ABSOLUTE.test(id)) {
    const file = id.split('::')[0] ?? id;
    return `an absolute path of the machine that collected it (${file}); the tests run in ${repoDir} and the log names files relative to it`;
  }
  if (TOKEN_PARSERS.has(logParser) && pySplit(id).length > 1) return `it holds whitespace, and the ${logParser} log parser cuts an id at the first whitespace`;
  return undefined;
}
