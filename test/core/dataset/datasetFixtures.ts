// Helpers for the dataset and predictions tests: real files in a temp folder, real parquet
// written with hyparquet-writer in the layouts the Hugging Face datasets use.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type Row = Record<string, unknown>;

export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'sgs-dataset-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let serial = 0;

/** A SWE-Gym style row: test lists are real lists. */
export function gymRow(overrides: Row = {}): Row {
  const n = ++serial;
  return {
    instance_id: `getmoto__moto-${7000 + n}`,
    repo: 'getmoto/moto',
    base_commit: `${n.toString(16).padStart(8, '0')}${'ab'.repeat(16)}`,
    patch: `diff --git a/moto/s3/models.py b/moto/s3/models.py\n--- a/moto/s3/models.py\n+++ b/moto/s3/models.py\n@@ -1 +1 @@\n-old ${n}\n+new ${n}\n`,
    test_patch: `diff --git a/tests/test_s3.py b/tests/test_s3.py\n--- a/tests/test_s3.py\n+++ b/tests/test_s3.py\n@@ -1 +1,2 @@\n x\n+def test_${n}(): pass\n`,
    problem_statement: `S3 copy_object loses metadata (case ${n})\n\nSteps to reproduce: ...`,
    hints_text: n % 2 ? `Thanks for raising this ${n}` : '',
    created_at: '2024-03-01T12:00:00Z',
    version: '5.0',
    FAIL_TO_PASS: [`tests/test_s3.py::test_${n}`],
    PASS_TO_PASS: ['tests/test_s3.py::test_other', 'tests/test_s3.py::test_param[a b]'],
    ...overrides,
  };
}

/** The same row as SWE-bench stores it: every field a string, test lists JSON-encoded. */
export function benchRow(overrides: Row = {}): Row {
  const row = gymRow();
  return {
    ...row,
    instance_id: String(row.instance_id).replace('getmoto__moto', 'astropy__astropy'),
    repo: 'astropy/astropy',
    FAIL_TO_PASS: JSON.stringify(row.FAIL_TO_PASS),
    PASS_TO_PASS: JSON.stringify(row.PASS_TO_PASS),
    environment_setup_commit: 'c'.repeat(40),
    ...overrides,
  };
}

export function writeJsonl(file: string, rows: unknown[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}

export function writeJson(file: string, rows: unknown[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(rows, null, 2));
  return file;
}

type SchemaElement = Record<string, unknown>;

const STRING_COLUMNS = [
  'instance_id',
  'repo',
  'base_commit',
  'patch',
  'test_patch',
  'problem_statement',
  'hints_text',
  'version',
  'environment_setup_commit',
] as const;

export interface ParquetOptions {
  /** 'list': LIST<string> columns as pyarrow writes for SWE-Gym; 'json-string': SWE-bench's text. */
  testLists?: 'list' | 'json-string';
  rowGroupSize?: number;
  statistics?: boolean;
  /** created_at as a TIMESTAMP column (Date values) instead of text. */
  timestamps?: boolean;
}

/** Writes rows (gymRow shape) as parquet with an explicit, pyarrow-like schema. */
export async function writeParquet(file: string, rows: Row[], options: ParquetOptions = {}): Promise<string> {
  const { parquetWriteFile } = await import('hyparquet-writer');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lists = options.testLists ?? 'list';
  const present = STRING_COLUMNS.filter((c) => rows.some((r) => c in r));
  const columnData: { name: string; data: unknown[] }[] = [];
  const schema: SchemaElement[] = [];
  for (const name of present) {
    columnData.push({ name, data: rows.map((r) => r[name] ?? null) });
    schema.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
  }
  columnData.push({
    name: 'created_at',
    data: rows.map((r) => (options.timestamps ? new Date(String(r.created_at)) : r.created_at ?? null)),
  });
  schema.push(
    options.timestamps
      ? { name: 'created_at', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' }
      : { name: 'created_at', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  );
  for (const name of ['FAIL_TO_PASS', 'PASS_TO_PASS']) {
    if (lists === 'list') {
      columnData.push({ name, data: rows.map((r) => r[name] ?? null) });
      schema.push(
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      );
    } else {
      columnData.push({ name, data: rows.map((r) => (typeof r[name] === 'string' ? r[name] : JSON.stringify(r[name]))) });
      schema.push({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
    }
  }
  parquetWriteFile({
    filename: file,
    // hyparquet-writer's types want its DecodedArray; plain arrays of the schema's values are what it takes.
    columnData: columnData as never,
    schema: [{ name: 'schema', num_children: columnData.length }, ...schema] as never,
    rowGroupSize: options.rowGroupSize ?? 1000,
    statistics: options.statistics ?? true,
  });
  return file;
}
