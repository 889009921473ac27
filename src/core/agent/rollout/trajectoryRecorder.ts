import { TrajectoryWriter } from '../../trajectory/trajectoryWriter';
import type { ClosedTrajectory } from '../../trajectory/trajectoryTypes';
import type { RolloutEventStream } from '../events';

/**
 * A subscriber that writes a rollout's events to its trajectory folder as they happen, then the
 * closed trajectory. A write failure never stops the rollout: it is kept and reported.
 */
export class TrajectoryRecorder {
  private error: string | undefined;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly writer: TrajectoryWriter,
    events: RolloutEventStream,
  ) {
    this.unsubscribe = events.subscribe((e) => {
      if (this.error) return;
      try {
        this.writer.append(e);
      } catch (err) {
        this.error = (err as Error).message;
      }
    });
  }

  /** Opens `<dir>/<baseName>.jsonl` (never overwriting one) and records `events` from now on (with the history so far). */
  static open(dir: string, baseName: string, events: RolloutEventStream): TrajectoryRecorder {
    return new TrajectoryRecorder(TrajectoryWriter.open(dir, baseName), events);
  }

  get eventsPath(): string {
    return this.writer.eventsPath;
  }

  /** The closed trajectory's path, unless writing failed. */
  get jsonPath(): string | undefined {
    return this.error ? undefined : this.writer.jsonPath;
  }

  /** Why writing failed, if it did. */
  get writeError(): string | undefined {
    return this.error;
  }

  close(trajectory: ClosedTrajectory): void {
    this.unsubscribe();
    try {
      this.writer.close(trajectory);
    } catch (err) {
      this.error ??= (err as Error).message;
    }
  }
}
