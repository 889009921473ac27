/** How tool output is clipped before the model sees it. */

/** The editor's cap (characters), as SWE-Gym's editor clipped file views. */
export const EDITOR_MAX_CHARS = 16_000;

export const CLIPPED_MARKER = '<response clipped>';

const EDITOR_NOTE =
  '<NOTE>To save on context only part of this file has been shown to you. You should retry this tool after you have searched inside the file with `grep -n` in order to find the line numbers of what you are looking for.</NOTE>';

/** The editor's rule: keep the start, then the marker and a note saying how to see the rest. */
export function clipEditorText(text: string, max = EDITOR_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}${CLIPPED_MARKER}${EDITOR_NOTE}`;
}

/** The note that replaces the middle of long command output (start and end are both kept). */
export function commandClipNote(omittedChars: number): string {
  return `${CLIPPED_MARKER}<NOTE>${omittedChars} characters of output were left out here. Redirect long output to a file and search it with \`grep -n\` or view parts of it with \`head\`/\`tail\`.</NOTE>`;
}

/**
 * Keeps the first and last part of a stream of unknown (possibly huge) length in bounded memory.
 * The end stays exact, so a marker printed last (the shell prompt) can always be found in it.
 */
export class OutputWindow {
  private head = '';
  private tail = '';
  private clipped = false;
  private total = 0;

  constructor(
    private readonly headCap: number,
    private readonly tailCap: number,
    /** Extra end characters kept beyond tailCap, so a marker at the very end is never cut. */
    private readonly slack = 8192,
  ) {}

  get length(): number {
    return this.total;
  }

  push(chunk: string): void {
    if (!chunk) return;
    this.total += chunk.length;
    if (!this.clipped) {
      this.head += chunk;
      if (this.head.length > this.headCap + this.tailCap + this.slack) {
        this.tail = this.head.slice(this.headCap);
        this.head = this.head.slice(0, this.headCap);
        this.clipped = true;
        this.trimTail();
      }
      return;
    }
    this.tail += chunk;
    // Trimming only once the tail has doubled keeps appends amortised O(1) per character.
    if (this.tail.length > 2 * (this.tailCap + this.slack)) this.trimTail();
  }

  /** The last `n` characters of the stream (at most what is kept). */
  recent(n: number): string {
    return (this.clipped ? this.tail : this.head).slice(-n);
  }

  /** Drops the last `n` characters (a prompt that was found at the end). */
  dropLast(n: number): void {
    if (n <= 0) return;
    this.total -= n;
    if (this.clipped) this.tail = this.tail.slice(0, Math.max(0, this.tail.length - n));
    else this.head = this.head.slice(0, Math.max(0, this.head.length - n));
  }

  /** Everything, or the start and the end around a clip note; `omitted` is what was left out. */
  text(): { text: string; omitted: number } {
    if (!this.clipped) return { text: this.head, omitted: 0 };
    const tail = this.tail.slice(-this.tailCap);
    const omitted = this.total - this.head.length - tail.length;
    if (omitted <= 0) return { text: this.head + this.tail.slice(-(this.total - this.head.length)), omitted: 0 };
    return { text: `${this.head}\r\n${commandClipNote(omitted)}\r\n${tail}`, omitted };
  }

  private trimTail(): void {
    this.tail = this.tail.slice(-(this.tailCap + this.slack));
  }
}
