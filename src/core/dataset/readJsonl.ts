import * as fs from 'node:fs';
import { DatasetLoadError } from './errors';
import type { TextSource } from './lazyText';
import type { RowBatch } from './rowBatch';
import type { HeavyField } from './heavyFields';
import type { DatasetIssue } from './taskInstance';

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Streams a JSON Lines file in chunks, one batch per chunk, recording each line's byte offset
 * and length so its text can be read back later without keeping it in memory.
 */
export async function* readJsonlRows(file: string, signal?: AbortSignal, chunkSize = 1 << 20): AsyncGenerator<RowBatch> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(chunkSize);
    // Bytes of a line that started in an earlier chunk; kept as pieces so very long lines are not re-copied per chunk.
    let pending: Buffer[] = [];
    let pendingStart = 0;
    let filePos = 0;
    let lineIndex = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, filePos);
      const chunk = buffer.subarray(0, bytesRead);
      const chunkStart = filePos;
      filePos += bytesRead;
      const batch: RowBatch = { rows: [], issues: [] };
      let lineStart = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, lineStart);
        if (nl < 0) break;
        if (pending.length > 0) {
          pending.push(chunk.subarray(0, nl));
          const line = Buffer.concat(pending);
          parseLine(file, line, 0, line.length, pendingStart, lineIndex++, batch);
          pending = [];
        } else {
          parseLine(file, chunk, lineStart, nl, chunkStart + lineStart, lineIndex++, batch);
        }
        lineStart = nl + 1;
      }
      if (bytesRead === 0) {
        if (pending.length > 0) {
          const line = Buffer.concat(pending);
          parseLine(file, line, 0, line.length, pendingStart, lineIndex++, batch);
        }
        if (batch.rows.length || batch.issues.length) yield batch;
        return;
      }
      if (lineStart < chunk.length) {
        if (pending.length === 0) pendingStart = chunkStart + lineStart;
        // Copy: the read buffer is reused for the next chunk.
        pending.push(Buffer.from(chunk.subarray(lineStart)));
      }
      if (batch.rows.length || batch.issues.length) yield batch;
    }
  } finally {
    await handle.close();
  }
}

function parseLine(file: string, buf: Buffer, start: number, end: number, absStart: number, lineIndex: number, batch: RowBatch): void {
  let s = start;
  let e = end;
  if (absStart === 0 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3; // UTF-8 BOM
  if (e > s && buf[e - 1] === CR) e--;
  const text = buf.toString('utf8', s, e);
  if (text.trim() === '') return;
  try {
    batch.rows.push({ row: lineIndex, value: JSON.parse(text), pos: absStart + (s - start), len: e - s });
  } catch (err) {
    const issue: DatasetIssue = { file, row: lineIndex, message: `line ${lineIndex + 1} is not valid JSON: ${(err as Error).message}` };
    batch.issues.push(issue);
  }
}

/** Reads a heavy field back from its line; remembers the last line, as callers read several fields of one row. */
export class JsonlTextSource implements TextSource {
  private last: { pos: number; row: Record<string, unknown> } | undefined;

  constructor(
    readonly file: string,
    private readonly stamp: { size: number; mtimeMs: number },
  ) {}

  where(pos: number): string {
    return `byte ${pos}`;
  }

  read(pos: number, len: number, field: HeavyField, instanceId: string): unknown {
    if (this.last?.pos !== pos) {
      let row: unknown;
      try {
        const fd = fs.openSync(this.file, 'r');
        try {
          assertUnchanged(this.file, fs.fstatSync(fd), this.stamp);
          const buf = Buffer.allocUnsafe(len);
          fs.readSync(fd, buf, 0, len, pos);
          row = JSON.parse(buf.toString('utf8'));
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        if (err instanceof DatasetLoadError) throw err;
        throw new DatasetLoadError(`Cannot read ${field} back from ${this.file}: ${(err as Error).message}`, { cause: err });
      }
      if (row === null || typeof row !== 'object' || (row as Record<string, unknown>).instance_id !== instanceId) {
        throw changedError(this.file);
      }
      this.last = { pos, row: row as Record<string, unknown> };
    }
    return this.last.row[field];
  }
}

export function fileStamp(stat: fs.Stats): { size: number; mtimeMs: number } {
  return { size: stat.size, mtimeMs: stat.mtimeMs };
}

export function assertUnchanged(file: string, stat: fs.Stats, stamp: { size: number; mtimeMs: number }): void {
  if (stat.size !== stamp.size || stat.mtimeMs !== stamp.mtimeMs) throw changedError(file);
}

function changedError(file: string): DatasetLoadError {
  return new DatasetLoadError(`${file} changed since the dataset was loaded; load the dataset again`);
}
