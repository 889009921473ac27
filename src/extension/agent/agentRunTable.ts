import type { AgentRollout, RolloutResult } from '../../core/agent/agentRollout';
import type { InstanceSpec } from '../../core/spec/instanceSpec';
import type { AgentRunRow, AgentRunsView } from '../../shared/agentView';
import { patchStats } from '../../shared/patchStats';
import type { BusyTracker } from '../devContainers/busyTracker';
import type { StateStore } from '../state/stateStore';
import { errorMessage, type Logger } from '../util/logger';
import { toRunRecord } from '../evaluation/runRecord';
import type { AgentRegistry, TrackedRollout } from './agentRegistry';
import type { AgentSession } from './agentSession';
import type { AgentRunStore } from './runStore';

/**
 * The run table kept up to date from each rollout's events: a row when it starts, its progress
 * as steps finish (so a row cut off by a reload still has them), its end and reward; and, for a
 * rollout rewarded on the dev container's workspace, the instance's run history.
 */
export class AgentRunTable {
  constructor(
    private readonly runs: AgentRunStore,
    private readonly registry: AgentRegistry,
    private readonly state: StateStore,
    private readonly busy: BusyTracker,
    private readonly log: Logger,
  ) {}

  runsView(instanceId: string): AgentRunsView {
    const busy = this.busy.get(instanceId);
    const rows = this.runs.rows(instanceId).map((r) => {
      const live = this.registry.get(r.rolloutId)?.session;
      return live?.isLive ? { ...r, ...rowProgress(live) } : r;
    });
    return { instanceId, rows, stats: this.runs.stats(instanceId), ...(busy ? { busy: busy.message } : {}) };
  }

  /** Follows a rollout about to run; `running` writes its row once `run()` has opened its event log. */
  follow(t: TrackedRollout, rollout: AgentRollout, model: string): { running: () => void; finished: (result: RolloutResult) => Promise<void>; failed: (err: unknown) => void } {
    const { session } = t;
    const id = t.ref.instance.instance_id;
    const row: AgentRunRow = {
      rolloutId: session.rolloutId,
      runId: rollout.runId,
      instanceId: id,
      index: rollout.index,
      model,
      startedAt: new Date().toISOString(),
      state: 'running',
      owner: this.runs.owners.self,
      where: session.init.where,
      steps: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      resolved: null,
      ...(session.init.forkOf ? { forkOf: session.init.forkOf } : {}),
    };
    session.onCore((e) => {
      if (e.type === 'rollout_started' && e.environment) {
        // Only a rollout that began at the base commit unchanged counts toward the figures.
        Object.assign(row, { startedClean: e.environment.startedClean, counted: e.environment.counted });
        void this.runs.upsert({ ...row, ...rowProgress(session) });
        if (!e.environment.counted) this.log.warn(`${id}: agent ${session.rolloutId} starts in a dev container that is not at the base commit (${(e.environment.changedAtStart ?? []).join(', ')}): its reward will not count toward the success rate`);
      } else if (e.type === 'step_finished') {
        const progress = { ...rowProgress(session), steps: e.step, promptTokens: e.totals.promptTokens, completionTokens: e.totals.completionTokens, costUsd: e.totals.costUsd };
        void this.runs.patch(id, session.rolloutId, (current) => (current.state !== 'ended' ? { ...current, ...progress } : undefined));
      }
    });
    return {
      running: () => {
        // The event log exists from here on: a rollout cut off by a reload is reopened from it.
        if (rollout.eventsPath) row.eventsPath = rollout.eventsPath;
        void this.runs.upsert(row);
      },
      finished: (result) => this.finished(t, row, result, rollout.spec),
      failed: (err) => {
        const message = errorMessage(err);
        session.push({ type: 'problem', message });
        // The view must not go on spinning for a rollout that is over.
        if (session.view.state !== 'ended') session.push({ type: 'finished', exitReason: 'environment_error', message, steps: session.view.step, totals: session.view.totals, durationMs: 0, resolved: null, runError: session.view.steps.length === 0 });
        void this.runs.upsert({ ...row, ...rowProgress(session), state: 'ended', exitReason: 'environment_error', ...(session.view.steps.length === 0 ? { runError: message } : {}) });
      },
    };
  }

  private async finished(t: TrackedRollout, row: AgentRunRow, result: RolloutResult, spec: InstanceSpec): Promise<void> {
    const id = t.ref.instance.instance_id;
    await this.runs.upsert({
      ...row,
      ...rowProgress(t.session),
      state: 'ended',
      exitReason: result.exitReason,
      steps: result.steps,
      promptTokens: result.totals.promptTokens,
      completionTokens: result.totals.completionTokens,
      costUsd: result.totals.costUsd,
      durationMs: result.durationMs,
      resolved: result.resolved,
      ...(result.reward ? { rewardStatus: result.reward.status } : {}),
      ...(result.runError ? { runError: result.message ?? result.exitReason } : {}),
      ...(result.eventsPath ? { eventsPath: result.eventsPath } : {}),
      ...(result.trajectoryPath ? { trajectoryPath: result.trajectoryPath } : {}),
    });
    if (result.evaluation && t.session.init.where === 'dev') {
      // The reward graded the dev container's workspace: it is this instance's latest verdict,
      // recorded exactly as a person's run is (counts, per-test statuses, rule label).
      const goldSeen = !!this.state.get(id).revealed?.gold;
      await this.state.addRun(id, toRunRecord(spec, result.evaluation, patchStats(result.patch ?? ''), goldSeen, { rolloutId: result.rolloutId, model: row.model }));
    }
  }
}

/** A live rollout's progress as the table shows it. */
export function rowProgress(s: AgentSession): Partial<AgentRunRow> {
  const v = s.view;
  return { state: v.state === 'paused' ? 'paused' : v.state === 'ended' ? 'ended' : 'running', steps: v.step, promptTokens: v.totals.promptTokens, completionTokens: v.totals.completionTokens, costUsd: v.totals.costUsd };
}
