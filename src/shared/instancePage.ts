/**
 * What the instance page shows: a plain, JSON-safe view model built by the extension and rendered
 * by the webview. Hidden data (gold patch, test names) is only present once revealed, so the
 * webview can never leak what the user has not asked to see.
 */
import type { AgentStats } from './agentView';

export type InstanceStatus = 'not-started' | 'running' | 'resolved' | 'failed' | 'error';
export type RevealKind = 'gold' | 'tests';
export type TestGroup = 'FAIL_TO_PASS' | 'PASS_TO_PASS';
export type TestOutcome = 'passed' | 'failed' | 'skipped';

export interface PatchFileStat {
  path: string;
  added: number;
  removed: number;
}

export interface PatchStats {
  files: PatchFileStat[];
  added: number;
  removed: number;
}

export interface Difficulty {
  goldFiles: number;
  goldLines: number;
  failToPass: number;
  passToPass: number;
  /** SWE-bench Verified's own label when the dataset has one. */
  label?: string;
}

export interface RevealRecord {
  at: string;
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
  failToPass?: { passed: number; total: number };
  passToPass?: { passed: number; total: number };
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

export type SessionState = 'none' | 'launching' | 'running' | 'stopping' | 'broken';

export interface SessionView {
  state: SessionState;
  containerId?: string;
  workspaceDir?: string;
  image?: string;
  /** Why the session is broken (workspace deleted, container gone, ...). */
  problem?: string;
}

export interface BusyView {
  operation: 'launch' | 'runTests' | 'stop' | 'diff';
  message: string;
  /** 0..1 when known. */
  fraction?: number;
  cancellable: boolean;
}

export interface InstancePageState {
  datasetName: string;
  instance: {
    id: string;
    repo: string;
    baseCommit: string;
    version: string;
    createdAt: string;
    problemStatement: string;
    hints: string;
    imageName?: string;
  };
  difficulty: Difficulty;
  status: InstanceStatus;
  revealed: Partial<Record<RevealKind, RevealRecord>>;
  /** Only when the gold patch is revealed. */
  gold?: { patch: string; stats: PatchStats };
  tests: { failToPass: number; passToPass: number; names?: { failToPass: string[]; passToPass: string[] } };
  session: SessionView;
  busy?: BusyView;
  history: RunRecord[];
  candidate?: { patch: string; stats: PatchStats; at: string };
  /** Agent rollouts of this instance: how often they resolved it (an empirical difficulty). */
  agents?: AgentStats;
}
