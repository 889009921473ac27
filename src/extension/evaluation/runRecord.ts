import type { EvaluationResult } from '../../core/harness/evaluationResult';
import { groupCounts } from '../../core/grading/groupCounts';
import { installStepOf } from '../../core/harness/installStep';
import type { InstanceSpec } from '../../core/spec/instanceSpec';
import type { PatchStats } from '../../shared/patchStats';
import type { RunRecord, RunTestResult } from '../../shared/runRecord';

/**
 * What the history keeps of one evaluation (the full log goes to the output channel and disk):
 * the one way a run record is made, for a person's run and an agent's reward alike (`agent`).
 * The test lists and the install step are the spec's, the ones the evaluation ran with.
 */
export function toRunRecord(spec: Pick<InstanceSpec, 'tests' | 'install'>, result: EvaluationResult, candidate: PatchStats, goldSeen: boolean, agent?: RunRecord['agent']): RunRecord {
  const reference = result.grade?.reference;
  const tests: RunTestResult[] = [];
  if (reference) {
    const position = {
      FAIL_TO_PASS: new Map(spec.tests.FAIL_TO_PASS.map((t, i) => [t, i])),
      PASS_TO_PASS: new Map(spec.tests.PASS_TO_PASS.map((t, i) => [t, i])),
    };
    for (const t of reference.tests) {
      const index = position[t.group].get(t.id);
      if (index === undefined) continue;
      tests.push({
        group: t.group,
        index,
        id: t.id,
        status: t.status,
        outcome: t.outcome === 'success' ? 'passed' : t.outcome === 'failure' ? 'failed' : 'skipped',
      });
    }
  }
  const install = installStepOf(result.testLog, { hasInstall: spec.install.command !== undefined, skipped: result.skippedInstall });
  const counts = reference ? groupCounts(spec.tests, reference) : undefined;
  return {
    runId: result.run_id,
    at: new Date().toISOString(),
    status: result.status,
    resolved: result.resolved,
    rules: reference?.rulesLabel ?? result.rules,
    ...(counts ? { ...counts, rulesDisagree: result.grade?.disagree ?? false } : {}),
    durationMs: result.durationMs,
    // A run that never reached the tests (apply failed, engine error) says nothing about the install step.
    ...(install.state === 'skipped' || (install.state !== 'none' && result.testLog) ? { install } : {}),
    ...(result.timings.testsMs ? { testsMs: result.timings.testsMs } : {}),
    ...(result.error ? { error: result.error } : {}),
    candidate,
    tests,
    goldSeen,
    ...(agent ? { agent } : {}),
  };
}

export function cancelledRecord(runId: string, started: number, candidate: PatchStats | undefined, goldSeen: boolean): RunRecord {
  return { runId, at: new Date().toISOString(), status: 'cancelled', resolved: false, durationMs: Date.now() - started, error: 'Cancelled by the user', ...(candidate ? { candidate } : {}), goldSeen };
}

export function describeRun(r: RunRecord): string {
  if (r.status === 'cancelled') return 'cancelled';
  const counts = r.failToPass && r.passToPass ? ` (FAIL_TO_PASS ${r.failToPass.passed}/${r.failToPass.total}, PASS_TO_PASS ${r.passToPass.passed}/${r.passToPass.total})` : '';
  const verdict = r.resolved ? 'resolved' : r.status === 'unresolved' ? 'not resolved' : r.status.replace(/_/g, ' ');
  return `${verdict}${counts}`;
}
