import type { HeavyField } from './heavyFields';
import type { DatasetIssue } from './taskInstance';

/** One raw row as a reader found it, with where to find it again for lazy text. */
export interface RawRow {
  /** 0-based row index in the file (JSONL: line index). */
  row: number;
  value: unknown;
  /** Position for the file's TextSource (byte offset for JSONL, row index for parquet). */
  pos: number;
  /** Byte length of the row's line (JSONL only). */
  len: number;
}

export interface RowBatch {
  rows: RawRow[];
  /** Rows that could not even be parsed (malformed JSON lines). */
  issues: DatasetIssue[];
  /** Heavy fields this batch did not read (kept on disk): not validated by normalizeRow. */
  deferred?: ReadonlySet<HeavyField>;
}
