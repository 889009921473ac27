import { loadClosedTrajectory } from '../../core/trajectory/readTrajectory';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import { isCandidate, selectAmong, type InstanceSelection, type Selection } from '../../core/verifier/bestOfN';
import type { VerifierScore } from '../../core/verifier/verifierScore';
import type { AgentRunRow } from '../../shared/agentView';
import { errorMessage, type Logger } from '../util/logger';
import type { AgentRunStore } from './runStore';
import { rolloutNumber } from '../../shared/rolloutNumber';

export interface VerifierUse {
  model: string;
  score: (t: ClosedTrajectory, signal?: AbortSignal) => Promise<VerifierScore>;
}

/**
 * Best-of-N over an instance's run table (the SWE-Gym paper's verifier): every ended, rewarded,
 * counted rollout is scored by the verifier, the highest is picked, and each row keeps its score
 * (the run table shows them). The rows' rollouts live in run folders of their own, so the
 * selection is made over the table, not over one folder as `swe-gym select` does.
 */
export async function scoreInstanceRollouts(
  runs: AgentRunStore,
  instanceId: string,
  verifier: VerifierUse,
  log: Logger,
  options: { signal?: AbortSignal; onScored?: (done: number, total: number) => void } = {},
): Promise<{ selection: InstanceSelection; summary: Selection['summary'] }> {
  const candidates: { file: string; trajectory: ClosedTrajectory; row: AgentRunRow }[] = [];
  for (const row of runs.rows(instanceId)) {
    if (row.state !== 'ended' || !row.trajectoryPath || row.runError) continue;
    try {
      const trajectory = await loadClosedTrajectory(row.trajectoryPath);
      if (isCandidate(trajectory)) candidates.push({ file: row.trajectoryPath, trajectory, row });
    } catch (err) {
      log.warn(`${instanceId}: rollout ${rolloutNumber(row.index)} left out of the verifier's choice: ${errorMessage(err)}`);
    }
  }
  if (candidates.length === 0) throw new Error(`${instanceId} has no ended, rewarded rollout to score (run the agent with sweGym.agent.reward on).`);
  const all = await selectAmong(candidates, `the run table of ${instanceId}`, verifier.model, verifier.score, { workers: 2, ...options });
  const selection = all.instances[0];
  if (!selection) throw new Error(`The verifier scored no rollout of ${instanceId}.`);
  const scoredAt = new Date().toISOString();
  for (const { row } of candidates) {
    const s = selection.rollouts.find((r) => r.index === row.index);
    if (!s) continue;
    await runs.patch(instanceId, row.rolloutId, (current) => ({
      ...current,
      verifier: {
        model: verifier.model,
        score: s.score,
        picked: selection.picked === s.index,
        ...(selection.tied?.includes(s.index) ? { tied: true } : {}),
        ...(s.error ? { error: s.error } : {}),
        scoredAt,
      },
    }));
  }
  return { selection, summary: all.summary };
}

/** One line for a notification: what was picked, and best-of-N beside pass@N and the mean. */
export function selectionLine(instanceId: string, model: string, s: InstanceSelection, summary: Selection['summary']): string {
  const pct = (x: number) => `${Math.round(100 * x)}%`;
  const picked = s.picked === null ? 'picked none' : `picked ${rolloutNumber(s.picked)} (${s.picked_resolved ? 'resolved' : 'not resolved'})`;
  return `${model} scored ${summary.rollouts} rollouts of ${instanceId}: ${picked}; best-of-${summary.rollouts} ${pct(summary.best_of_n)}, pass@${summary.rollouts} ${pct(summary.pass_at_n)}, mean ${pct(summary.mean_success)}${s.message ? ` (${s.message})` : ''}.`;
}
