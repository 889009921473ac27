import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedDataset, TaskInstance } from '../dataset/taskInstance';

export interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  /** null: the model produced no patch (reported as patch_is_None). */
  model_patch: string | null;
}

export interface PredictionProblem {
  file: string;
  /** Where in the file: `entry 3` (JSON list, 0-based), `line 4` (JSONL), `key "x"` (object). */
  entry: string;
  instance_id?: string;
  field?: string;
  message: string;
}

/** Bad predictions input. `problems` lists every bad entry and every unknown instance id. */
export class PredictionsError extends Error {
  override name = 'PredictionsError';
  constructor(
    message: string,
    readonly problems: PredictionProblem[] = [],
  ) {
    super(message);
  }
}

const MAX_LISTED = 10;

/**
 * Loads predictions for `dataset` from a JSON list, a JSON Lines file, a JSON object keyed by
 * instance id, or the words `gold` (each row's own patch, model `gold`) and `empty` (an empty
 * patch, model `empty`).
 *
 * Everything wrong is reported at once in a PredictionsError: malformed entries (file, entry,
 * field) and duplicate ids, and instance ids the dataset does not have. Unknown ids are an error
 * rather than skipped: evaluating a silent subset would report wrong totals, and a typo or the
 * wrong dataset (Lite vs full) is the usual cause.
 */
export async function loadPredictions(source: string, dataset: LoadedDataset): Promise<Prediction[]> {
  if (source === 'gold') return dataset.instances.map(goldPrediction);
  if (source === 'empty') {
    return dataset.instances.map((i) => ({ instance_id: i.instance_id, model_name_or_path: 'empty', model_patch: '' }));
  }

  const file = path.resolve(source);
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw new PredictionsError(`Cannot read predictions ${file}: ${(err as Error).message}`);
  }
  const problems: PredictionProblem[] = [];
  const entries = parseEntries(file, text.replace(/^\uFEFF/, ''), problems);
  const predictions: Prediction[] = [];
  const seen = new Map<string, string>();
  for (const { entry, value, key } of entries) {
    const prediction = validateEntry(file, entry, value, key, problems);
    if (!prediction) continue;
    const first = seen.get(prediction.instance_id);
    if (first !== undefined) {
      problems.push({ file, entry, instance_id: prediction.instance_id, field: 'instance_id', message: `duplicate of ${first}` });
      continue;
    }
    seen.set(prediction.instance_id, entry);
    predictions.push(prediction);
  }

  const known = new Set(dataset.instances.map((i) => i.instance_id));
  const byLowerCase = new Map(dataset.instances.map((i) => [i.instance_id.toLowerCase(), i.instance_id]));
  for (const p of predictions) {
    if (known.has(p.instance_id)) continue;
    const near = byLowerCase.get(p.instance_id.toLowerCase());
    problems.push({
      file,
      entry: seen.get(p.instance_id) ?? '',
      instance_id: p.instance_id,
      field: 'instance_id',
      message: `not in dataset ${dataset.name}` + (near ? ` (ids are case-sensitive: did you mean ${near}?)` : ''),
    });
  }

  if (problems.length > 0) throw new PredictionsError(summarize(file, problems), problems);
  return predictions;
}

/** The gold patch is read only when used: big datasets keep it on disk (see dataset/lazyText.ts). */
function goldPrediction(instance: TaskInstance): Prediction {
  const prediction = { instance_id: instance.instance_id, model_name_or_path: 'gold' } as Prediction;
  Object.defineProperty(prediction, 'model_patch', { get: () => instance.patch, enumerable: true, configurable: true });
  return prediction;
}

interface RawEntry {
  entry: string;
  value: unknown;
  /** The object key, for files keyed by instance id. */
  key?: string;
}

function parseEntries(file: string, text: string, problems: PredictionProblem[]): RawEntry[] {
  const ext = path.extname(file).toLowerCase();
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (ext !== '.jsonl' && ext !== '.ndjson') {
    let parsed: unknown;
    let parsedOk = false;
    try {
      parsed = JSON.parse(trimmed);
      parsedOk = true;
    } catch (err) {
      if (trimmed.startsWith('[')) throw new PredictionsError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (parsedOk) {
      if (Array.isArray(parsed)) return parsed.map((value: unknown, i) => ({ entry: `entry ${i}`, value }));
      if (parsed !== null && typeof parsed === 'object') {
        const obj = parsed as Record<string, unknown>;
        // One bare prediction (a one-line JSON Lines file under a .json name).
        if (typeof obj.instance_id === 'string') return [{ entry: 'line 1', value: obj }];
        return Object.entries(obj).map(([key, value]) => ({ entry: `key ${JSON.stringify(key)}`, value, key }));
      }
      throw new PredictionsError(`${file}: expected a list of predictions, an object keyed by instance id, or JSON Lines`);
    }
  }
  const entries: RawEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      entries.push({ entry: `line ${i + 1}`, value: JSON.parse(line) });
    } catch (err) {
      problems.push({ file, entry: `line ${i + 1}`, message: `not valid JSON: ${(err as Error).message}` });
    }
  });
  return entries;
}

function validateEntry(file: string, entry: string, value: unknown, key: string | undefined, problems: PredictionProblem[]): Prediction | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ file, entry, ...(key !== undefined ? { instance_id: key } : {}), message: `expected an object, got ${describe(value)}` });
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  const before = problems.length;
  const add = (field: string, message: string, id?: string): void => {
    problems.push({ file, entry, ...(id !== undefined ? { instance_id: id } : {}), field, message });
  };

  let instanceId = obj.instance_id;
  if (key !== undefined) {
    if (instanceId !== undefined && instanceId !== key) add('instance_id', `${describe(instanceId)} differs from its key`, key);
    instanceId = key;
  }
  const id = typeof instanceId === 'string' && instanceId !== '' ? instanceId : undefined;
  if (id === undefined) add('instance_id', instanceId === undefined ? 'missing' : `expected a non-empty string, got ${describe(instanceId)}`);

  const model = obj.model_name_or_path;
  if (typeof model !== 'string' || model === '') {
    add('model_name_or_path', model === undefined ? 'missing' : `expected a non-empty string, got ${describe(model)}`, id);
  }
  const patch = obj.model_patch;
  if (patch === undefined) add('model_patch', 'missing (use null for "no patch")', id);
  else if (patch !== null && typeof patch !== 'string') add('model_patch', `expected a string or null, got ${describe(patch)}`, id);

  if (problems.length > before || id === undefined) return undefined;
  return { instance_id: id, model_name_or_path: model as string, model_patch: patch as string | null };
}

function summarize(file: string, problems: PredictionProblem[]): string {
  const lines = problems.slice(0, MAX_LISTED).map((p) => {
    const where = [p.entry, p.instance_id && p.entry.startsWith('key ') ? '' : p.instance_id, p.field].filter(Boolean).join(', ');
    return `  ${where}: ${p.message}`;
  });
  const more = problems.length > MAX_LISTED ? `\n  ... and ${problems.length - MAX_LISTED} more` : '';
  return `${problems.length} problem${problems.length === 1 ? '' : 's'} in predictions ${file}:\n${lines.join('\n')}${more}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
