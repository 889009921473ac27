import type { ContainerRuntime } from './containerRuntime';
import { isAbortError } from '../util/abortError';
import { BatchCancelledError } from '../util/workerPool';

/** One engine of a batch: its client, how messages name it, and how many items it runs at a time. */
export interface PoolEngine {
  name: string;
  runtime: ContainerRuntime;
  /** Its capacity: items in flight on this engine at most. */
  workers: number;
}

/** What a worker knows while it runs an item: its engine, and a way to claim its next item early. */
export interface EngineSlot<T> {
  engine: PoolEngine;
  /**
   * Claims the item this worker runs next, so work for it can start ahead (a warm container on
   * this engine). Undefined when the queue is empty.
   */
  reserveNext(): T | undefined;
}

export interface EngineRunOptions<R> {
  signal?: AbortSignal;
  what?: string;
  onDone?: (result: R, done: number, total: number) => void;
  /**
   * Whether a result may be the engine's fault (an infrastructure error). Such a result, or an
   * error thrown by the work, leads to a ping: an engine that does not answer is drained (its
   * workers stop) and its items go back to the queue for the other engines; an engine that
   * answers keeps the result (or the error fails the batch, as in a one-engine run).
   */
  suspect?: (result: R) => boolean;
  onDrain?: (engine: PoolEngine, reason: string, requeued: number) => void;
}

const PING_MS = 10_000;

/**
 * Runs `fn` over `items` on several engines at once, each with at most `workers` items in flight,
 * from one shared queue. Same contract as runPool (a cancel stops taking work, awaits what is in
 * flight and throws BatchCancelledError; another failure stops the batch and is rethrown), plus:
 * an engine that stops answering mid-run is drained and its work retried on the others; when no
 * engine is left the batch fails naming each engine's failure. Results come in item order.
 */
export async function runOnEngines<T, R>(items: readonly T[], engines: readonly PoolEngine[], fn: (item: T, index: number, slot: EngineSlot<T>) => Promise<R>, options: EngineRunOptions<R> = {}): Promise<R[]> {
  if (engines.length === 0) throw new Error('No engine to run on.');
  const { signal } = options;
  const results: (R | undefined)[] = new Array(items.length);
  const done: R[] = [];
  const queue = items.map((_, i) => i);
  const slots: { engine: PoolEngine; reserved: number[] }[] = [];
  const drained = new Map<PoolEngine, string>();
  let failure: { error: unknown } | undefined;
  let inFlight = 0;
  // Idle workers wait here while work in flight elsewhere may still come back to the queue.
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((r) => (wake = r));
  const notify = (): void => {
    wake();
    changed = new Promise<void>((r) => (wake = r));
  };

  const take = (slot: (typeof slots)[number]): number | undefined => {
    const own = slot.reserved.shift() ?? queue.shift();
    if (own !== undefined) return own;
    // Nothing left but what others claimed ahead: an idle worker takes it (same engine first).
    const other = slots.find((s) => s.engine === slot.engine && s.reserved.length) ?? slots.find((s) => !drained.has(s.engine) && s.reserved.length);
    return other?.reserved.shift();
  };
  const answers = (engine: PoolEngine): Promise<boolean> =>
    engine.runtime.ping(AbortSignal.timeout(PING_MS)).then(
      () => true,
      () => false,
    );
  const drain = (engine: PoolEngine, index: number, reason: string): void => {
    if (!drained.has(engine)) drained.set(engine, reason);
    const back = [index, ...slots.filter((s) => s.engine === engine).flatMap((s) => s.reserved.splice(0))];
    queue.unshift(...back);
    options.onDrain?.(engine, reason, back.length);
    if (engines.every((e) => drained.has(e))) {
      failure ??= { error: new Error(`${options.what ?? 'The batch'} has no engine left: ${engines.map((e) => `${e.name}: ${drained.get(e)}`).join('; ')}`) };
    }
  };

  const worker = async (engine: PoolEngine): Promise<void> => {
    const slot = { engine, reserved: [] as number[] };
    slots.push(slot);
    const api: EngineSlot<T> = {
      engine,
      reserveNext: () => {
        const i = queue.shift();
        if (i === undefined) return undefined;
        slot.reserved.push(i);
        return items[i];
      },
    };
    for (;;) {
      if (signal?.aborted || failure || drained.has(engine)) return;
      const index = take(slot);
      if (index === undefined) {
        if (inFlight === 0) return;
        await changed;
        continue;
      }
      inFlight++;
      try {
        const r = await fn(items[index] as T, index, api);
        if (options.suspect?.(r) && !signal?.aborted && (drained.has(engine) || !(await answers(engine)))) {
          drain(engine, index, `${engine.name} stopped answering`);
        } else {
          results[index] = r;
          done.push(r);
          options.onDone?.(r, done.length, items.length);
        }
      } catch (error) {
        if (isAbortError(error, signal)) {
          // A cancelled item is not done.
        } else if (drained.has(engine) || !(await answers(engine))) {
          drain(engine, index, error instanceof Error ? error.message : String(error));
        } else {
          failure ??= { error };
        }
      } finally {
        inFlight--;
        notify();
      }
    }
  };
  await Promise.all(engines.flatMap((e) => Array.from({ length: Math.max(1, Math.min(e.workers, items.length)) }, () => worker(e))));
  if (failure) throw failure.error;
  if (signal?.aborted) throw new BatchCancelledError(options.what ?? 'The batch', done, items.length);
  return results as R[];
}

/** A single runtime as a pool of one engine with `workers` slots. */
export function oneEngine(runtime: ContainerRuntime, workers = 1, name = 'engine'): PoolEngine[] {
  return [{ name, runtime, workers: Math.max(1, workers) }];
}
