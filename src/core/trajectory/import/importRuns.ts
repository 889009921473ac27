import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedDataset } from '../../dataset/taskInstance';
import type { ClosedTrajectory } from '../trajectoryTypes';
import type { ImportFailure, ImportNote } from './importedRun';
import { readRuns } from './readRuns';
import { instanceForRun, toClosedTrajectory } from './toTrajectory';

export interface ImportedFile {
  trajectory: ClosedTrajectory;
  /** Where it was written (absent without an output folder). */
  path?: string;
}

export interface ImportSummary {
  imported: ImportedFile[];
  failures: ImportFailure[];
  /** Known files that are not trajectories (a predictions file, a run's own exports): told, not failed. */
  notes: ImportNote[];
}

/**
 * Imports every run of a file or folder into our trajectory format (one closed trajectory file per
 * run in `outDir`, so `export`, `replay` and the viewer take them). Runs are handled one at a time as
 * they are read; each bad file or entry becomes a failure with its path, and the rest goes on.
 */
export async function importRuns(
  target: string,
  dataset: LoadedDataset,
  options: { outDir?: string; signal?: AbortSignal; onRun?: (f: ImportedFile) => void; onFailure?: (f: ImportFailure) => void; onNote?: (n: ImportNote) => void } = {},
): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: [], failures: [], notes: [] };
  if (options.outDir) await fs.mkdir(options.outDir, { recursive: true });
  // Runs of one instance from several files (scaffolds) get indexes of their own, as a run's rollouts do.
  const taken = new Map<string, Set<number>>();
  for await (const item of readRuns(target, options.signal)) {
    if ('note' in item) {
      summary.notes.push(item.note);
      options.onNote?.(item.note);
      continue;
    }
    if ('failure' in item) {
      summary.failures.push(item.failure);
      options.onFailure?.(item.failure);
      continue;
    }
    const run = item.run;
    let trajectory: ClosedTrajectory;
    try {
      trajectory = toClosedTrajectory(run, instanceForRun(dataset, run));
    } catch (err) {
      const failure = { file: run.file, entry: run.entry, error: (err as Error).message };
      summary.failures.push(failure);
      options.onFailure?.(failure);
      continue;
    }
    const used = taken.get(trajectory.instance_id) ?? new Set<number>();
    taken.set(trajectory.instance_id, used);
    while (used.has(trajectory.index)) trajectory.index++;
    used.add(trajectory.index);
    const done: ImportedFile = { trajectory };
    if (options.outDir) {
      const file = path.join(options.outDir, `${trajectory.instance_id}.${trajectory.index}.${trajectory.rollout_id}.json`);
      const tmp = `${file}.tmp-${process.pid}`;
      await fs.writeFile(tmp, `${JSON.stringify(trajectory, null, 1)}\n`);
      await fs.rename(tmp, file);
      done.path = file;
    }
    summary.imported.push(done);
    options.onRun?.(done);
  }
  return summary;
}
