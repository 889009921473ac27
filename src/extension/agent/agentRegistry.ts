import * as fs from 'node:fs';
import type { RolloutResult } from '../../core/agent/agentRollout';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { readTrajectoryEvents } from '../../core/trajectory/readTrajectory';
import type { InstanceRef } from '../datasets/datasetStore';
import { AgentSession } from './agentSession';
import type { AgentRunStore } from './runStore';

/** Ended rollouts kept in memory (see prune). */
const KEEP_ENDED = 12;

/** A rollout started in this window. */
export interface TrackedRollout {
  session: AgentSession;
  ref: InstanceRef;
  done: Promise<RolloutResult | undefined>;
  /** The dev container it works in (absent for forks, which have their own). */
  container?: ContainerHandle;
  /** The host folder bound to the dev container's repository. */
  workspaceDir?: string;
}

/**
 * The rollouts this window knows: those started here (live or ended) and those read back from
 * their trajectory files to be shown again. Ended ones are kept only up to a point.
 */
export class AgentRegistry {
  private readonly tracked = new Map<string, TrackedRollout>();
  private readonly loaded = new Map<string, AgentSession>();

  constructor(private readonly runs: AgentRunStore) {}

  add(t: TrackedRollout): void {
    this.tracked.set(t.session.rolloutId, t);
  }

  get(rolloutId: string): TrackedRollout | undefined {
    return this.tracked.get(rolloutId);
  }

  all(): TrackedRollout[] {
    return [...this.tracked.values()];
  }

  session(rolloutId: string): AgentSession | undefined {
    return this.tracked.get(rolloutId)?.session ?? this.loaded.get(rolloutId);
  }

  /** Resolves when the rollout has ended (and its reward, if any, is in). */
  whenDone(rolloutId: string): Promise<RolloutResult | undefined> {
    return this.tracked.get(rolloutId)?.done ?? Promise.resolve(undefined);
  }

  liveSessions(instanceId?: string): AgentSession[] {
    return this.all()
      .map((t) => t.session)
      .filter((s) => s.isLive && (!instanceId || s.instanceId === instanceId));
  }

  /** The session a view of the instance should show first: a live one, else the newest. */
  latest(instanceId: string): AgentSession | undefined {
    const inMemory = this.all()
      .map((t) => t.session)
      .filter((s) => s.instanceId === instanceId);
    return inMemory.find((s) => s.isLive) ?? inMemory.at(-1);
  }

  /** A rollout of the table, live or read back from its trajectory's event log. */
  async open(instanceId: string, rolloutId: string): Promise<AgentSession> {
    const known = this.session(rolloutId);
    if (known) return known;
    const row = this.runs.row(instanceId, rolloutId);
    if (!row) throw new Error(`No rollout ${rolloutId} of ${instanceId}.`);
    if (!row.eventsPath || !fs.existsSync(row.eventsPath)) throw new Error(`The trajectory of rollout ${rolloutId} is gone (${row.eventsPath ?? 'never written'}).`);
    const { events, truncated } = await readTrajectoryEvents(row.eventsPath);
    const s = AgentSession.recorded(events, { rolloutId, instanceId, where: row.where, ...(row.forkOf ? { forkOf: row.forkOf } : {}) }, truncated);
    this.loaded.set(rolloutId, s);
    this.prune();
    return s;
  }

  /**
   * Ended rollouts are kept in memory only up to a point (each holds its events and requests);
   * older ones are read back from their trajectory files when shown again. Views keep what they show.
   */
  prune(): void {
    const ended = this.all().filter((t) => !t.session.isLive);
    for (const t of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.tracked.delete(t.session.rolloutId);
      t.session.dispose();
    }
    const loaded = [...this.loaded.keys()];
    for (const id of loaded.slice(0, Math.max(0, loaded.length - KEEP_ENDED))) this.loaded.delete(id);
  }

  /** The window is closing: rollouts in their own containers remove them; dev containers stay. */
  dispose(): void {
    for (const t of this.tracked.values()) if (t.session.isLive) t.session.control('cancel');
    for (const t of this.tracked.values()) t.session.dispose();
    for (const s of this.loaded.values()) s.dispose();
  }
}
