/**
 * What the trajectory view shows of runs imported from other scaffolds' files: their rows (tree
 * and view), the selected run's steps in the agent view's step model, our grade of its final patch
 * and the last replay's per-step verdicts. No vscode, no Node: the webview bundles this file.
 */
import type { AgentViewState, FoldedText } from './agentView';

export interface GradeView {
  /** The harness's status (resolved, unresolved, error, ...). */
  status: string;
  resolved: boolean;
  error?: string;
  at: string;
  durationMs: number;
}

export type StepVerdictKind = 'same' | 'noise' | 'different';

export interface StepVerdictView {
  step: number;
  toolCallId: string;
  tool: string;
  verdict: StepVerdictKind;
  /** What made it the same only up to noise (paths, interpreter path, timings, ...). */
  noise: string[];
  /** Recorded against replayed, as a unified diff (different steps only; clipped when long). */
  diff?: string;
  /** Different steps only: both observations, the replayed one in the recorded paths (clipped when long). */
  recorded?: string;
  replayed?: string;
}

export interface ReplayView {
  at: string;
  exitReason: string;
  message?: string;
  counts: Record<StepVerdictKind, number>;
  firstDivergence: { step: number; toolCallId: string; tool: string } | null;
  pathMap: { from: string; to: string }[];
  /** Recorded and replayed final patches by changed lines; null when either is missing. */
  patch: { same: boolean; onlyRecorded: string[]; onlyReplayed: string[] } | null;
  recordedResolved: boolean | null;
  replayedResolved: boolean | null;
  rewardMatches: boolean | null;
  steps: StepVerdictView[];
}

/** One imported run, as the tree and the view's run list show it (kept in the store's index). */
export interface ImportedRunRow {
  rolloutId: string;
  instanceId: string;
  datasetSource: string;
  format: string;
  scaffold: string;
  model: string;
  exitStatus: string | null;
  steps: number;
  /** What the file says the hidden tests gave (null: it does not say). */
  recordedResolved: boolean | null;
  sourceFile: string;
  entry: number;
  importedAt: string;
  /** Whether the file carries the workspace diff after each step. */
  fileHasDiffs: boolean;
  hasPatch: boolean;
  grade?: GradeView;
  replay?: { at: string; counts: Record<StepVerdictKind, number>; firstDivergence: number | null };
}

export interface TrajectoryBusy {
  rolloutId: string;
  what: 'grade' | 'replay' | 'diffs';
  message: string;
}

export interface SelectedRunView {
  row: ImportedRunRow;
  task: FoldedText;
  /** The run's steps in the agent view's model (read-only; each step's diff when known). */
  view: AgentViewState;
  /** Where the per-step diffs come from: the file, a replay in a fresh container, or nowhere yet. */
  diffs: 'file' | 'replay' | null;
  replay: ReplayView | null;
  finalPatch: string | null;
  /** A person's demonstration (its steps are its recording steps, as the demonstration panel counts them). */
  demonstration?: DemonstrationView;
}

export interface DemonstrationView {
  annotator: string | null;
  activeMs: number;
  recordedSteps: number;
  finishedAt: string;
  /** The grade taken when the person finished (null: not graded). */
  finishGrade: { status: string; resolved: boolean } | null;
}

export interface TrajectoryViewState {
  instanceId: string;
  runs: ImportedRunRow[];
  selected: SelectedRunView | null;
  busy: TrajectoryBusy | null;
}

/**
 * Where the file's own result and our grade disagree: `resolved-not-reproduced` is the one to
 * look at (the file says resolved, our harness says not); an error grade says nothing either way.
 */
export function gradeDisagreement(row: Pick<ImportedRunRow, 'recordedResolved' | 'grade'>): 'resolved-not-reproduced' | 'unresolved-but-passes' | null {
  const g = row.grade;
  if (!g || g.status === 'error' || row.recordedResolved === null) return null;
  if (row.recordedResolved && !g.resolved) return 'resolved-not-reproduced';
  if (!row.recordedResolved && g.resolved) return 'unresolved-but-passes';
  return null;
}

export const DISAGREEMENT_LABELS: Record<'resolved-not-reproduced' | 'unresolved-but-passes', string> = {
  'resolved-not-reproduced': 'the file says resolved; our grade says not',
  'unresolved-but-passes': 'the file says not resolved; our grade says resolved',
};
