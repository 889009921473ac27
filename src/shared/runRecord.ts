/**
 * One evaluation as the run history keeps it, for a person's run and an agent's reward alike
 * (made by one function, toRunRecord in src/extension/evaluation/runRecord.ts).
 */
import type { PatchStats } from './patchStats';

export type TestGroup = 'FAIL_TO_PASS' | 'PASS_TO_PASS';
/** A test's result as a run shows it (the grader's success / failure / skipped). */
export type TestOutcome = 'passed' | 'failed' | 'skipped';

export interface GroupCount {
  passed: number;
  total: number;
}

export interface RunTestResult {
  group: TestGroup;
  /** Index within its group, stable across runs (the dataset order). */
  index: number;
  /** Present only when test names are revealed. */
  id?: string;
  outcome: TestOutcome;
  /** Raw status from the log, or MISSING when the test never reported. */
  status: string;
}

export interface RunRecord {
  runId: string;
  at: string;
  status: 'resolved' | 'unresolved' | 'empty_patch' | 'patch_apply_failed' | 'timeout' | 'error' | 'cancelled';
  resolved: boolean;
  rules?: string;
  failToPass?: GroupCount;
  passToPass?: GroupCount;
  /** The stricter rule set disagrees with the one used for the reward. */
  rulesDisagree?: boolean;
  durationMs: number;
  error?: string;
  candidate?: PatchStats;
  tests?: RunTestResult[];
  /** Whether the gold patch had been revealed before this run started. */
  goldSeen: boolean;
  /** How the repository's install re-run went; absent when the repository has none. */
  install?: { state: 'ran' | 'skipped' } | { state: 'failed'; exitCode: number | null; tail: string };
  /** Wall time of the test command (the pytest session), apart from image, container and apply. */
  testsMs?: number;
  /** Set when an agent rollout's reward made this run (its final patch, graded in a fresh container). */
  agent?: { rolloutId: string; model: string };
}

/** "FAIL_TO_PASS 1/1 · PASS_TO_PASS 3/3", or '' when the log was not graded. */
export function countsLine(c: { failToPass?: GroupCount; passToPass?: GroupCount }): string {
  if (!c.failToPass || !c.passToPass) return '';
  return `FAIL_TO_PASS ${c.failToPass.passed}/${c.failToPass.total} · PASS_TO_PASS ${c.passToPass.passed}/${c.passToPass.total}`;
}
