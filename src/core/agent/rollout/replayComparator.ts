import type { ClosedTrajectory } from '../../trajectory/trajectoryTypes';
import type { RolloutEventStream } from '../events';

export type ReplayMismatch = NonNullable<ClosedTrajectory['replay_mismatches']>[number];

/**
 * A subscriber for replays and forks: each observation is compared with the recorded one of the
 * same step and tool call (none after the recorded steps: those are the live model's own); a difference is emitted as `replay_mismatch` (with the first differing line)
 * and kept for the closed trajectory.
 */
export class ReplayComparator {
  readonly mismatches: ReplayMismatch[] = [];

  constructor(events: RolloutEventStream, recorded: (step: number, toolCallId: string) => string | undefined) {
    events.subscribe(
      (e) => {
        if (e.type !== 'observation') return;
        const expected = recorded(e.step, e.toolCallId);
        if (expected === undefined || expected === e.content) return;
        const line = firstDifferentLine(expected, e.content);
        this.mismatches.push({ step: e.step, tool_call_id: e.toolCallId, first_different_line: line });
        events.emit({ type: 'replay_mismatch', step: e.step, toolCallId: e.toolCallId, recorded: expected, actual: e.content, firstDifferentLine: line });
      },
      { replay: false },
    );
  }
}

/** 1-based. */
export function firstDifferentLine(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let line = 0;
  while (line < x.length && line < y.length && x[line] === y[line]) line++;
  return line + 1;
}
