import { AbortError, isAbortError } from './abortError';

/**
 * A cancelled batch: no new work was started after the cancel, the work in flight was awaited,
 * and `done` holds what finished (in completion order). Batch commands report it as
 * "cancelled, k of n done" and never as a finished run.
 */
export class BatchCancelledError<R> extends AbortError {
  constructor(
    what: string,
    readonly done: R[],
    readonly total: number,
  ) {
    super(`${what} was cancelled, ${done.length} of ${total} done`);
  }
}

/**
 * Runs `fn` over `items` with at most `workers` at a time — the one pool every batch (evaluation,
 * validation, rollouts) uses, so a cancel means the same everywhere: stop taking work, await what
 * is in flight, throw BatchCancelledError with the partial results. A failure of `fn` stops the
 * pool the same way and is rethrown once the work in flight has settled.
 */
export async function runPool<T, R>(
  items: readonly T[],
  workers: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { signal?: AbortSignal; what?: string; onDone?: (result: R, done: number, total: number) => void } = {},
): Promise<R[]> {
  const { signal } = options;
  const results: (R | undefined)[] = new Array(items.length);
  const done: R[] = [];
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted && !failure) {
      const index = next++;
      try {
        const r = await fn(items[index] as T, index);
        results[index] = r;
        done.push(r);
        options.onDone?.(r, done.length, items.length);
      } catch (error) {
        // A cancelled item is not done; any other error stops the pool.
        if (!isAbortError(error, signal)) failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
  if (failure) throw failure.error;
  if (signal?.aborted) throw new BatchCancelledError(options.what ?? 'The batch', done, items.length);
  return results as R[];
}
