import { groupCounts, type TestLists } from '../../grading/groupCounts';
import { evaluateInstance } from '../../harness/evaluateInstance';
import type { EvaluationResult } from '../../harness/evaluationResult';
import type { RewardRecord } from '../events';
import type { RolloutOptions } from './rolloutOptions';

/** The reward as a trajectory keeps it; the counts are those a run card shows (groupCounts). */
export function rewardRecord(ev: EvaluationResult, instance: TestLists): RewardRecord {
  const reference = ev.grade?.reference;
  const counts = reference ? groupCounts(instance, reference) : undefined;
  return {
    status: ev.status,
    resolved: ev.resolved,
    rules: ev.rules,
    ...(reference ? { rules_label: reference.rulesLabel } : {}),
    ...(counts ? { fail_to_pass: counts.failToPass, pass_to_pass: counts.passToPass } : {}),
    strict_resolved: ev.grade?.strict.resolved ?? false,
    ...(ev.error ? { error: ev.error } : {}),
    test_output: ev.testLog,
    apply_output: ev.applyLog,
    skipped_install: ev.skippedInstall,
    eval_run_id: ev.run_id,
    duration_ms: ev.durationMs,
  };
}

/** The step after the loop: the hidden tests run on the patch in a fresh container. */
export async function rewardPatch(o: RolloutOptions, patch: string, runId: string, signal: AbortSignal): Promise<{ evaluation: EvaluationResult; reward: RewardRecord }> {
  const evaluation = await evaluateInstance(o.runtime, o.spec, patch, {
    runId,
    modelName: o.model.modelName,
    sessionId: o.sessionId,
    signal,
    ...(o.reward || {}),
  });
  return { evaluation, reward: rewardRecord(evaluation, o.spec.tests) };
}
