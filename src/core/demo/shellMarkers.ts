/**
 * Marks in an interactive bash's output that tell a terminal what a person ran: an invisible OSC
 * sequence when a command starts (PS0, with the command line from history) and when the prompt
 * comes back (PROMPT_COMMAND, with the exit code, the working directory and the interpreter). The
 * terminal strips them before showing the output, so the person sees an ordinary shell.
 */

const OSC = 6973;
export const MARKER_RC = '/tmp/.swe-gym-studio/demo-bashrc';

/** The rc file the container terminal starts bash with: the usual rc first, then the marks. */
export function markerRc(baseRc: string): string {
  const b64 = (expr: string) => `"$(${expr} | base64 -w0)"`;
  return [
    `[ -f ${baseRc} ] && . ${baseRc}`,
    // Every command reaches history (the start mark reads it), whatever the image's rc said.
    'HISTCONTROL=; HISTIGNORE=; set -o history',
    `__sg_pre() { printf '\\033]${OSC};C;%s\\007' ${b64(`HISTTIMEFORMAT= history 1 | sed -e '1s/^ *[0-9]*[* ] *//'`)}; }`,
    `__sg_post() { local rc=$?; printf '\\033]${OSC};D;%s;%s;%s\\007' "$rc" ${b64('printf %s "$PWD"')} ${b64('{ command -v python || command -v python3; } 2>/dev/null | tr -d "\\n"')}; return $rc; }`,
    "PS0='$(__sg_pre)'",
    'PROMPT_COMMAND="__sg_post${PROMPT_COMMAND:+; $PROMPT_COMMAND}"',
    '',
  ].join('\n');
}

export type ShellMark = { kind: 'start'; command: string } | { kind: 'prompt'; exitCode: number; cwd: string; python: string };

/** Splits terminal output into what to show and the marks in it (a mark may span chunks). */
export class ShellMarkerParser {
  private carry = '';

  /** The chunk as shown text and marks, in order. */
  push(chunk: string): (string | ShellMark)[] {
    let text = this.carry + chunk;
    this.carry = '';
    const parts: (string | ShellMark)[] = [];
    const show = (t: string) => t && parts.push(t);
    const open = `\x1b]${OSC};`;
    for (;;) {
      const at = text.indexOf(open);
      if (at === -1) {
        // Keep a possible start of a mark for the next chunk.
        const partial = longestPrefixSuffix(text, open);
        show(text.slice(0, text.length - partial));
        this.carry = text.slice(text.length - partial);
        break;
      }
      const end = text.indexOf('\x07', at);
      if (end === -1) {
        show(text.slice(0, at));
        this.carry = text.slice(at);
        break;
      }
      show(text.slice(0, at));
      const mark = parseMark(text.slice(at + open.length, end));
      if (mark) parts.push(mark);
      text = text.slice(end + 1);
    }
    return parts;
  }
}

function parseMark(body: string): ShellMark | undefined {
  const [kind, ...fields] = body.split(';');
  const dec = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
  if (kind === 'C') return { kind: 'start', command: dec(fields[0]).replace(/\n$/, '') };
  if (kind === 'D') return { kind: 'prompt', exitCode: Number(fields[0] ?? 0), cwd: dec(fields[1]), python: dec(fields[2]) };
  return undefined;
}

function longestPrefixSuffix(text: string, prefix: string): number {
  for (let n = Math.min(prefix.length - 1, text.length); n > 0; n--) if (text.endsWith(prefix.slice(0, n))) return n;
  return 0;
}
