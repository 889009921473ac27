import { Writable } from 'node:stream';

/**
 * Dataset text (issue text, ids, test names, messages) shown where a terminal would interpret it:
 * control characters are made visible instead. C0 controls and DEL in caret notation, as `cat -v`
 * shows them (ESC -> `^[`); tabs and newlines stay; C1 controls (8-bit CSI and OSC, which some
 * terminals honour) and bidirectional overrides (which reorder what is shown) as `\uXXXX`, which
 * also keeps JSON output parseable to the same strings.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return '^?';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A stream that writes through `terminalSafe` to another (the CLI's stdout and stderr). */
export function terminalSafeStream(out: NodeJS.WritableStream): NodeJS.WritableStream {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      out.write(terminalSafe(typeof chunk === 'string' ? chunk : chunk.toString('utf8')), (err) => done(err ?? null));
    },
  });
}
