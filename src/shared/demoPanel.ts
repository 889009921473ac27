/**
 * What the demonstration panel shows of a person's recording: its state and active time, the
 * steps so far (one row per recorded step, each with its tool calls and a short observation),
 * hidden-test runs and reveals in the order they happened, the note waiting for the next step,
 * and the instance's finished demonstrations. No vscode, no Node: the webview bundles this file.
 */

export interface DemoActionRow {
  /** execute_bash, str_replace_editor. */
  tool: string;
  /** What it did in a few words: `str_replace src/x.py`, the command line. */
  label: string;
  /** The start of its observation (the released format's prefix left out). */
  observation: string;
  exitCode?: number;
}

export type DemoTimelineItem =
  | { kind: 'step'; step: number; source: 'save' | 'scan' | 'terminal' | 'start'; activeMs: number; note?: string; actions: DemoActionRow[] }
  | { kind: 'test_run'; activeMs: number; status: string; resolved: boolean | null }
  | { kind: 'reveal'; what: 'gold_patch' | 'test_names'; activeMs: number; beforeStart: boolean }
  | { kind: 'pause'; activeMs: number }
  | { kind: 'resume'; activeMs: number }
  | { kind: 'crash'; activeMs: number };

export interface DemoRecordingView {
  state: 'recording' | 'paused';
  /** Active time when the state was read; while recording the view counts on from `readAt`. */
  activeMs: number;
  readAt: number;
  annotator: string | null;
  /** The note waiting for the next step (it becomes the assistant text before that step's tool call). */
  pendingNote: string | null;
  steps: number;
  actions: number;
  timeline: DemoTimelineItem[];
  eventsPath: string;
}

/** A recording a crash or a reload cut off, read from its log: what Resume takes up, or Discard deletes. */
export interface DemoInterruptedView {
  /** Active time as the log last recorded it. */
  activeMs: number;
  annotator: string | null;
  steps: number;
  actions: number;
  timeline: DemoTimelineItem[];
  eventsPath: string;
}

export interface FinishedDemoRow {
  /** The closed trajectory file. */
  file: string;
  demoId: string;
  index: number;
  finishedAt: string;
  activeMs: number;
  /** Recorded steps (as the panel counted them while recording). */
  steps: number;
  resolved: boolean | null;
  status: string | null;
  annotator: string | null;
  revealed: string[];
}

export interface DemoPanelState {
  instanceId: string;
  /** The instance's dev container runs (a demonstration can start). */
  launched: boolean;
  /** A demonstration of another instance is being recorded. */
  otherRecording: string | null;
  recording: DemoRecordingView | null;
  /** An interrupted demonstration of this instance, to take up or discard (its steps read from its log). */
  interrupted: DemoInterruptedView | null;
  finished: FinishedDemoRow[];
  /** Where demonstrations are written (one folder per annotator). */
  runDir: string;
}

/** mm:ss, or h:mm:ss past the hour. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
