/**
 * What the instance page shows: a plain, JSON-safe view model built by the extension and rendered
 * by the webview. Hidden data (gold patch, test names) is only present once revealed, so the
 * webview can never leak what the user has not asked to see.
 */
import type { AgentStats } from './agentStats';
import type { PatchStats } from './patchStats';
import type { RunRecord } from './runRecord';

export type InstanceStatus = 'not-started' | 'running' | 'resolved' | 'failed' | 'error';
export type RevealKind = 'gold' | 'tests';

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

/** How the instance is run and graded, and why: its InstanceSpec, in words. */
export interface RunSpecView {
  /** The dataset family the row is taken as (SWE-Gym, SWE-bench, the samples), and why. */
  family: { name: string; reason: string };
  /** The reference rules the reward follows (label), the strict ones shown beside, and why. */
  rules: { label: string; strictLabel: string; reason: string };
  image: { name: string; policy: 'build' | 'pull' | 'local'; reason: string };
  logParser: string;
  /** Only once the test names are revealed: the command names the hidden test files. */
  testCommand?: string;
  /** What else a user should know: install step skipped, spec-table fallbacks. */
  notes: string[];
}

/** A person's answers to SWE-bench Verified's questions about the instance. */
export interface AnnotationView {
  annotator: string;
  /** This window's annotator (the sweGym.demo.annotator setting). */
  mine: boolean;
  /** Verified's time bucket: "<15 min fix", "15 min - 1 hour", "1-4 hours", ">4 hours". */
  difficulty: string;
  /** 0 = well specified … 3 = cannot be solved from the issue alone. */
  underspecified: number;
  /** 0 = the tests are valid for the issue … 3 = they check something else. */
  falseNegative: number;
  notes: string;
  at: string;
  /** Active time of the demonstration the answers came with. */
  demonstrationMs?: number;
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
  };
  /** How it is run and graded; `cannotRun` instead when the row alone rules it out. */
  spec: RunSpecView | { cannotRun: string };
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
  /** Difficulty annotations of the instance, by every annotator whose folder is in the output root. */
  annotations?: AnnotationView[];
}
