import * as fs from 'node:fs';
import type { AsyncBuffer, ColumnChunk, FileMetaData, RowGroup } from 'hyparquet' with { 'resolution-mode': 'import' };
import { decodedChunks } from './decodedChunkCache';
import { DatasetLoadError } from './errors';
import { assertUnchanged, fileStamp } from './readJsonl';
import type { TextSource } from './lazyText';
import type { RowBatch } from './rowBatch';
import { HEAVY_FIELDS, LAZY_TEXT_THRESHOLD_BYTES, type HeavyField, type TextStorage } from './heavyFields';

export interface ParquetRows {
  batches: AsyncGenerator<RowBatch>;
  /** Set when heavy text stays on disk. */
  textSource?: ParquetTextSource;
}

/**
 * Reads a parquet file one row group at a time. With lazy text, the heavy columns are not decoded
 * at all (they are most of the bytes and most of the decode time); test_patch is still proven
 * present per row group, from the column statistics when they allow, else by decoding it.
 */
export async function openParquetRows(file: string, text: TextStorage, signal?: AbortSignal): Promise<ParquetRows> {
  const hyparquet = await import('hyparquet');
  const handle = await fs.promises.open(file, 'r');
  let handed = false;
  try {
    const stat = await handle.stat();
    const buffer = fileHandleBuffer(handle, stat.size);
    const metadata = await hyparquet.parquetMetadataAsync(buffer);
    const topColumns = hyparquet.parquetSchema(metadata).children.map((c) => c.element.name);
    const heavy = new Set<string>(HEAVY_FIELDS);
    const lazyText = text === 'lazy' || (text === 'auto' && heavyTextBytes(metadata, heavy) > LAZY_TEXT_THRESHOLD_BYTES);
    const eagerColumns = lazyText ? topColumns.filter((c) => !heavy.has(c)) : topColumns;
    const textSource = lazyText ? await ParquetTextSource.create(file, metadata, fileStamp(stat)) : undefined;

    async function* batches(): AsyncGenerator<RowBatch> {
      try {
        let rowStart = 0;
        for (const group of metadata.row_groups) {
          signal?.throwIfAborted();
          const groupRows = Number(group.num_rows);
          const rowEnd = rowStart + groupRows;
          let columns = eagerColumns;
          let deferred: Set<HeavyField> | undefined;
          if (lazyText) {
            deferred = new Set(HEAVY_FIELDS);
            if (!testPatchProvenPresent(group, groupRows)) {
              columns = [...eagerColumns, ...(topColumns.includes('test_patch') ? ['test_patch'] : [])];
              deferred.delete('test_patch');
            }
          }
          const values = await hyparquet.parquetReadObjects({ file: buffer, metadata, columns, rowStart, rowEnd });
          const start = rowStart;
          const rows = values.map((value, i) => ({ row: start + i, value, pos: start + i, len: 0 }));
          yield { rows, issues: [], ...(deferred ? { deferred } : {}) };
          rowStart = rowEnd;
        }
      } finally {
        await handle.close();
      }
    }
    handed = true;
    return { batches: batches(), ...(textSource ? { textSource } : {}) };
  } finally {
    if (!handed) await handle.close();
  }
}

/** hyparquet's own file buffer opens a read stream per slice; one open handle is cheaper. */
function fileHandleBuffer(handle: fs.promises.FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? size, size);
      const length = Math.max(0, stop - start);
      // allocUnsafeSlow: an ArrayBuffer of exactly this length, not a slice of the shared pool.
      const buf = Buffer.allocUnsafeSlow(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buf, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buf.buffer.slice(0, done) as ArrayBuffer;
    },
  };
}

function heavyTextBytes(metadata: FileMetaData, heavy: ReadonlySet<string>): number {
  let bytes = 0;
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta && heavy.has(meta.path_in_schema[0] ?? '')) bytes += Number(meta.total_uncompressed_size);
    }
  }
  return bytes;
}

function columnChunk(group: RowGroup, name: string): ColumnChunk | undefined {
  return group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name);
}

/**
 * No nulls and a non-empty minimum prove every value non-empty ('' sorts first under any byte
 * order, so a truncated minimum still counts). Writers that drop long minimums fall back to decoding.
 */
function testPatchProvenPresent(group: RowGroup, groupRows: number): boolean {
  const meta = columnChunk(group, 'test_patch')?.meta_data;
  const stats = meta?.statistics;
  if (!meta || !stats || stats.null_count !== 0n || Number(meta.num_values) !== groupRows) return false;
  const min = stats.min_value ?? stats.min;
  return (typeof min === 'string' || min instanceof Uint8Array) && min.length > 0;
}

type ColumnModule = typeof import('hyparquet/src/column.js', { with: { 'resolution-mode': 'import' } });
type SchemaModule = typeof import('hyparquet/src/schema.js', { with: { 'resolution-mode': 'import' } });
type ConvertModule = typeof import('hyparquet/src/convert.js', { with: { 'resolution-mode': 'import' } });
type MetadataModule = typeof import('hyparquet/src/metadata.js', { with: { 'resolution-mode': 'import' } });
type AssembleModule = typeof import('hyparquet/src/assemble.js', { with: { 'resolution-mode': 'import' } });

/**
 * Decodes one heavy column of one row group on demand, synchronously. hyparquet's public reader
 * is asynchronous only, so this uses its synchronous column decoder (hyparquet/src/column.js,
 * exported by the package); test/core/dataset covers it so an upgrade that breaks it fails loudly.
 * Decoded chunks go to a shared, size-bounded cache: consumers tend to walk rows in order.
 */
export class ParquetTextSource implements TextSource {
  private static nextId = 0;
  private readonly id = ParquetTextSource.nextId++;
  private readonly groupStarts: number[] = [];

  private constructor(
    readonly file: string,
    private readonly metadata: FileMetaData,
    private readonly stamp: { size: number; mtimeMs: number },
    private readonly modules: { column: ColumnModule; schema: SchemaModule; convert: ConvertModule; meta: MetadataModule; assemble: AssembleModule },
  ) {
    let start = 0;
    for (const group of metadata.row_groups) {
      this.groupStarts.push(start);
      start += Number(group.num_rows);
    }
  }

  static async create(file: string, metadata: FileMetaData, stamp: { size: number; mtimeMs: number }): Promise<ParquetTextSource> {
    const [column, schema, convert, meta, assemble] = await Promise.all([
      import('hyparquet/src/column.js'),
      import('hyparquet/src/schema.js'),
      import('hyparquet/src/convert.js'),
      import('hyparquet/src/metadata.js'),
      import('hyparquet/src/assemble.js'),
    ]);
    return new ParquetTextSource(file, metadata, stamp, { column, schema, convert, meta, assemble });
  }

  where(pos: number): string {
    return `row ${pos}`;
  }

  read(pos: number, _len: number, field: HeavyField): unknown {
    const groupIndex = this.groupOf(pos);
    const key = `${this.id}:${groupIndex}:${field}`;
    let values = decodedChunks.get(key);
    if (!values) {
      try {
        values = this.decode(groupIndex, field);
      } catch (err) {
        if (err instanceof DatasetLoadError) throw err;
        throw new DatasetLoadError(`Cannot read ${field} of row ${pos} from ${this.file}: ${(err as Error).message}`, { cause: err });
      }
      decodedChunks.set(key, values);
    }
    return values[pos - (this.groupStarts[groupIndex] ?? 0)];
  }

  private groupOf(pos: number): number {
    let lo = 0;
    let hi = this.groupStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.groupStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** All values of top-level column `field` in one row group: its leaf chunks, assembled (lists). */
  private decode(groupIndex: number, field: HeavyField): unknown[] {
    const group = this.metadata.row_groups[groupIndex];
    if (!group) return [];
    const chunks = group.columns.filter((c) => c.meta_data?.path_in_schema[0] === field);
    if (chunks.length === 0) return [];
    const tree = this.modules.meta.parquetSchema(this.metadata);
    const groupRows = Number(group.num_rows);
    const leaves = new Map<string, unknown[]>();
    const fd = fs.openSync(this.file, 'r');
    try {
      assertUnchanged(this.file, fs.fstatSync(fd), this.stamp);
      for (const chunk of chunks) {
        const meta = chunk.meta_data;
        if (!meta) continue;
        const offset = Number(meta.dictionary_page_offset || meta.data_page_offset);
        const length = Number(meta.total_compressed_size);
        const bytes = Buffer.allocUnsafeSlow(length);
        let done = 0;
        while (done < length) {
          const n = fs.readSync(fd, bytes, done, length - done, offset + done);
          if (n === 0) break;
          done += n;
        }
        const schemaPath = this.modules.schema.getTreePath(tree, meta.path_in_schema);
        const leaf = schemaPath[schemaPath.length - 1];
        if (!leaf) continue;
        const { data } = this.modules.column.readColumn(
          { view: new DataView(bytes.buffer, 0, done), offset: 0 },
          { groupStart: 0, selectStart: 0, selectEnd: groupRows, groupRows },
          {
            pathInSchema: meta.path_in_schema,
            type: meta.type,
            element: leaf.element,
            schemaPath,
            codec: meta.codec,
            parsers: this.modules.convert.DEFAULT_PARSERS,
          },
        );
        const values: unknown[] = [];
        for (const page of data) for (const v of page) values.push(v);
        leaves.set(meta.path_in_schema.join('.'), values);
      }
    } finally {
      fs.closeSync(fd);
    }
    const node = tree.children.find((c) => c.element.name === field);
    if (!node || node.children.length === 0) return leaves.get(field) ?? [];
    // Nested (LIST<string> test lists): the same assembly hyparquet's async reader does.
    const subcolumns = leaves as Map<string, never>;
    this.modules.assemble.assembleNested(subcolumns, node, this.modules.convert.DEFAULT_PARSERS);
    return (subcolumns.get(field) as unknown[] | undefined) ?? [];
  }
}
