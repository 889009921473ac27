import type { TestListEncoding } from './flavor';
import type { HeavyField } from './heavyFields';
import type { DatasetIssue, TaskInstance } from './taskInstance';

export interface NormalizeContext {
  file: string;
  /** 0-based row index in the file (for JSONL: the line index). */
  row: number;
  /**
   * Heavy fields the reader did not load (kept on disk): not checked here and left empty for the
   * caller to replace with lazy accessors.
   */
  deferred?: ReadonlySet<HeavyField>;
}

export type NormalizedRow =
  | { ok: true; instance: TaskInstance; testListEncoding: TestListEncoding }
  | { ok: false; issues: DatasetIssue[] };

// Ids and repos end up in image names, folder names and git commands: keep them to safe characters.
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9._-]+$/;
const COMMIT = /^[0-9a-fA-F]{7,64}$/;

const OPTIONAL_STRING_FIELDS = [
  'difficulty',
  'image_name',
  'test_cmd',
  'log_parser',
  'install_cmd',
  'image_build_context',
] as const;

type Problem = { field: string; message: string };

/**
 * One raw row (from JSON, JSONL or parquet) -> a TaskInstance, or every problem found in it.
 * Required: instance_id, repo, base_commit, test_patch (grading applies it), FAIL_TO_PASS and
 * PASS_TO_PASS (lists or JSON-encoded lists of strings). A missing gold patch becomes ''.
 */
export function normalizeRow(raw: unknown, ctx: NormalizeContext): NormalizedRow {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(ctx, undefined, [{ field: '', message: `row is not an object (got ${describe(raw)})` }]);
  }
  const row = raw as Record<string, unknown>;
  const problems: Problem[] = [];
  const deferred = ctx.deferred;

  const instanceId = requiredString(row, 'instance_id', problems, INSTANCE_ID, 'letters, digits, ".", "_" and "-" only');
  const repo = requiredString(row, 'repo', problems, REPO, 'of the form owner/name');
  const baseCommit = requiredString(row, 'base_commit', problems, COMMIT, 'a hexadecimal commit hash');

  const text = (field: HeavyField): string => (deferred?.has(field) ? '' : optionalText(row, field, problems));
  const patch = text('patch');
  let testPatch = '';
  if (!deferred?.has('test_patch')) {
    const value = row.test_patch;
    if (value === undefined || value === null || value === '') {
      problems.push({ field: 'test_patch', message: 'missing: grading needs the test patch' });
    } else if (typeof value !== 'string') {
      problems.push({ field: 'test_patch', message: `expected a string, got ${describe(value)}` });
    } else {
      testPatch = value;
    }
  }
  const problemStatement = text('problem_statement');
  const hintsText = text('hints_text');
  const createdAt = timestampText(row, 'created_at', problems);
  const version = versionText(row, problems);

  const failToPass = testList(row, 'FAIL_TO_PASS', problems);
  const passToPass = deferred?.has('PASS_TO_PASS') ? { list: [] } : testList(row, 'PASS_TO_PASS', problems);

  const optional: Partial<TaskInstance> = {};
  const envCommit = row.environment_setup_commit;
  if (envCommit !== undefined && envCommit !== null && envCommit !== '') {
    if (typeof envCommit === 'string' && COMMIT.test(envCommit)) optional.environment_setup_commit = envCommit;
    else problems.push({ field: 'environment_setup_commit', message: `expected a hexadecimal commit hash, got ${describe(envCommit)}` });
  }
  for (const field of OPTIONAL_STRING_FIELDS) {
    const value = row[field];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') optional[field] = value;
    else problems.push({ field, message: `expected a string, got ${describe(value)}` });
  }
  if (row.eval_commands !== undefined && row.eval_commands !== null) {
    const commands = parseStringList(row.eval_commands);
    if (typeof commands === 'string') problems.push({ field: 'eval_commands', message: commands });
    else optional.eval_commands = commands.list;
  }

  if (problems.length > 0) return fail(ctx, typeof row.instance_id === 'string' ? row.instance_id : undefined, problems);

  const instance: TaskInstance = {
    instance_id: instanceId,
    repo,
    base_commit: baseCommit,
    patch,
    test_patch: testPatch,
    problem_statement: problemStatement,
    hints_text: hintsText,
    created_at: createdAt,
    version,
    FAIL_TO_PASS: failToPass.list,
    PASS_TO_PASS: passToPass.list,
    ...optional,
  };
  return { ok: true, instance, testListEncoding: failToPass.encoding };
}

function fail(ctx: NormalizeContext, instanceId: string | undefined, problems: Problem[]): NormalizedRow {
  return {
    ok: false,
    issues: problems.map((p) => ({
      file: ctx.file,
      row: ctx.row,
      ...(instanceId !== undefined ? { instance_id: instanceId } : {}),
      ...(p.field ? { field: p.field } : {}),
      message: p.message,
    })),
  };
}

function requiredString(row: Record<string, unknown>, field: string, problems: Problem[], pattern: RegExp, shape: string): string {
  const value = row[field];
  if (value === undefined || value === null || value === '') {
    problems.push({ field, message: 'missing' });
    return '';
  }
  if (typeof value !== 'string') {
    problems.push({ field, message: `expected a string, got ${describe(value)}` });
    return '';
  }
  if (!pattern.test(value)) {
    problems.push({ field, message: `${JSON.stringify(truncate(value))} is not ${shape}` });
    return '';
  }
  return value;
}

function optionalText(row: Record<string, unknown>, field: string, problems: Problem[]): string {
  const value = row[field];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  problems.push({ field, message: `expected a string, got ${describe(value)}` });
  return '';
}

/** Parquet timestamps arrive as Date (or epoch numbers): keep ISO text like the JSON sources. */
function timestampText(row: Record<string, unknown>, field: string, problems: Problem[]): string {
  const value = row[field];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  const date =
    value instanceof Date ? value : typeof value === 'number' || typeof value === 'bigint' ? new Date(Number(value)) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date.toISOString();
  problems.push({ field, message: `expected a date string or timestamp, got ${describe(value)}` });
  return '';
}

/** Some files store version as a number (e.g. 0.8); the install tables are keyed by its text. */
function versionText(row: Record<string, unknown>, problems: Problem[]): string {
  const value = row.version;
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  problems.push({ field: 'version', message: `expected a string or number, got ${describe(value)}` });
  return '';
}

function testList(
  row: Record<string, unknown>,
  field: 'FAIL_TO_PASS' | 'PASS_TO_PASS',
  problems: Problem[],
): { list: string[]; encoding: TestListEncoding } {
  const value = row[field];
  if (value === undefined || value === null) {
    problems.push({ field, message: 'missing: expected a list of test ids' });
    return { list: [], encoding: 'array' };
  }
  const parsed = parseStringList(value);
  if (typeof parsed === 'string') {
    problems.push({ field, message: parsed });
    return { list: [], encoding: 'array' };
  }
  return parsed;
}

/** A list of strings, given as a real list or as its JSON text; a string result is the reason it is neither. */
export function parseStringList(value: unknown): { list: string[]; encoding: TestListEncoding } | string {
  let list: unknown = value;
  let encoding: TestListEncoding = 'array';
  if (typeof value === 'string') {
    encoding = 'json-string';
    try {
      list = JSON.parse(value);
    } catch (err) {
      return `not valid JSON (${(err as Error).message}): ${JSON.stringify(truncate(value))}`;
    }
    if (!Array.isArray(list)) return `the JSON text holds ${describe(list)}, not a list of strings`;
  } else if (!Array.isArray(value)) {
    return `expected a list of strings or its JSON text, got ${describe(value)}`;
  }
  const items = list as unknown[];
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== 'string') return `item ${i} is ${describe(items[i])}, not a string`;
  }
  return { list: items as string[], encoding };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function truncate(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
