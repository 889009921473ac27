import * as fs from 'node:fs';
import { DatasetLoadError } from './errors';
import { explainFlavor, type TestListEncoding } from './flavor';
import { makeTextLazy, type TextSource } from './lazyText';
import { normalizeRow } from './normalizeRow';
import { readJsonRows } from './readJson';
import { JsonlTextSource, fileStamp, readJsonlRows } from './readJsonl';
import { openParquetRows } from './readParquet';
import { fileFormat, resolveDatasetSource } from './resolveSource';
import type { RowBatch } from './rowBatch';
import { LAZY_TEXT_THRESHOLD_BYTES, type TextStorage } from './heavyFields';
import type { DatasetIssue, LoadedDataset, TaskInstance } from './taskInstance';
import { isAbortError } from '../util/abortError';

export { resolvePackageRoot } from './packageRoot';
export { resolveDatasetSource } from './resolveSource';

export type { TextStorage } from './heavyFields';

export interface LoadDatasetOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the number of rows read so far (bad rows included). */
  onProgress?: (rowsRead: number) => void;
  /** Split to read when the source holds several (`test` of `data/test-00000-of-00001.parquet`). */
  split?: string;
  /** Hugging Face hub cache root for `org/name` sources. */
  hubCacheDir?: string;
  text?: TextStorage;
}

/**
 * Loads a dataset from `samples`, a .json/.jsonl/.ndjson/.parquet file, a folder, a Hugging Face
 * cache folder or `org/name[:split]` (local cache only). Bad rows become `issues` (file, row,
 * field, reason) and the rest loads; a duplicate instance_id keeps its first row.
 *
 * Big sources keep their heavy fields on disk (see TextStorage): reading such a field may then
 * throw a DatasetLoadError (file changed or gone; for parquet also a bad PASS_TO_PASS, which is
 * only decoded when read and so is not among `issues`).
 */
export async function loadDataset(source: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const resolved = resolveDatasetSource(source, options);
  const instances: TaskInstance[] = [];
  const issues: DatasetIssue[] = [];
  const seen = new Map<string, { file: string; row: number }>();
  let rowsRead = 0;
  let encoding: TestListEncoding | undefined;

  for (const file of resolved.files) {
    signal?.throwIfAborted();
    const { batches, textSource } = await openFile(file, options.text ?? 'auto', signal);
    for await (const batch of withFileErrors(file, batches)) {
      issues.push(...batch.issues);
      for (const raw of batch.rows) {
        const result = normalizeRow(raw.value, { file, row: raw.row, ...(batch.deferred ? { deferred: batch.deferred } : {}) });
        if (!result.ok) {
          issues.push(...result.issues);
          continue;
        }
        const { instance } = result;
        const first = seen.get(instance.instance_id);
        if (first) {
          issues.push({
            file,
            row: raw.row,
            instance_id: instance.instance_id,
            field: 'instance_id',
            message: `duplicate of row ${first.row} in ${first.file}; the first one is kept`,
          });
          continue;
        }
        seen.set(instance.instance_id, { file, row: raw.row });
        if (textSource && raw.pos >= 0) makeTextLazy(instance, textSource, raw.pos, raw.len);
        encoding ??= result.testListEncoding;
        instances.push(instance);
      }
      rowsRead += batch.rows.length + batch.issues.length;
      onProgress?.(rowsRead);
      signal?.throwIfAborted();
    }
  }

  const { flavor, basis, reason } = explainFlavor({
    name: resolved.name,
    paths: resolved.files,
    isSamples: resolved.kind === 'samples',
    repos: new Set(instances.map((i) => i.repo)),
    ...(encoding ? { testListEncoding: encoding } : {}),
  });
  return { name: resolved.name, flavor, flavorReason: reason, flavorBasis: basis, files: resolved.files, instances, issues };
}

/** Errors from inside a reader (a corrupt parquet page, an unreadable file) name the file. */
async function* withFileErrors(file: string, batches: AsyncIterable<RowBatch>): AsyncGenerator<RowBatch> {
  try {
    yield* batches;
  } catch (err) {
    if (err instanceof DatasetLoadError || isAbortError(err)) throw err;
    throw new DatasetLoadError(`Cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function openFile(
  file: string,
  text: TextStorage,
  signal: AbortSignal | undefined,
): Promise<{ batches: AsyncIterable<RowBatch>; textSource?: TextSource }> {
  const format = fileFormat(file);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    throw new DatasetLoadError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  // For parquet the file size says little (text compresses ~3x): it decides from its metadata.
  const lazy = text === 'lazy' || (text === 'auto' && stat.size > LAZY_TEXT_THRESHOLD_BYTES);
  switch (format) {
    case 'parquet': {
      try {
        return await openParquetRows(file, text, signal);
      } catch (err) {
        throw new DatasetLoadError(`${file} is not a readable parquet file: ${(err as Error).message}`);
      }
    }
    case 'jsonl':
      return { batches: readJsonlRows(file, signal), ...(lazy ? { textSource: new JsonlTextSource(file, fileStamp(stat)) } : {}) };
    case 'json':
      return { batches: readJsonRows(file, signal), ...(lazy ? { textSource: new JsonlTextSource(file, fileStamp(stat)) } : {}) };
    default:
      throw new DatasetLoadError(`Unsupported dataset file ${file}`);
  }
}
