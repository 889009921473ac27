import type { ChatMessage, ToolSchema } from '../agent/chatTypes';
import type { ExitReason, RewardRecord } from '../agent/events';
import type { RolloutEnvironment } from '../agent/startState';
import type { DemonstrationInfo } from '../demo/demoEvents';

export const TRAJECTORY_FORMAT = 'swe-gym-studio/trajectory@1';

/** One step of a closed trajectory, for tables and views. */
export interface StepRecord {
  step: number;
  duration_ms: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  tool_calls: string[];
  exit_codes: (number | null)[];
}

/** The closed form of one rollout: one JSON file written when it ends. */
export interface ClosedTrajectory {
  format: typeof TRAJECTORY_FORMAT;
  rollout_id: string;
  run_id: string;
  instance_id: string;
  index: number;
  model: string;
  template: string;
  config: Record<string, unknown>;
  started_at: string;
  finished_at: string;
  exit_reason: ExitReason;
  exit_message?: string;
  /** The model never answered (dead endpoint, refused key, API error): an error of the run, not graded. */
  run_error?: boolean;
  steps: number;
  usage: { prompt_tokens: number; completion_tokens: number; estimated: boolean };
  cost_usd: number;
  duration_ms: number;
  messages: ChatMessage[];
  tools: ToolSchema[];
  step_records: StepRecord[];
  /** The patch as SWE-Gym took it; null when it could not be taken (cancelled, container gone). */
  patch: string | null;
  reward: RewardRecord | null;
  /** Where it ran and whether it counts toward success rates (absent in older files: a fresh container). */
  environment?: RolloutEnvironment;
  /** Forks: the rollout and step they replay. */
  fork_of?: { rollout_id: string; step: number };
  /** Replays: where today's observations differ from the recorded ones. */
  replay_mismatches?: { step: number; tool_call_id: string; first_different_line: number }[];
  /** The append-only event log this file closes (same folder); empty for imported runs. */
  events_file: string;
  /** Human demonstrations: who made it, active time, idle gaps, reveals, test runs (absent on rollouts). */
  demonstration?: DemonstrationInfo;
  /** Runs imported from another scaffold's file: where from, and what the file says. */
  imported?: ImportedSource;
}

/** What an imported run's file recorded about it (see src/core/trajectory/import). */
export interface ImportedSource {
  format: string;
  file: string;
  /** Line or row of the file (0-based) for files that hold many runs. */
  entry: number;
  scaffold: string;
  /** The instance id as the file gave it. */
  source_instance_id: string;
  exit_status: string | null;
  /** What the file says the hidden tests gave (null: it does not say). */
  resolved: boolean | null;
  /** Where the repository was when it was recorded (guessed from the file). */
  repo_dir: string | null;
  /** Per step (1-based index - 1): the repository diff the file recorded after it, when it has one. */
  step_diffs?: (string | null)[];
  /** Steps (1-based) a person typed rather than a model answered (mini-swe-agent's human mode). */
  person_steps?: number[];
}
