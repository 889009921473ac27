import type { Logger } from '../util/logger';

/** How long work that waits for a launched instance's first prompt waits at most (no terminal came, or it is slow). */
const FIRST_PROMPT_WAIT_MS = 10_000;

/**
 * Instances just launched whose terminal is about to show its first prompt. Work the launch sets
 * off that the person does not wait for (the language server) waits for that prompt, at most
 * FIRST_PROMPT_WAIT_MS, so the two do not share the CPU while the person waits for the prompt.
 */
export class FirstPrompts {
  private readonly waiting = new Map<string, { shown: Promise<void>; resolve: (prompted: boolean) => void }>();

  constructor(private readonly log: Logger) {}

  /** A launch of `instanceId` finished: its terminal's first prompt is awaited from now. */
  expect(instanceId: string): void {
    if (this.waiting.has(instanceId)) return;
    const since = Date.now();
    let resolve: (prompted: boolean) => void = () => undefined;
    const shown = new Promise<boolean>((r) => (resolve = r));
    const timer = setTimeout(() => resolve(false), FIRST_PROMPT_WAIT_MS);
    const done = shown.then((prompted) => {
      clearTimeout(timer);
      this.waiting.delete(instanceId);
      this.log.info(prompted ? `${instanceId}: the terminal shows its shell ${Date.now() - since} ms after the launch` : `${instanceId}: no terminal prompt ${FIRST_PROMPT_WAIT_MS} ms after the launch`);
    });
    this.waiting.set(instanceId, { shown: done, resolve });
  }

  /** The terminal of `instanceId` wrote its first output (or could not start). */
  shown(instanceId: string): void {
    this.waiting.get(instanceId)?.resolve(true);
  }

  /** Settles once the awaited prompt showed or the wait ran out; at once when none is awaited. */
  after(instanceId: string): Promise<void> {
    return this.waiting.get(instanceId)?.shown ?? Promise.resolve();
  }
}
