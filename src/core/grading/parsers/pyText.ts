/**
 * Python `str` semantics the reference parsers depend on. JavaScript's `\s` and `trim()` disagree
 * with Python's `str.split()` / `str.strip()` on a few characters (U+001C..U+001F and U+0085 are
 * whitespace to Python, U+FEFF is whitespace to JavaScript), and one such character is enough to
 * change a test id.
 */
import { TEST_STATUSES, type TestStatus } from '../testStatus';

/** Exactly the characters for which Python's `str.isspace()` is true. */
export const PY_WS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WS_RUN = new RegExp(`[${PY_WS}]+`);
const LEADING_WS = new RegExp(`^[${PY_WS}]+`);
const TRAILING_WS = new RegExp(`[${PY_WS}]+$`);

/** Python `s.split()` (no separator): split on whitespace runs, no empty strings. */
export function pySplit(s: string): string[] {
  return s.split(WS_RUN).filter((t) => t !== '');
}

export function pyStrip(s: string): string {
  return s.replace(LEADING_WS, '').replace(TRAILING_WS, '');
}

export function pyLstrip(s: string): string {
  return s.replace(LEADING_WS, '');
}

/** Python `s.split(sep)[0]`: the text before the first `sep`. */
export function beforeFirst(s: string, sep: string): string {
  const i = s.indexOf(sep);
  return i < 0 ? s : s.slice(0, i);
}

/** Python `s.rsplit(sep, 1)[0]`: the text before the last `sep`. */
export function beforeLast(s: string, sep: string): string {
  const i = s.lastIndexOf(sep);
  return i < 0 ? s : s.slice(0, i);
}

export function isTestStatus(s: string): s is TestStatus {
  return (TEST_STATUSES as readonly string[]).includes(s);
}

/** `any(line.startswith(x.value) for x in TestStatus)` */
export function startsWithStatus(line: string): boolean {
  return TEST_STATUSES.some((st) => line.startsWith(st));
}

/** `any(line.endswith(x.value) for x in TestStatus)` */
export function endsWithStatus(line: string): boolean {
  return TEST_STATUSES.some((st) => line.endsWith(st));
}
