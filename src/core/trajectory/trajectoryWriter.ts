import * as fs from 'node:fs';
import * as path from 'node:path';
import { elideRequestMessages, type StampedEvent } from '../agent/events';
import type { ClosedTrajectory } from './trajectoryTypes';
import { writeFileDurably } from '../util/durableWrite';

/**
 * Writes a rollout as it runs: one JSON event per line, appended and flushed to disk at every
 * step's end (a kill -9 loses at most the step in flight), then the closed JSON file, written to a
 * temporary name and renamed so a reader never sees half of it.
 *
 * Model requests are stored without the conversation they repeat (it is in the other events);
 * live subscribers get them whole.
 */
export class TrajectoryWriter {
  private fd: number | undefined;

  private constructor(
    readonly eventsPath: string,
    readonly jsonPath: string,
  ) {}

  /** Refuses to overwrite an existing trajectory. */
  static open(dir: string, baseName: string): TrajectoryWriter {
    fs.mkdirSync(dir, { recursive: true });
    const w = new TrajectoryWriter(path.join(dir, `${baseName}.jsonl`), path.join(dir, `${baseName}.json`));
    try {
      w.fd = fs.openSync(w.eventsPath, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`The trajectory ${w.eventsPath} already exists; a rollout never overwrites one (use a new run id or folder).`);
      throw new Error(`Cannot write the trajectory ${w.eventsPath}: ${(err as Error).message}`);
    }
    return w;
  }

  append(event: StampedEvent): void {
    if (this.fd === undefined || event.type === 'model_delta') return;
    fs.writeSync(this.fd, `${JSON.stringify(forFile(event))}\n`);
    if (event.type === 'step_finished' || event.type === 'finished' || event.type === 'rollout_started') fs.fsyncSync(this.fd);
  }

  close(trajectory: ClosedTrajectory): void {
    if (this.fd !== undefined) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    writeFileDurably(this.jsonPath, `${JSON.stringify(trajectory, null, 1)}\n`);
  }
}

function forFile(event: StampedEvent): StampedEvent {
  return event.type === 'model_request' ? { ...event, request: elideRequestMessages(event.request) } : event;
}
