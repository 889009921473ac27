import * as fs from 'node:fs';
import { DatasetLoadError } from './errors';
import { readJsonlRows } from './readJsonl';
import type { RowBatch } from './rowBatch';

const BATCH_ROWS = 1000;
/** V8 cannot hold a string much longer than this; such files must be JSON Lines or parquet. */
const MAX_JSON_ARRAY_BYTES = 500 * 1024 * 1024;

/**
 * A .json file holding an array of rows. Hugging Face's `Dataset.to_json` writes JSON Lines under
 * a .json name by default, so content starting with `{` is read as JSON Lines.
 */
export async function* readJsonRows(file: string, signal?: AbortSignal): AsyncGenerator<RowBatch> {
  const { first, size } = await peekFirstChar(file);
  if (first === '{') {
    await rejectSingleObject(file, size);
    yield* readJsonlRows(file, signal);
    return;
  }
  if (first !== '[') {
    throw new DatasetLoadError(
      `${file}: expected a JSON array of rows or JSON Lines, ${first === undefined ? 'but the file is empty' : `found "${first}" first`}`,
    );
  }
  if (size > MAX_JSON_ARRAY_BYTES) {
    throw new DatasetLoadError(`${file} is too large for one JSON array (${size} bytes); convert it to JSON Lines or parquet`);
  }
  const text = await fs.promises.readFile(file, { encoding: 'utf8', ...(signal ? { signal } : {}) });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DatasetLoadError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new DatasetLoadError(`${file}: expected a JSON array of rows`);
  for (let i = 0; i < parsed.length; i += BATCH_ROWS) {
    signal?.throwIfAborted();
    const rows = parsed.slice(i, i + BATCH_ROWS).map((value: unknown, k) => ({ row: i + k, value, pos: -1, len: 0 }));
    yield { rows, issues: [] };
  }
}

async function peekFirstChar(file: string): Promise<{ first: string | undefined; size: number }> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = 0; pos < size; pos += buf.length) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      const text = buf.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
      const m = /\S/.exec(text);
      if (m) return { first: m[0], size };
    }
    return { first: undefined, size };
  } finally {
    await handle.close();
  }
}

/** One pretty-printed object (say `{"rows": [...]}`) would otherwise surface as one bad line per line. */
async function rejectSingleObject(file: string, size: number): Promise<void> {
  // Only worth reading twice when small; a big file starting with `{` is JSON Lines in practice.
  if (size > 16 * 1024 * 1024) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.promises.readFile(file, 'utf8'));
  } catch {
    return; // Several objects: JSON Lines.
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && !('instance_id' in parsed)) {
    throw new DatasetLoadError(`${file} holds a single JSON object, not rows: expected a JSON array of rows or JSON Lines`);
  }
}
