import type { EvaluationResult } from '../../harness/evaluationResult';
import type { ContainerHandle, ContainerRuntime } from '../../runtime/containerRuntime';
import type { PythonToolsSettings } from '../tools/pythonTools';
import type { InstanceSpec } from '../../spec/instanceSpec';
import type { Budgets, ModelPrice } from '../budget';
import type { ChatMessage, ToolCall } from '../chatTypes';
import type { ExitReason, PausePoint, RewardRecord, Totals } from '../events';
import type { ForkCarry } from '../forkCarry';
import type { ModelProvider } from '../model/modelProvider';
import type { ObservationsByStep } from '../observationsByStep';
import type { RolloutEnvironment } from '../startState';
import type { AgentTemplate } from '../templates/agentTemplate';

export interface ToolSettings {
  /** execute_bash: interrupt a command after this long (default 120 s). */
  timeoutMs?: number;
  /** execute_bash: report a silent running command as still running (exit -1) after this long (default 30 s). */
  noOutputTimeoutMs?: number;
  /** execute_bash: keep at most this many characters of output (default 30,000). */
  maxOutputChars?: number;
  /** str_replace_editor: expand tabs on edits as SWE-Gym's editor did (default true). */
  expandTabsOnEdit?: boolean;
}

/** How the reward's evaluation runs; what it evaluates (rules, install step, image) is the spec's. */
export interface RewardSettings {
  timeoutSeconds?: number;
}

export interface RolloutOptions {
  runtime: ContainerRuntime;
  /** The instance, made once: its image, the reward's eval script and rules. */
  spec: InstanceSpec;
  model: ModelProvider;
  template?: AgentTemplate;
  /** The exact system and first user message (replays and forks), instead of rendering the template's. */
  opening?: { system: string; firstUser: string };
  /** The repository inside the container (default /testbed). */
  repoDir?: string;
  budgets?: Budgets;
  prices?: Record<string, ModelPrice>;
  tools?: ToolSettings;
  /**
   * The language server behind the python_* tools (needed when the template offers them): mounted
   * read-only into a fresh container; a given container must have been launched with it.
   */
  languageServer?: PythonToolsSettings;
  /** Condense old observations when the estimate passes 90% of this window (tokens); a context-length error always condenses. */
  contextWindowTokens?: number;
  /** Folder for the event log and the closed trajectory; nothing is written without it. */
  trajectoryDir?: string;
  runId?: string;
  /** n-th rollout of this instance (the `_<n>` of exported ids). */
  index?: number;
  /** false: no reward. Otherwise the hidden tests run on the patch in a fresh container. */
  reward?: false | RewardSettings;
  /** Run in this existing container (e.g. the user's dev container); it is not removed. */
  container?: ContainerHandle;
  sessionId?: string;
  signal?: AbortSignal;
  startPaused?: boolean;
  /** Emit the workspace diff against the base commit after every step (for live views). */
  workspaceDiffEachStep?: boolean;
  /** Tell the model about files changed by hand while paused (default true). */
  detectHumanEdits?: boolean;
  /** Replays: the recorded observations of the played-back steps; differences are reported. */
  expectedObservations?: ObservationsByStep;
  /** Forks: the source rollout, and the human steps and observation edits carried from it. */
  fork?: ForkCarry;
  /** Settings to record in the trajectory (never a credential). */
  config?: Record<string, unknown>;
}

export interface RolloutResult {
  rolloutId: string;
  runId: string;
  instanceId: string;
  index: number;
  exitReason: ExitReason;
  message?: string;
  steps: number;
  totals: Totals;
  durationMs: number;
  patch: string | null;
  reward: RewardRecord | null;
  /** The whole evaluation behind the reward (grade, per-test statuses), for views that show it as a human run is shown. */
  evaluation?: EvaluationResult;
  resolved: boolean | null;
  /**
   * The rollout failed before the model ever answered (an endpoint that never answered, a refused
   * key, an API or container error): an error of the run, never graded and never counted.
   */
  runError: boolean;
  trajectoryPath?: string;
  eventsPath?: string;
  messages: ChatMessage[];
  /** Where it ran and whether it counts toward success rates; null when no container was reached. */
  environment: RolloutEnvironment | null;
}

export interface RolloutStatus {
  state: 'created' | 'running' | 'paused' | 'ended';
  step: number;
  pausedAt?: PausePoint;
  pendingAction?: ToolCall;
}
