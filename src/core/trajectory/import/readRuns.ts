import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { detectFormat, readRun } from './detectFormat';
import type { ImportedRun, ImportFailure, ImportNote } from './importedRun';
import { isOwnExportsFolder, isPrediction, ownExportsNote, predictionsIn, predictionsNote } from './knownFiles';

/** A run; a file (or entry) that could not be read; or a known file that is not a trajectory (told, not a failure). */
export type ImportItem = { run: ImportedRun } | { failure: ImportFailure } | { note: ImportNote };

/** Files in a folder that are never trajectories: batch side files of the scaffolds. */
const SIDE_FILES = new Set(['preds.json', 'results.json', 'report.json', 'metadata.json', 'run.json', 'summary.json', 'selection.json', 'package.json']);
const MAX_JSON_BYTES = 512 * 1024 * 1024;

/** Whether a file name looks like a trajectory file worth opening when walking a folder. */
export function isTrajectoryFileName(name: string): boolean {
  if (SIDE_FILES.has(name) || name.startsWith('.')) return false;
  return /\.(json|jsonl|jsonl\.gz|traj)$/.test(name);
}

/**
 * Every run in a file or a folder (walked recursively, in name order), one at a time: JSON Lines
 * are read line by line, so a file of thousands of rows never sits in memory whole. A file or a
 * line that is not a trajectory is yielded as a failure with its path (and line), and the rest
 * goes on.
 */
export async function* readRuns(target: string, signal?: AbortSignal): AsyncGenerator<ImportItem> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (err) {
    yield { failure: { file: target, error: `cannot open: ${(err as Error).message}` } };
    return;
  }
  if (stat.isDirectory()) {
    for await (const file of walk(target)) {
      if (signal?.aborted) return;
      if (typeof file !== 'string') {
        yield { note: file };
        continue;
      }
      for await (const item of readFile(file)) yield await withSweAgentResult(item);
    }
    return;
  }
  for await (const item of readFile(target)) yield await withSweAgentResult(item);
}

/** The files under a folder; a run folder's own `exports/` (met below the folder opened) is one note instead. */
async function* walk(dir: string): AsyncGenerator<string | ImportNote> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    const own = e.isDirectory() && e.name === 'exports' ? await isOwnExportsFolder(p) : undefined;
    if (own) yield ownExportsNote(p, own);
    else if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') yield* walk(p);
    else if (e.isFile() && isTrajectoryFileName(e.name)) yield p;
  }
}

async function* readFile(file: string): AsyncGenerator<ImportItem> {
  if (/\.jsonl(\.gz)?$/.test(file)) {
    yield* readJsonLines(file);
    return;
  }
  let value: unknown;
  try {
    const st = await fs.stat(file);
    if (st.size > MAX_JSON_BYTES) throw new Error(`${st.size} bytes is more than one JSON document can hold here; use JSON Lines`);
    value = JSON.parse((await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    // A .json file can still be JSON Lines (output.jsonl renamed, one row per line).
    const lines = await tryJsonLines(file);
    if (lines) {
      yield* lines;
      return;
    }
    yield { failure: { file, error: `not valid JSON: ${(err as Error).message}` } };
    return;
  }
  const predictions = predictionsIn(value);
  if (predictions) {
    yield { note: predictionsNote(file, predictions) };
    return;
  }
  // A JSON list of rows (not a list of OpenHands events, which is one run).
  if (Array.isArray(value) && value.length && !detectFormat(value) && value.every((v) => detectFormat(v))) {
    for (const [i, v] of value.entries()) yield one(v, file, i);
    return;
  }
  yield one(value, file, 0);
}

function one(value: unknown, file: string, entry: number): ImportItem {
  try {
    return { run: readRun(value, file, entry) };
  } catch (err) {
    return { failure: { file, entry, error: (err as Error).message } };
  }
}

/**
 * SWE-agent and mini-swe-agent keep the evaluation beside the trajectories, not in them: a
 * `results.json` (the harness's report keys: `resolved_ids`, `submitted_ids`, `completed_ids`) in
 * the run folder or above. An id it lists as completed or submitted but not resolved was not resolved.
 */
async function withSweAgentResult(item: ImportItem): Promise<ImportItem> {
  if (!('run' in item) || (item.run.format !== 'swe-agent' && item.run.format !== 'mini-swe-agent') || item.run.resolved !== null) return item;
  let dir = path.dirname(item.run.file);
  for (let up = 0; up < 3; up++, dir = path.dirname(dir)) {
    let results: { resolved_ids?: unknown; submitted_ids?: unknown; completed_ids?: unknown };
    try {
      results = JSON.parse(await fs.readFile(path.join(dir, 'results.json'), 'utf8')) as typeof results;
    } catch {
      continue;
    }
    const has = (list: unknown) => Array.isArray(list) && list.includes(item.run.instanceId);
    if (has(results.resolved_ids)) item.run.resolved = true;
    else if (has(results.submitted_ids) || has(results.completed_ids)) item.run.resolved = false;
    break;
  }
  return item;
}

/** A line of our own rollouts' and demonstrations' event logs (`<instance>_<n>.jsonl` beside the closed `.json`). */
function isOurEvent(v: unknown): boolean {
  const e = v as { type?: unknown; seq?: unknown; time?: unknown } | null;
  return !!e && typeof e === 'object' && typeof e.type === 'string' && typeof e.seq === 'number' && typeof e.time === 'string';
}

async function* readJsonLines(file: string): AsyncGenerator<ImportItem> {
  const input = createReadStream(file);
  const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  const predictions: unknown[] = [];
  try {
    for await (const line of lines) {
      const entry = n++;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        yield { failure: { file, entry, error: `line ${entry + 1} is not valid JSON: ${(err as Error).message}` } };
        continue;
      }
      // Our event log: the closed trajectory beside it is the run (read on its own); one never
      // closed is one failure, not one per event.
      if (entry === 0 && isOurEvent(value)) {
        const closed = file.replace(/\.jsonl(\.gz)?$/, '.json');
        const exists = await fs.stat(closed).then(() => true, () => false);
        if (!exists) yield { failure: { file, error: `an event log of a rollout or demonstration that was never closed (no ${path.basename(closed)} beside it)` } };
        return;
      }
      // A SWE-bench predictions file: told once at its end, with how many patches it holds.
      if (isPrediction(value) && (entry === 0 || predictions.length)) {
        predictions.push(value);
        continue;
      }
      yield one(value, file, entry);
    }
    if (predictions.length) yield { note: predictionsNote(file, predictions) };
  } catch (err) {
    yield { failure: { file, error: `cannot read: ${(err as Error).message}` } };
  } finally {
    lines.close();
    input.destroy();
  }
}

async function tryJsonLines(file: string): Promise<ImportItem[] | undefined> {
  const items: ImportItem[] = [];
  for await (const item of readJsonLines(file)) {
    if ('failure' in item) return undefined;
    items.push(item);
  }
  return items.length > 1 || items.some((i) => 'note' in i) ? items : undefined;
}
