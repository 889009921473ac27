import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { loadClosedTrajectory } from '../trajectory/readTrajectory';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { runPool } from '../util/workerPool';
import type { VerifierScore } from './verifierScore';

export const SELECTION_FILE = 'selection.json';

export interface ScoredRollout {
  index: number;
  file: string;
  resolved: boolean;
  score: number | null;
  /** Why there is no score (no log-probabilities, no YES/NO, the endpoint failed). */
  error?: string;
}

export interface InstanceSelection {
  instance_id: string;
  rollouts: ScoredRollout[];
  /** The rollout with the highest score; null when none could be scored. */
  picked: number | null;
  picked_resolved: boolean;
  /** Rollouts sharing the highest score (more than one: the lowest index was taken). */
  tied?: number[];
  message?: string;
}

export interface Selection {
  run_dir: string;
  verifier_model: string;
  created_at: string;
  instances: InstanceSelection[];
  summary: {
    instances: number;
    rollouts: number;
    /** Resolved rollouts / rollouts. */
    mean_success: number;
    /** Instances with at least one resolved rollout / instances. */
    pass_at_n: number;
    /** Instances whose picked rollout is resolved / instances. */
    best_of_n: number;
    /** Rollouts the verifier could not score. */
    unscored: number;
  };
}

/** Scores within this of each other are a tie (floating point from exp of log-probabilities). */
const TIE_EPSILON = 1e-9;

/** A rollout best-of-N may pick: rewarded, and counted (started from the base commit in a clean container). */
export function isCandidate(t: ClosedTrajectory): boolean {
  return !!t.reward && t.environment?.counted !== false && !t.run_error;
}

/** A run's rewarded rollouts that count (started from the base commit in a clean container). */
export async function rewardedRollouts(runDir: string): Promise<{ file: string; trajectory: ClosedTrajectory }[]> {
  let names: string[];
  try {
    names = await fs.readdir(runDir);
  } catch (err) {
    throw new Error(`Cannot read the run folder ${runDir}: ${(err as Error).message}`);
  }
  const out: { file: string; trajectory: ClosedTrajectory }[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || ['run.json', 'summary.json', SELECTION_FILE].includes(name)) continue;
    const file = path.join(runDir, name);
    const trajectory = await loadClosedTrajectory(file);
    if (isCandidate(trajectory)) out.push({ file, trajectory });
  }
  return out;
}

/**
 * Best-of-N with a verifier (the SWE-Gym paper's inference-time scaling): every rewarded rollout
 * of an instance is scored, the highest is picked, and best-of-N success is reported beside
 * pass@N (an oracle picking) and the mean success (picking at random).
 */
export async function selectBestOfN(
  runDir: string,
  verifierModel: string,
  score: (t: ClosedTrajectory, signal?: AbortSignal) => Promise<VerifierScore>,
  options: { workers?: number; signal?: AbortSignal; onScored?: (done: number, total: number) => void } = {},
): Promise<Selection> {
  const rollouts = await rewardedRollouts(runDir);
  if (rollouts.length === 0) throw new Error(`${runDir} holds no rewarded rollout to select from (run \`swe-gym rollout\` with its reward on).`);
  return selectAmong(rollouts, runDir, verifierModel, score, options);
}

/**
 * Best-of-N over given rollouts (`selectBestOfN` takes a run folder's; VS Code an instance's run
 * table, whose rollouts live in folders of their own). `label` is recorded as `run_dir`.
 */
export async function selectAmong(
  rollouts: { file: string; trajectory: ClosedTrajectory }[],
  label: string,
  verifierModel: string,
  score: (t: ClosedTrajectory, signal?: AbortSignal) => Promise<VerifierScore>,
  options: { workers?: number; signal?: AbortSignal; onScored?: (done: number, total: number) => void } = {},
): Promise<Selection> {
  if (rollouts.length === 0) throw new Error(`${label} has no rewarded rollout to select from.`);
  const scored = await runPool(
    rollouts,
    options.workers ?? 4,
    async ({ file, trajectory }): Promise<ScoredRollout & { instance_id: string }> => {
      let s: VerifierScore;
      try {
        s = await score(trajectory, options.signal);
      } catch (err) {
        if (options.signal?.aborted) throw err;
        s = { error: `the verifier endpoint failed: ${(err as Error).message}` };
      }
      return {
        instance_id: trajectory.instance_id,
        index: trajectory.index,
        file: path.basename(file),
        resolved: trajectory.reward?.resolved === true,
        score: 'score' in s ? s.score : null,
        ...('error' in s ? { error: s.error } : {}),
      };
    },
    { signal: options.signal, what: 'Verifier scoring', onDone: (_r, done, total) => options.onScored?.(done, total) },
  );
  const ids = [...new Set(scored.map((r) => r.instance_id))].sort();
  const instances = ids.map((id) => pick(id, scored.filter((r) => r.instance_id === id).map(({ instance_id: _, ...r }) => r).sort((a, b) => a.index - b.index)));
  const n = instances.length;
  return {
    run_dir: label,
    verifier_model: verifierModel,
    created_at: new Date().toISOString(),
    instances,
    summary: {
      instances: n,
      rollouts: scored.length,
      mean_success: scored.filter((r) => r.resolved).length / scored.length,
      pass_at_n: instances.filter((i) => i.rollouts.some((r) => r.resolved)).length / n,
      best_of_n: instances.filter((i) => i.picked_resolved).length / n,
      unscored: scored.filter((r) => r.score === null).length,
    },
  };
}

function pick(instanceId: string, rollouts: ScoredRollout[]): InstanceSelection {
  const withScore = rollouts.filter((r): r is ScoredRollout & { score: number } => r.score !== null);
  if (withScore.length === 0) {
    return { instance_id: instanceId, rollouts, picked: null, picked_resolved: false, message: `no rollout could be scored (${rollouts[0]?.error ?? 'no score'}); counted as not resolved` };
  }
  const best = Math.max(...withScore.map((r) => r.score));
  const top = withScore.filter((r) => best - r.score <= TIE_EPSILON);
  const chosen = top[0] as ScoredRollout;
  const unscored = rollouts.length - withScore.length;
  // "#N" counts from 1, as the UI numbers rollouts (index 0, the file `<instance>_0.json`, is #1).
  const notes = [
    ...(top.length > 1 ? [`tie at ${best.toFixed(4)} between rollouts ${top.map((r) => `#${r.index + 1}`).join(', ')}: picked #${chosen.index + 1} (the first)`] : []),
    ...(unscored ? [`${unscored} rollout(s) without a score left out of the choice`] : []),
  ];
  return {
    instance_id: instanceId,
    rollouts,
    picked: chosen.index,
    picked_resolved: chosen.resolved,
    ...(top.length > 1 ? { tied: top.map((r) => r.index) } : {}),
    ...(notes.length ? { message: notes.join('; ') } : {}),
  };
}
