import { passAtKEstimate } from '../../core/agent/runRollouts';
import type { AgentStats } from '../../shared/agentStats';
import type { AgentRunRow } from '../../shared/agentView';

/** Whether a row's reward enters the figures: it started at the base commit in a clean container (old rows: only own containers). */
export function rowCounts(r: AgentRunRow): boolean {
  return r.counted ?? r.where === 'own';
}

/**
 * Success rate and unbiased pass@k over the rewarded rollouts that started clean. Errors of the run
 * (the model never answered) have no reward and are counted apart, never as failures.
 */
export function statsOf(rows: AgentRunRow[]): AgentStats {
  const graded = rows.filter((r) => r.resolved !== null && !r.runError);
  const notCounted = graded.filter((r) => !rowCounts(r)).length;
  const rewarded = graded.filter(rowCounts);
  const resolved = rewarded.filter((r) => r.resolved).length;
  const passAtK: Record<string, number> = {};
  for (let k = 1; k <= rewarded.length; k++) passAtK[String(k)] = passAtKEstimate(rewarded.length, resolved, k);
  return { rollouts: rows.length, runErrors: rows.filter((r) => r.runError).length, rewarded: rewarded.length, notCounted, resolved, successRate: rewarded.length ? resolved / rewarded.length : 0, passAtK };
}

/** `2/3 resolved` style figure for the tree; undefined without rewarded rollouts. */
export function describeStats(s: AgentStats): string | undefined {
  if (!s.rewarded) return undefined;
  return `agents ${s.resolved}/${s.rewarded}`;
}

export function statsTooltip(s: AgentStats): string | undefined {
  if (!s.rollouts) return undefined;
  const left = s.notCounted ? ` ${s.notCounted} more left out: they started in a dev container that was not at the base commit.` : '';
  const errors = s.runErrors ? `; ${s.runErrors} never reached the model (errors of the run, not counted)` : '';
  if (!s.rewarded) return `Agent rollouts: ${s.rollouts}, none rewarded ${s.notCounted ? 'from a clean start' : 'yet'}${errors}.${left}`;
  const ks = Object.keys(s.passAtK)
    .map(Number)
    .filter((k) => k === 1 || k === 5 || k === 10 || k === s.rewarded)
    .map((k) => `pass@${k} ${(100 * (s.passAtK[String(k)] ?? 0)).toFixed(0)}%`);
  return `Agent rollouts: ${s.rollouts} (${s.rewarded} rewarded${errors}), ${s.resolved} resolved: success rate ${(100 * s.successRate).toFixed(0)}% · ${ks.join(' · ')}.${left}`;
}
