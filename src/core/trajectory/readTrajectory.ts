import type { StampedEvent } from '../agent/events';
import { readRegularText } from '../hostfs/safeRead';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from './trajectoryTypes';

/**
 * A trajectory folder may sit where a container writes (a setting can point it into a workspace):
 * files are read as regular files only, never through a link, and only up to what JSON.parse can
 * take in one string.
 */
const MAX_TRAJECTORY_BYTES = 256 * 1024 * 1024;

/**
 * The events of a trajectory log. A process killed mid-write can leave a partial last line: the
 * events before it are returned and `truncated` says so. Anything broken before the end is an error.
 */
export async function readTrajectoryEvents(file: string): Promise<{ events: StampedEvent[]; truncated: boolean }> {
  const text = await readRegularText(file, { maxBytes: MAX_TRAJECTORY_BYTES });
  const lines = text.split('\n');
  const events: StampedEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as StampedEvent);
    } catch (err) {
      const rest = lines.slice(i + 1).some((l) => l.trim());
      if (!rest) return { events, truncated: true };
      throw new Error(`${file} line ${i + 1} is not valid JSON (${(err as Error).message}) and is not the last line.`);
    }
  }
  return { events, truncated: false };
}

export async function loadClosedTrajectory(file: string): Promise<ClosedTrajectory> {
  let value: unknown;
  try {
    value = JSON.parse(await readRegularText(file, { maxBytes: MAX_TRAJECTORY_BYTES }));
  } catch (err) {
    throw new Error(`Cannot read trajectory ${file}: ${(err as Error).message}`);
  }
  const t = value as Partial<ClosedTrajectory>;
  if (t.format !== TRAJECTORY_FORMAT) throw new Error(`${file} is not a closed trajectory (format ${JSON.stringify(t.format)}, expected ${TRAJECTORY_FORMAT}).`);
  return t as ClosedTrajectory;
}
