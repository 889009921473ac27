import * as path from 'node:path';
import type { TaskInstance } from '../../core/dataset/taskInstance';
import type { ImportedRun, ImportFailure, ImportNote } from '../../core/trajectory/import/importedRun';
import { readRuns } from '../../core/trajectory/import/readRuns';
import { instanceForRun, toClosedTrajectory } from '../../core/trajectory/import/toTrajectory';
import type { DatasetEntry, DatasetStore } from '../datasets/datasetStore';
import type { ImportedRunStore } from './importedRunStore';

export interface ImportOutcome {
  /** Rollout ids of the runs imported, in file order. */
  imported: string[];
  instances: string[];
  failures: ImportFailure[];
  /** Known files that are not trajectories (a predictions file, a run's own exports): told, not failed. */
  notes: ImportNote[];
  cancelled: boolean;
}

/** Runs between index writes and tree refreshes while a big folder streams in. */
const BATCH = 25;

/**
 * Streams every run of a file or folder into the store, one at a time: each run goes under its
 * instance in whichever open dataset has it; a file, line or run that cannot be read or matched
 * is a failure with its path, and the rest goes on. A cancel stops after the current run (what
 * was imported so far stays).
 */
export async function importTrajectories(
  target: string,
  datasets: DatasetStore,
  store: ImportedRunStore,
  options: { signal?: AbortSignal; onProgress?: (message: string) => void } = {},
): Promise<ImportOutcome> {
  const out: ImportOutcome = { imported: [], instances: [], failures: [], notes: [], cancelled: false };
  const pending = new Set<string>();
  const flush = async () => {
    await store.save();
    store.announce(pending);
    pending.clear();
  };
  for await (const item of readRuns(target, options.signal)) {
    if (options.signal?.aborted) {
      out.cancelled = true;
      break;
    }
    if ('note' in item) {
      out.notes.push(item.note);
      continue;
    }
    if ('failure' in item) {
      out.failures.push(item.failure);
    } else {
      const run = item.run;
      try {
        const { entry, instance } = findInstance(datasets, run);
        const row = await store.add(toClosedTrajectory(run, instance), entry.source);
        out.imported.push(row.rolloutId);
        if (!out.instances.includes(row.instanceId)) out.instances.push(row.instanceId);
        pending.add(row.instanceId);
      } catch (err) {
        out.failures.push({ file: run.file, entry: run.entry, error: err instanceof Error ? err.message : String(err) });
      }
    }
    const done = out.imported.length + out.failures.length;
    const file = 'run' in item ? item.run.file : item.failure.file;
    options.onProgress?.(`${done} read (${out.imported.length} imported, ${out.failures.length} skipped): ${path.basename(file)}`);
    if (pending.size && out.imported.length % BATCH === 0) await flush();
  }
  if (options.signal?.aborted) out.cancelled = true;
  await flush();
  return out;
}

/** The open dataset holding the run's instance (the first that has it). */
function findInstance(datasets: DatasetStore, run: ImportedRun): { entry: DatasetEntry; instance: TaskInstance } {
  const loaded = datasets.list().filter((e) => e.state === 'loaded' && e.dataset);
  let first: string | undefined;
  for (const entry of loaded) {
    try {
      return { entry, instance: instanceForRun(entry.dataset as NonNullable<DatasetEntry['dataset']>, run) };
    } catch (err) {
      first ??= err instanceof Error ? err.message : String(err);
    }
  }
  if (!loaded.length) throw new Error('no dataset is open: open the dataset the run belongs to first');
  throw new Error(loaded.length === 1 ? (first ?? 'no matching instance') : `none of the ${loaded.length} open datasets has its instance (${first ?? ''})`);
}

/** One line per failure, for the log and the message. */
export function describeFailure(f: ImportFailure): string {
  return `${f.file}${f.entry !== undefined ? ` (entry ${f.entry + 1})` : ''}: ${f.error}`;
}
