import * as fs from 'node:fs/promises';
import type { LoadedDataset } from '../dataset/taskInstance';
import { readRuns } from '../trajectory/import/readRuns';
import { instanceForRun, toClosedTrajectory } from '../trajectory/import/toTrajectory';
import { loadClosedTrajectory } from '../trajectory/readTrajectory';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../trajectory/trajectoryTypes';

/**
 * A trajectory to replay from any file: one of ours (a rollout or an import), or the `entry`-th run
 * of a file in any format the importers read (SWE-Gym rows, OpenHands, SWE-agent, mini-swe-agent,
 * SFT text, ATIF).
 */
export async function loadReplayable(file: string, dataset: LoadedDataset, entry = 0): Promise<ClosedTrajectory> {
  const head = await fs.readFile(file, { encoding: 'utf8', flag: 'r' }).then((t) => t.slice(0, 4096), (err: Error) => {
    throw new Error(`Cannot read ${file}: ${err.message}`);
  });
  if (head.includes(`"${TRAJECTORY_FORMAT}"`)) return loadClosedTrajectory(file);
  const failures: string[] = [];
  let n = 0;
  for await (const item of readRuns(file)) {
    if ('note' in item) {
      failures.push(item.note.message);
      continue;
    }
    if ('failure' in item) {
      failures.push(item.failure.error);
      continue;
    }
    if (n++ === entry) return toClosedTrajectory(item.run, instanceForRun(dataset, item.run));
  }
  if (n > 0) throw new Error(`${file} has ${n} run(s); run ${entry} is not one of them.`);
  throw new Error(`${file} holds no trajectory to replay: ${failures[0] ?? 'it is empty'}`);
}
