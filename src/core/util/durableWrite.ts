import * as fs from 'node:fs';

/**
 * Writes `text` to `file` so that a crash leaves either the old file or the whole new one: a
 * sibling temp file, flushed to disk, then renamed over it.
 */
export function writeFileDurably(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
