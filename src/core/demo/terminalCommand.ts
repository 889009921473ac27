/** A command typed in the instance's container terminal, as our pseudoterminal saw it. */
export interface TerminalCommand {
  command: string;
  /** What the command printed, as the terminal received it (escape sequences are removed here). */
  output: string;
  exitCode: number;
  /** Working directory when the command started and when the prompt came back. */
  cwdBefore: string;
  cwdAfter: string;
  python?: string;
}

/** Terminal output as the released observations have it: no colour or control sequences, pty line ends kept. */
export function plainTerminalText(s: string): string {
  return s
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[@-Z\\-_]/g, '')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g, '');
}
