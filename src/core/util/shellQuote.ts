/**
 * Shell quoting for words that come from dataset rows (test paths, test names).
 *
 * Words made only of characters no POSIX shell treats specially are returned unchanged, so the
 * command line stays byte-identical to the one the SWE-bench harness writes for ordinary paths.
 * Anything else is single-quoted, which disables every expansion (`$(...)`, backticks, globs, `;`).
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellQuote(s: string): string {
  if (SAFE_WORD.test(s)) {
    return s;
  }
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Characters that keep a special meaning inside double quotes (`$`, backtick, backslash, `"`, and
 * `!` for shells with history expansion) plus control characters.
 */
const UNSAFE_IN_DOUBLE_QUOTES = /[$`\\"!\x00-\x1f\x7f]/;

/**
 * Double-quotes `s` when that is inert, as the harness does for mypy's `-k "A or B"` expression,
 * so the eval script stays byte-identical; otherwise falls back to single quotes.
 */
export function shellDoubleQuoteIfInert(s: string): string {
  if (UNSAFE_IN_DOUBLE_QUOTES.test(s)) {
    return `'${s.replace(/'/g, `'\\''`)}'`;
  }
  return `"${s}"`;
}
