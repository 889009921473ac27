import { isAbortError } from '../../util/abortError';
import type { ExitReason } from '../events';
import { ModelError } from '../model/modelProvider';

/** Ends the loop with a named reason. */
export class EndRollout extends Error {
  constructor(
    readonly reason: ExitReason,
    message: string,
  ) {
    super(message);
  }
}

/** The exit a failure of the loop stands for; an interruption (stop, cancel, budget) wins over what it caused. */
export function exitFor(err: unknown, interruptedBy: EndRollout | undefined): EndRollout {
  if (interruptedBy) return interruptedBy;
  if (err instanceof EndRollout) return err;
  if (err instanceof ModelError) {
    const reason: ExitReason =
      err.kind === 'auth' ? 'auth_error' : err.kind === 'not_found' ? 'model_not_found' : err.kind === 'context_length' ? 'context_overflow' : err.kind === 'replay_exhausted' ? 'replay_exhausted' : 'model_error';
    return new EndRollout(reason, err.message);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  if (isAbortError(e)) return new EndRollout('cancelled', 'Cancelled.');
  return new EndRollout('environment_error', e.message);
}
