import type { ChatMessage, ToolSchema } from '../agent/chatTypes';
import type { RewardRecord } from '../agent/events';
import type { RolloutEnvironment } from '../agent/startState';
import type { StateRef } from './demoLog';

/** What the person did that became one step: an editor save, a change found by a scan, a terminal command. */
export type DemoStepSource = 'save' | 'scan' | 'terminal' | 'start';

export type RevealWhat = 'gold_patch' | 'test_names';

/** One tool call of a step, with the observation a replay of it will see. */
export interface RecordedAction {
  id: string;
  name: string;
  /** The tool call's arguments as JSON text (as in the messages). */
  arguments: string;
  observation: string;
  exitCode?: number;
}

export interface DemoHeader {
  demoId: string;
  runId: string;
  instanceId: string;
  index: number;
  baseCommit: string;
  repoDir: string;
  /** From the `sweGym.demo.annotator` setting only (never the OS user). */
  annotator?: string;
  template: string;
  promptHost: string;
  messages: ChatMessage[];
  tools: ToolSchema[];
  environment?: RolloutEnvironment;
  config: Record<string, unknown>;
}

/** A demonstration's log, line by line. */
export type DemoEvent =
  | ({ type: 'demo_started' } & DemoHeader)
  /** Lines the person changed, or a command they ran; `files`: the recorded state of every path it changed. */
  | { type: 'demo_step'; step: number; source: DemoStepSource; note?: string; actions: RecordedAction[]; files: Record<string, StateRef>; activeMs: number; cwd: string }
  /** The note for the next step ('' takes it back). */
  | { type: 'demo_note'; text: string }
  /** A note given to (or changed on) a step already recorded; the last one wins, '' removes it. */
  | { type: 'demo_step_note'; step: number; text: string }
  | { type: 'demo_paused'; activeMs: number }
  | { type: 'demo_resumed'; activeMs: number }
  | { type: 'demo_resumed_after_crash'; activeMs: number; cutLine: boolean; /** Events dropped because a stored content they name never reached the disk (an OS crash). */ droppedEvents?: number }
  | { type: 'demo_test_run'; activeMs: number; status: string; resolved: boolean | null; runId?: string; counts?: Record<string, number> }
  | { type: 'demo_reveal'; what: RevealWhat; activeMs: number; at?: string; beforeStart?: boolean }
  | { type: 'demo_patch'; patch: string | null; error?: string }
  | { type: 'demo_reward'; reward: RewardRecord }
  | { type: 'demo_finished'; activeMs: number; steps: number }
  | { type: 'demo_discarded' };

export type StampedDemoEvent = DemoEvent & { seq: number; time: string };

/** What a closed demonstration adds to the trajectory file (absent on agent rollouts). */
export interface DemonstrationInfo {
  origin: 'human';
  annotator?: string;
  /** Recording time, pauses and idle gaps left out. */
  active_ms: number;
  /** Stretches of more than IDLE_GAP_MS without any recorded activity while recording. */
  idle_gaps: { from: string; to: string; ms: number }[];
  reveals: { what: RevealWhat; at: string; active_ms: number; before_start?: boolean }[];
  test_runs: { at: string; active_ms: number; status: string; resolved: boolean | null }[];
  /** Recording steps (saves, scans, commands); each holds one or more tool calls. */
  recorded_steps: number;
  /** How many tool calls each recording step became, in order (the step view groups by it). */
  recorded_step_calls?: number[];
  resumed_after_crash: number;
}
