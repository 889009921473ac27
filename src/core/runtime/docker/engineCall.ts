import { abortError } from '../../util/abortError';
import { EngineUnavailableError } from '../errors';

/** How long one engine request may take before we give up on the engine (not on the work). */
export const ENGINE_TIMEOUTS = {
  /** Answers that need no work: ping, inspect, list, exec inspect. */
  quick: 30_000,
  /** Requests that do work in the engine: create, start, remove, exec setup, archives. */
  slow: 120_000,
};

/**
 * Runs one engine request with a bounded time and the caller's cancel: either aborts the request
 * itself (dockerode's abortSignal), so a frozen engine leaves no open socket behind to keep the
 * process alive. A timeout rejects with EngineUnavailableError; a cancel with an AbortError.
 */
export async function engineCall<T>(
  endpoint: string,
  doing: string,
  timeoutMs: number,
  request: (abortSignal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, timeoutMs);
  const onAbort = () => ac.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await request(ac.signal);
  } catch (err) {
    if (timedOut) {
      throw new EngineUnavailableError(
        `Docker engine at ${endpoint} did not answer within ${Math.round(timeoutMs / 1000)} s while ${doing}. Check that Docker is running and not stuck (\`docker info\`), then try again.`,
      );
    }
    if (signal?.aborted) {
      throw abortError(doing);
    }
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** dockerode's typings omit `abortSignal` on some calls its code honours (ping, info, network inspect). */
export function withAbortSignal<T>(method: (...args: never[]) => unknown, self: object): (options: { abortSignal: AbortSignal }) => Promise<T> {
  return (method as unknown as (o: { abortSignal: AbortSignal }) => Promise<T>).bind(self);
}
