/**
 * One model for every scaffold's run, whatever file it came from (ATIF-like: steps of thought,
 * actions with their recorded observations, usage where recorded). Readers fill it; the converter
 * turns it into our trajectory format, so export, replay and the viewer take any of them.
 */

export type SourceFormat = 'swe-gym-row' | 'openhands-v0' | 'swe-agent' | 'mini-swe-agent' | 'sft-text' | 'atif';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['swe-gym-row', 'openhands-v0', 'swe-agent', 'mini-swe-agent', 'sft-text', 'atif'];

export interface ImportedAction {
  id: string;
  /** Our tool (execute_bash, str_replace_editor, finish) when the scaffold's maps onto one; else its own name. */
  tool: string;
  args: Record<string, unknown>;
  /** The scaffold's own call when it differs from ours (`bash` with a command, SWE-agent's action line, ...). */
  original?: { name: string; args: unknown };
  /** The observation exactly as recorded; null when the file has none for this action. */
  observation: string | null;
  exitCode?: number;
}

export interface ImportedStep {
  /** The model's text for this turn (thought, reasoning shown to the user). */
  thought: string;
  actions: ImportedAction[];
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  timestamp?: string;
  /** The repository diff after the step, when the file carries it (SWE-agent's diff_state). */
  diffAfter?: string;
  /** A person's command (mini-swe-agent's human mode), not a model's turn. */
  byPerson?: boolean;
}

export interface ImportedRun {
  format: SourceFormat;
  /** The file it came from, and which entry of it (line or row, 0-based) for files that hold many. */
  file: string;
  entry: number;
  /** Which scaffold wrote it, as shown to people (`OpenHands CodeActAgent`, `SWE-agent 1.1.0`, ...). */
  scaffold: string;
  /** The instance id as the file gives it (SWE-Gym rows add `_<n>`). */
  instanceId: string;
  model: string | null;
  runId: string | null;
  exitStatus: string | null;
  /** What the file says the hidden tests gave; null when it does not say. */
  resolved: boolean | null;
  patch: string | null;
  system: string;
  task: string;
  /** Where the repository was in the recorded environment, guessed from the file. */
  repoDir: string | null;
  steps: ImportedStep[];
  /** Later user messages that are not observations (automatic replies, a person's notes), after which step. */
  notes: { afterStep: number; content: string }[];
  /** The OpenAI tool schemas the run used (ours when the scaffold's calls were mapped onto our tools). */
  tools: { type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
  totals: { promptTokens?: number; completionTokens?: number; costUsd?: number };
  startedAt?: string;
}

/** A file (or one entry of it) that could not be read as any format: reported with its path, then skipped. */
export interface ImportFailure {
  file: string;
  entry?: number;
  error: string;
}

/** A file that is not a trajectory but is known for what it is (a predictions file, a run's own exports): said once, not a failure. */
export interface ImportNote {
  file: string;
  message: string;
}
