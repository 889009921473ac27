import { type ContainerHandle, type ContainerRuntime, type ContainerSpec } from './containerRuntime';

/** Marks a container started ahead of its grade (informational; it is an ordinary eval container). */
export const LABEL_WARM = 'io.swe-gym-studio.warm';
/** A waiting container nobody took is removed after this long. */
export const DEFAULT_WARM_IDLE_MS = Number(process.env.SWE_GYM_WARM_IDLE_MS) || 5 * 60_000;

interface Waiting {
  key: string;
  spec: ContainerSpec;
  container: Promise<ContainerHandle | undefined>;
  timer: NodeJS.Timeout;
  since: number;
}
/** A container that waited longer than this is checked to still run before it is handed out. */
const CHECK_AFTER_MS = 10_000;

/**
 * Fresh containers started ahead of the grade that will use them, so a grade skips create + start.
 * A container is handed out once and never comes back: grading always runs in a never-used one.
 * At most one waits per image; it is made from the very spec the grade asks for (same labels,
 * network, limits), by the same runtime, so it carries the same heartbeat and reaper labels, and
 * it is removed after an idle time, on discard and on dispose.
 */
export class WarmContainers {
  private readonly waiting = new Map<string, Waiting>();
  private readonly removals = new Set<Promise<void>>();
  private disposed = false;

  constructor(
    readonly runtime: ContainerRuntime,
    private readonly options: { idleMs?: number; checkAfterMs?: number; onWarning?: (message: string) => void } = {},
  ) {}

  /**
   * Starts a never-used container for this spec, unless one for the same spec already waits.
   * `warmUp`: a command run in it once started (failures ignored), before it can be handed out, so
   * a grade never overlaps it: only work that needs no candidate and no hidden test (a fresh
   * container's first git and Python start-up are slow: cold file caches of its new overlay).
   */
  prepare(spec: ContainerSpec, options: { warmUp?: string[] } = {}): void {
    if (this.disposed) return;
    const key = specKey(spec);
    const existing = this.waiting.get(spec.image);
    if (existing?.key === key) return;
    if (existing) this.drop(existing);
    const clean = withoutSignal(spec);
    const container = this.runtime
      .createContainer({ ...clean, extraLabels: { ...clean.extraLabels, [LABEL_WARM]: '1' } })
      .then(async (c) => {
        if (options.warmUp) await c.exec(options.warmUp, { timeoutMs: 60_000 }).catch(() => undefined);
        return c;
      })
      .catch((err: unknown) => {
      this.options.onWarning?.(`Could not start a container ahead for ${spec.image}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    const entry: Waiting = { key, spec: clean, container, timer: setTimeout(() => this.drop(entry), this.options.idleMs ?? DEFAULT_WARM_IDLE_MS).unref(), since: Date.now() };
    this.waiting.set(spec.image, entry);
  }

  /**
   * A container for this spec that nothing has used: the waiting one when it was made from the
   * same spec and started fine, else a new one. Whatever is returned belongs to the caller.
   */
  async createContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const entry = this.waiting.get(spec.image);
    if (entry && entry.key === specKey(spec)) {
      this.waiting.delete(spec.image);
      clearTimeout(entry.timer);
      const ready = await entry.container;
      // Something outside (a cleanup, `docker rm`) may have removed one that waited long.
      if (ready && (Date.now() - entry.since < (this.options.checkAfterMs ?? CHECK_AFTER_MS) || (await this.stillRuns(ready.id, spec)))) return ready;
      if (ready) await ready.remove().catch(() => undefined);
    }
    return this.runtime.createContainer(spec);
  }

  /**
   * The waiting container made from this very spec, handed out without asking the engine whether it
   * still runs (the caller finds out from its first exec, see ContainerGoneError.beforeExec, and
   * makes a new one); undefined when none waits. Whatever is returned belongs to the caller.
   */
  take(spec: ContainerSpec): Promise<ContainerHandle | undefined> | undefined {
    const entry = this.waiting.get(spec.image);
    if (!entry || entry.key !== specKey(spec)) return undefined;
    this.waiting.delete(spec.image);
    clearTimeout(entry.timer);
    return entry.container;
  }

  private async stillRuns(id: string, spec: ContainerSpec): Promise<boolean> {
    const listed = await this.runtime.listOurContainers({ sessionId: spec.sessionId, instanceId: spec.instanceId, purpose: spec.purpose }).catch(() => []);
    return listed.some((c) => c.id === id && c.state === 'running');
  }

  /** How many wait (started or starting). */
  get size(): number {
    return this.waiting.size;
  }

  /** Resolves once every waiting container has started (or failed to). */
  async started(): Promise<void> {
    await Promise.all([...this.waiting.values()].map((e) => e.container));
  }

  /** Removes the waiting containers of one instance (its dev container stopped), or all of them. */
  async discard(filter: { instanceId?: string } = {}): Promise<void> {
    for (const entry of [...this.waiting.values()]) {
      if (filter.instanceId === undefined || entry.spec.instanceId === filter.instanceId) this.drop(entry);
    }
    await Promise.all(this.removals);
  }

  /** Removes every waiting container and prepares no more. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.discard();
  }

  private drop(entry: Waiting): void {
    if (this.waiting.get(entry.spec.image) === entry) this.waiting.delete(entry.spec.image);
    clearTimeout(entry.timer);
    const removal = entry.container
      .then((c) => c?.remove())
      .catch((err: unknown) => this.options.onWarning?.(`Could not remove a waiting container of ${entry.spec.image}: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }
}

/** Waiting containers are told apart by everything a grade's container is made from. */
function specKey(spec: ContainerSpec): string {
  return stableJson(withoutSignal(spec));
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutSignal(spec: ContainerSpec): ContainerSpec {
  const { signal: _signal, ...rest } = spec;
  return rest;
}
