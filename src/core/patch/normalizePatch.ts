/**
 * The harness's patch clean-up: CRLF to LF, drop anything before the first `diff --git` line
 * (model chatter), strip trailing whitespace of the whole text and end with one newline.
 * Returns '' for a patch with no diff in it.
 *
 * One exception: a `GIT binary patch` block ends with a blank line that git needs (without it,
 * git reports a corrupt binary patch and skips the file), so a patch whose last file is binary
 * keeps that line.
 */
export function normalizePatch(patch: string | null | undefined): string {
  if (!patch) return '';
  const lf = patch.replace(/\r\n/g, '\n');
  const start = lf.startsWith('diff --git') ? 0 : lf.indexOf('\ndiff --git');
  if (start < 0) return lf.trim() ? `${lf.trimEnd()}\n` : '';
  const body = lf.slice(start === 0 ? 0 : start + 1).trimEnd();
  if (!body) return '';
  const lastFile = body.slice(body.lastIndexOf('\ndiff --git') + 1);
  return /^GIT binary patch$/m.test(lastFile) ? `${body}\n\n` : `${body}\n`;
}
