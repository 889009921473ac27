/**
 * Each test's own part of a pytest log (its section under FAILURES or ERRORS, else its line in the
 * short test summary), and the expected / actual values where pytest or mypy's data-driven tests
 * print them. Pure, so it is tested in plain Node; frameworks other than pytest give no section.
 */

export interface TestFailureText {
  text: string;
  expected?: string;
  actual?: string;
}

interface Section {
  head: string;
  body: string[];
}

const BANNER = /^={3,} (.+?) ={3,}$/;
const HEAD = /^_{3,} (.+?) _{3,}$/;
const MAX_LINES = 200;

/** The names pytest may print as a test's section head: `Class.method[param]`, then shorter tails. */
export function headlinesOf(testId: string): string[] {
  const bracket = testId.indexOf('[');
  const plain = bracket < 0 ? testId : testId.slice(0, bracket);
  const params = bracket < 0 ? '' : testId.slice(bracket);
  const parts = plain.split('::');
  if (parts.length < 2) return [testId];
  const tail = parts.slice(1);
  return tail.map((_, i) => tail.slice(i).join('.') + params);
}

const firstToken = (s: string) => s.split(' ')[0] ?? s;

function sectionsOf(log: string): Section[] {
  const out: Section[] = [];
  let inReports = false;
  let current: Section | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const banner = BANNER.exec(line);
    if (banner) {
      current = undefined;
      inReports = /^(FAILURES|ERRORS)$/.test(banner[1] ?? '');
      continue;
    }
    if (!inReports) continue;
    const head = HEAD.exec(line);
    if (head) {
      current = { head: (head[1] ?? '').replace(/^ERROR at (setup|teardown) of /, ''), body: [] };
      out.push(current);
    } else if (current) {
      current.body.push(line);
    }
  }
  return out;
}

/** mypy's data-driven tests print `Expected:` and `Actual:` blocks, indented by two spaces. */
function mypyExpectedActual(body: string[]): { expected: string; actual: string } | undefined {
  const e = body.findIndex((l) => l.trim() === 'Expected:');
  const a = body.findIndex((l, i) => i > e && l.trim() === 'Actual:');
  if (e < 0 || a < 0) return undefined;
  const block = (from: number, to: number) => body.slice(from, to).filter((l) => /^ {2}/.test(l)).map((l) => l.slice(2).replace(/ +\(diff\)$/, ''));
  let end = body.findIndex((l, i) => i > a && !/^ {2}/.test(l));
  if (end < 0) end = body.length;
  return { expected: block(e + 1, a).join('\n'), actual: block(a + 1, end).join('\n') };
}

/** `E   assert left == right` (or `AssertionError: assert …`): pytest's convention is actual == expected. */
function assertExpectedActual(body: string[]): { expected: string; actual: string } | undefined {
  for (const l of body) {
    const m = /^E\s+(?:AssertionError: )?assert (.+)$/.exec(l);
    const sides = m?.[1]?.split(' == ');
    if (sides && sides.length === 2) return { actual: sides[0] ?? '', expected: sides[1] ?? '' };
  }
  return undefined;
}

function bounded(lines: string[]): string {
  const trimmed = lines.join('\n').replace(/^\n+|\s+$/g, '').split('\n');
  return trimmed.length > MAX_LINES ? [...trimmed.slice(0, MAX_LINES), `… ${trimmed.length - MAX_LINES} more lines in the test log`].join('\n') : trimmed.join('\n');
}

/** The failure text of each of `testIds` the log has one for, by id. */
export function failureTexts(log: string, testIds: readonly string[]): Map<string, TestFailureText> {
  const sections = sectionsOf(log);
  const out = new Map<string, TestFailureText>();
  const summary = log.split('\n').map((l) => l.replace(/\r$/, ''));
  for (const id of testIds) {
    const heads = headlinesOf(id);
    // The most specific head that names a section wins (a bare method name can be shared).
    // Dataset ids are cut at the first space (the harness's parsers split lines on whitespace):
    // `test_x[cjk` names the section `test_x[cjk mixed]`, not `test_x[cjk]`.
    let found: Section[] = [];
    for (const head of heads) {
      found = sections.filter((s) => s.head === head || firstToken(s.head) === head);
      if (found.length) break;
    }
    const line = summary.find((l) => /^(FAILED|ERROR) /.test(l) && firstToken(l.slice(l.indexOf(' ') + 1)) === id);
    if (found.length) {
      const body = found.flatMap((s, i) => (i ? ['', `_____ ${s.head} _____`, ...s.body] : s.body));
      const pair = mypyExpectedActual(body) ?? assertExpectedActual(body);
      out.set(id, { text: bounded(line ? [...body, '', line] : body), ...(pair ?? {}) });
    } else if (line) {
      out.set(id, { text: line });
    }
  }
  return out;
}
