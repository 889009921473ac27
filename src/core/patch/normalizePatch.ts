/**
 * The harness's patch clean-up: CRLF to LF, drop anything before the first `diff --git` line
 * (model chatter), strip trailing whitespace of the whole text and end with one newline.
 * Returns '' for a patch with no diff in it.
 */
export function normalizePatch(patch: string | null | undefined): string {
  if (!patch) return '';
  const lf = patch.replace(/\r\n/g, '\n');
  const start = lf.startsWith('diff --git') ? 0 : lf.indexOf('\ndiff --git');
  if (start < 0) return lf.trim() ? `${lf.trimEnd()}\n` : '';
  const body = lf.slice(start === 0 ? 0 : start + 1).trimEnd();
  return body ? `${body}\n` : '';
}
