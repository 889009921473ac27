import type { RolloutResult } from '../agent/agentRollout';
import type { RunTableRow } from '../agent/runTable';
import type { EvalJsonEntry } from './evalJson';
import { EXTERNAL_MODEL, type GymSession } from './gymSession';

/**
 * A gym session's row in the agent run table (core RunTable), beside our own rollouts. The fields
 * are those of the extension's AgentRunRow (src/shared/agentView.ts), which the core cannot import.
 */
export interface GymRunRow extends RunTableRow {
  runId: string;
  model: string;
  state: 'running' | 'paused' | 'ended' | 'interrupted';
  owner?: string;
  where: 'dev' | 'own';
  exitReason?: string;
  steps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  durationMs?: number;
  resolved: boolean | null;
  rewardStatus?: string;
  runError?: string;
  startedClean?: boolean;
  counted?: boolean;
  eventsPath?: string;
  trajectoryPath?: string;
  /** Driven from outside: which client, through which server's session. */
  external?: { via: 'gym'; client: string; sessionId: string };
}

/** Where the rows go: the run table itself, or a store over it that also tells its views (the extension's AgentRunStore). */
export interface GymRunRows {
  reserveIndex(instanceId: string): Promise<number>;
  upsert(row: GymRunRow): Promise<void>;
  patch(instanceId: string, rolloutId: string, change: (row: GymRunRow) => GymRunRow | undefined): Promise<GymRunRow | undefined>;
}

export interface GymRunTableOptions {
  rows: GymRunRows;
  /** Who runs the sessions (the extension host's id: a row whose owner is gone is taken for interrupted). */
  owner?: string;
  /** A write failed (the session goes on; the row may lag). */
  onError?: (err: unknown) => void;
}

/**
 * Keeps one gym session's row: written when the session starts, its steps, tokens and pause state
 * as they come, its end, and the reward once evaluated. Writes go one after another, so a late
 * step's figures never overwrite the end.
 */
export class GymSessionRow {
  private writes: Promise<unknown> = Promise.resolve();
  private readonly instanceId: string;
  private readonly rolloutId: string;

  private constructor(
    private readonly o: GymRunTableOptions,
    session: GymSession,
    runId: string,
  ) {
    const info = session.info;
    const { rollout } = session;
    this.instanceId = info.instance_id;
    this.rolloutId = rollout.rolloutId;
    const row: GymRunRow = {
      rolloutId: rollout.rolloutId,
      runId,
      instanceId: info.instance_id,
      index: rollout.index,
      // The model the client named, else that it is driven from outside; the client's name is in `external`.
      model: info.model === EXTERNAL_MODEL ? 'external (gym)' : info.model,
      startedAt: info.created_at,
      state: 'running',
      ...(o.owner ? { owner: o.owner } : {}),
      where: 'own',
      steps: info.steps,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      resolved: null,
      ...(rollout.eventsPath ? { eventsPath: rollout.eventsPath } : {}),
      external: { via: 'gym', client: info.client, sessionId: info.session_id },
    };
    // Written after the replay below has filled in the start's environment (a fresh container is at the base commit, so it counts).
    this.queue(() => o.rows.upsert(row));
    rollout.events.subscribe((e) => {
      if (e.type === 'rollout_started' && e.environment) Object.assign(row, { startedClean: e.environment.startedClean, counted: e.environment.counted });
      else if (e.type === 'step_finished') this.change({ state: 'running', steps: e.step, promptTokens: e.totals.promptTokens, completionTokens: e.totals.completionTokens, costUsd: e.totals.costUsd });
      else if (e.type === 'paused') this.change({ state: 'paused' });
      else if (e.type === 'resumed') this.change({ state: 'running' });
    });
    void session.whenEnded().then(
      (r) => this.change(ended(r)),
      () => undefined,
    );
  }

  static follow(o: GymRunTableOptions, session: GymSession, runId: string): GymSessionRow {
    return new GymSessionRow(o, session, runId);
  }

  /** The hidden tests' verdict asked for by the client (after the end, which it causes). */
  evaluated(entry: EvalJsonEntry): void {
    this.change({ resolved: entry.resolved, rewardStatus: entry.status, runError: undefined });
  }

  /** Resolves once every write so far is in the table. */
  settled(): Promise<void> {
    return this.writes.then(() => undefined);
  }

  private change(fields: Partial<GymRunRow>): void {
    this.queue(() =>
      this.o.rows.patch(this.instanceId, this.rolloutId, (current) => {
        // An ended row only takes the verdict; a step or pause reported late does not reopen it.
        if (current.state === 'ended' && fields.state && fields.state !== 'ended') return undefined;
        const next = { ...current, ...fields };
        for (const k of Object.keys(fields) as (keyof GymRunRow)[]) if (fields[k] === undefined) delete next[k];
        return next;
      }),
    );
  }

  private queue(write: () => Promise<unknown>): void {
    this.writes = this.writes.then(write).catch((err: unknown) => this.o.onError?.(err));
  }
}

/** The row's end, as our rollouts' rows end (a session closed without evaluation has no reward). */
function ended(r: RolloutResult): Partial<GymRunRow> {
  return {
    state: 'ended',
    exitReason: r.exitReason,
    // No `steps`: the rollout also counts the step it was waiting on for the client; the row keeps the steps that ran.
    promptTokens: r.totals.promptTokens,
    completionTokens: r.totals.completionTokens,
    costUsd: r.totals.costUsd,
    durationMs: r.durationMs,
    resolved: r.resolved,
    ...(r.reward ? { rewardStatus: r.reward.status } : {}),
    // The client taking no step is not an error of the run; a container that broke is.
    ...(r.runError && r.exitReason === 'environment_error' ? { runError: r.message ?? r.exitReason } : {}),
    ...(r.eventsPath ? { eventsPath: r.eventsPath } : {}),
    ...(r.trajectoryPath ? { trajectoryPath: r.trajectoryPath } : {}),
  };
}
