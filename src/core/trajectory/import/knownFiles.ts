import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TRAJECTORY_FORMAT } from '../trajectoryTypes';
import type { ImportNote } from './importedRun';

/**
 * Files met in a folder of runs that are not trajectories but are known: SWE-bench predictions
 * (`instance_id`, `model_patch`, `model_name_or_path`; what `swe-gym export --format predictions`
 * and the scaffolds' batch runners write) and the `exports/` folder `swe-gym export` writes into a
 * run folder. They are told as notes, not as bad files.
 */

/** One SWE-bench prediction, and no conversation beside it. */
export function isPrediction(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = v as Record<string, unknown>;
  return typeof p.instance_id === 'string' && 'model_patch' in p && 'model_name_or_path' in p && !('messages' in p) && !('history' in p) && !('trajectory' in p);
}

/** The predictions a parsed .json file holds: a list of them, or SWE-bench's dict keyed by instance id; undefined when it is not one. */
export function predictionsIn(value: unknown): unknown[] | undefined {
  const list = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [];
  return list.length && list.every(isPrediction) ? list : undefined;
}

export function predictionsNote(file: string, predictions: readonly unknown[]): ImportNote {
  const patches = predictions.filter((p) => typeof (p as { model_patch?: unknown }).model_patch === 'string' && (p as { model_patch: string }).model_patch.trim()).length;
  const empty = predictions.length - patches;
  return {
    file,
    message: `predictions file, ${patches} patch${patches === 1 ? '' : 'es'}${empty ? ` (and ${empty} empty)` : ''}, not a trajectory: grade it with swe-gym eval --dataset D --predictions ${file}`,
  };
}

/** The file names `swe-gym export` writes into `<run>/exports/`. */
const EXPORT_NAMES = new Set(['swe-gym.jsonl', 'sft.jsonl', 'predictions.jsonl']);

/**
 * Whether `dir` is the `exports/` folder `swe-gym export` wrote into a run folder of ours: named so,
 * holding export files, beside closed trajectories of ours (their rows are those runs again).
 */
export async function isOwnExportsFolder(dir: string): Promise<string[] | undefined> {
  if (path.basename(dir) !== 'exports') return undefined;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const exports = names.filter((n) => EXPORT_NAMES.has(n)).sort();
  if (!exports.length) return undefined;
  const parent = path.dirname(dir);
  const candidates = (await fs.readdir(parent).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).slice(0, 50);
  for (const name of candidates) {
    if ((await head(path.join(parent, name))).includes(`"${TRAJECTORY_FORMAT}"`)) return exports;
  }
  return undefined;
}

export function ownExportsNote(dir: string, exports: readonly string[]): ImportNote {
  const preds = exports.includes('predictions.jsonl') ? `; grade predictions.jsonl with swe-gym eval --dataset D --predictions ${path.join(dir, 'predictions.jsonl')}` : '';
  return { file: dir, message: `this run folder's own exports (${exports.join(', ')}), not read again: its runs are the trajectories beside it${preds}` };
}

async function head(file: string): Promise<string> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
