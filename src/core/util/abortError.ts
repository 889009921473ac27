/**
 * The one cancellation error of the core. Every layer (engine calls, the harness, the agent, the
 * CLI, the extension) throws this on cancel and recognises it with `isAbortError`, so a cancel
 * means the same thing everywhere and is never mistaken for a failure.
 */
export class AbortError extends Error {
  override name = 'AbortError';
}

/** `what` names the cancelled work: "Evaluation of x was cancelled". */
export function abortError(what?: string): AbortError {
  return new AbortError(what ? `${what} was cancelled` : 'Cancelled');
}

/**
 * True for our AbortError, DOM/Node AbortErrors (`signal.throwIfAborted()`), VS Code's
 * CancellationError ("Canceled"), or whenever `signal` has fired.
 */
export function isAbortError(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return error instanceof Error && (error.name === 'AbortError' || /^cancell?ed$|aborted/i.test(error.name));
}

export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(what);
}
