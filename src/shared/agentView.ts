/**
 * What the agent live view shows: JSON-safe events the extension derives from a rollout's event
 * stream (heavy fields folded or left out, fetched on demand), and the view model both sides build
 * from them with `applyAgentEvent`, so the extension's copy (tests, snapshots) and the webview's
 * (rendering) can never disagree. No vscode, no Node: the webview bundles this file.
 *
 * Over 400 lines on purpose: the event union, the view model and the one reducer over them form one
 * protocol that changes together (a new event touches all three).
 */
import type { AgentStats } from './agentStats';
import type { PatchStats } from './patchStats';
import type { GroupCount } from './runRecord';

export type AgentRunState = 'starting' | 'running' | 'paused' | 'ended';
export type AgentPausePoint = 'before_model' | 'before_action';
export type AgentControl = 'pause' | 'resume' | 'step' | 'stepToAction' | 'stop' | 'cancel';

export interface AgentToolCallView {
  id: string;
  name: string;
  /** As the model sent it (JSON text, possibly malformed). */
  arguments: string;
  /** Set when a person changed the call before it ran. */
  editedFrom?: { name: string; arguments: string };
}

export interface FoldedText {
  /** The whole text, or its head and tail around a fold marker when it is long. */
  text: string;
  /** Characters in the whole text. */
  length: number;
  folded: boolean;
}

export interface AgentObservationView extends FoldedText {
  toolCallId: string;
  name: string;
  error: boolean;
  exitCode?: number;
  durationMs: number;
  commandMs: number;
  edited?: boolean;
}

export interface AgentNote {
  kind: 'auto_reply' | 'human_step' | 'condensed' | 'retry' | 'replay_mismatch' | 'observation_edited' | 'action_edited';
  text: string;
  files?: string[];
  /** Forks: carried from the source rollout (a person's step or edit there). */
  fromSource?: boolean;
}

/** Where a rollout ran, whether it started at the base commit unchanged, and so whether it counts. */
export interface AgentEnvironmentView {
  container: 'fresh' | 'dev';
  startedClean: boolean;
  counted: boolean;
  changedAtStart?: string[];
}

export interface AgentUsageView {
  promptTokens: number;
  completionTokens: number;
  estimated?: boolean;
}

export interface AgentDiffView {
  patch: string;
  clipped: boolean;
  stats: PatchStats;
}

export interface AgentStepView {
  step: number;
  /** model: waiting for or streaming the answer; action: running its tool calls; done. */
  phase: 'model' | 'action' | 'done';
  thought: string;
  reasoning?: string;
  /** Tool calls as they stream in, before the answer is complete. */
  streamingCalls: { name: string; arguments: string }[];
  toolCalls: AgentToolCallView[];
  observations: AgentObservationView[];
  /** Model requests sent for this step (retries included); their JSON is fetched on demand. */
  requests: number;
  notes: AgentNote[];
  modelMs?: number;
  durationMs?: number;
  usage?: AgentUsageView;
  costUsd?: number;
  finishReason?: string | null;
  /** The workspace's diff against the base commit after this step. */
  diff?: AgentDiffView;
  /** An imported step a person typed (mini-swe-agent's human mode), not a model's answer. */
  byPerson?: boolean;
}

export interface AgentRewardView {
  status: string;
  resolved: boolean;
  /** The rules' label as a person's run shows it ("SWE-Gym rules"); the rule-set id in older trajectories. */
  rules: string;
  /** As a person's run card counts them (absent when the log was not graded, and in older trajectories). */
  failToPass?: GroupCount;
  passToPass?: GroupCount;
  strictResolved: boolean;
  error?: string;
  durationMs: number;
}

export interface AgentTotals {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface AgentViewState {
  rolloutId: string;
  instanceId: string;
  runId: string;
  index: number;
  model: string;
  endpoint?: string;
  /** Driven from outside (a gym session): who drives it. Notes and observation edits cannot reach it. */
  external?: string;
  template: string;
  container: string;
  /** `dev`: the user's dev container (edits show in the editor); `own`: a container of its own (forks). */
  where: 'dev' | 'own';
  repoDir: string;
  /** false: read back from a trajectory file (no controls). */
  live: boolean;
  forkOf?: { rolloutId: string; step: number };
  /** Absent until it started (and in logs older than the field). */
  environment?: AgentEnvironmentView;
  state: AgentRunState;
  pausedAt?: AgentPausePoint;
  pendingAction?: AgentToolCallView;
  step: number;
  totals: AgentTotals;
  startedAt?: string;
  opening?: { system: FoldedText; firstUser: FoldedText };
  /** Notes before the first step (hand edits made while paused at the start). */
  preamble: AgentNote[];
  steps: AgentStepView[];
  /** `durationMs` leaves out paused time; `runError`: the model never answered (an error of the run: not graded, not counted). */
  exit?: { reason: string; message?: string; durationMs: number; resolved: boolean | null; runError?: boolean };
  patch?: { stats: PatchStats; error?: string };
  reward?: AgentRewardView;
  /** Set while the reward runs. */
  rewarding?: boolean;
  /** A failure outside the rollout (launching its container, reading its file). */
  problem?: string;
  lastSeq: number;
}

type Seq = { seq: number };

/** The events of the live view, in rollout order; `seq` orders them against a snapshot. */
export type AgentViewEvent = Seq &
  (
    | {
        type: 'started';
        runId: string;
        index: number;
        model: string;
        template: string;
        container: string;
        repoDir: string;
        system: FoldedText;
        firstUser: FoldedText;
        at: string;
        environment?: AgentEnvironmentView;
        forkOf?: { rolloutId: string; step: number };
      }
    | { type: 'step_started'; step: number }
    | { type: 'request'; step: number; attempt: number }
    | { type: 'delta'; step: number; content?: string; toolCalls?: { index: number; name?: string; arguments?: string }[] }
    | { type: 'retry'; step: number; attempt: number; status?: number; reason: string; delayMs: number }
    | { type: 'response'; step: number; content: string | null; toolCalls: AgentToolCallView[]; usage: AgentUsageView; finishReason: string | null; durationMs: number; reasoning?: string }
    | { type: 'condensed'; step: number; reason: string; messages: number; removedChars: number }
    | { type: 'tool_call'; step: number; toolCall: AgentToolCallView }
    | { type: 'action_edited'; step: number; before: AgentToolCallView; after: AgentToolCallView }
    | ({ type: 'observation'; step: number; toolCallId: string; name: string; error: boolean; exitCode?: number; durationMs: number; commandMs: number } & FoldedText)
    | ({ type: 'observation_edited'; step: number; toolCallId: string; carried?: boolean } & FoldedText)
    | { type: 'replay_mismatch'; step: number; toolCallId: string; firstDifferentLine: number }
    | { type: 'auto_reply'; step: number; content: string }
    | { type: 'human_step'; step: number; content: string; files: string[]; carried?: boolean; applyError?: string }
    | { type: 'diff'; step: number; diff: AgentDiffView }
    | { type: 'step_finished'; step: number; durationMs: number; usage: AgentUsageView; costUsd: number; totals: AgentTotals }
    | { type: 'paused'; step: number; at: AgentPausePoint; pendingAction?: AgentToolCallView }
    | { type: 'resumed'; step: number; mode: 'run' | 'step' }
    | { type: 'patch'; stats?: PatchStats; error?: string }
    | { type: 'rewarding' }
    | { type: 'reward'; reward: AgentRewardView }
    | { type: 'finished'; exitReason: string; message?: string; steps: number; totals: AgentTotals; durationMs: number; resolved: boolean | null; runError?: boolean }
    | { type: 'problem'; message: string }
  );

/** One rollout in the run table. */
export interface AgentRunRow {
  rolloutId: string;
  runId: string;
  instanceId: string;
  index: number;
  model: string;
  startedAt: string;
  /** `interrupted`: the window closed or reloaded while it ran. */
  state: 'running' | 'paused' | 'ended' | 'interrupted';
  /** The extension host (window session id) that runs it: another window's live row is not interrupted. */
  owner?: string;
  where: 'dev' | 'own';
  exitReason?: string;
  steps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  durationMs?: number;
  /** null: no reward (cancelled, not rewarded, or still running). */
  resolved: boolean | null;
  rewardStatus?: string;
  /** Why the run failed before the model ever answered: an error of the run, never graded or counted. */
  runError?: string;
  forkOf?: { rolloutId: string; step: number };
  /** Started at the base commit unchanged (always so in a container of its own). */
  startedClean?: boolean;
  /** Its reward enters the success rate and pass@k (absent on old rows: only own-container rollouts count). */
  counted?: boolean;
  /** The event log, known from the start (an interrupted rollout is reopened from it). */
  eventsPath?: string;
  trajectoryPath?: string;
  /** Driven from outside (a gym session): the client's name and its session on the gym server (opened live while the server has it). */
  external?: { via: 'gym'; client: string; sessionId: string };
  /** Best-of-N (Score Rollouts with a Verifier): P(YES) from the verifier's log-probabilities, null when it gave none. */
  verifier?: { model: string; score: number | null; picked: boolean; tied?: boolean; error?: string; scoredAt: string };
}

export interface AgentRunsView {
  instanceId: string;
  rows: AgentRunRow[];
  stats: AgentStats;
  /** What the instance is busy with (launching its dev container, ...). */
  busy?: string;
}

export function emptyAgentView(rolloutId: string, instanceId: string, where: 'dev' | 'own', live: boolean): AgentViewState {
  return {
    rolloutId,
    instanceId,
    runId: '',
    index: 0,
    model: '',
    template: '',
    container: '',
    where,
    repoDir: '/testbed',
    live,
    state: 'starting',
    step: 0,
    totals: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
    preamble: [],
    steps: [],
    lastSeq: 0,
  };
}

/** What an event changed, so a view re-renders only that: the header, one step, or a streamed piece of one. */
export interface AgentViewChange {
  header: boolean;
  step?: number;
  /** Only text was appended to this step's thought (or its streaming calls). */
  appended?: boolean;
}

function stepOf(s: AgentViewState, step: number): AgentStepView {
  let found = s.steps.find((x) => x.step === step);
  if (!found) {
    found = { step, phase: 'model', thought: '', streamingCalls: [], toolCalls: [], observations: [], requests: 0, notes: [] };
    s.steps.push(found);
    s.steps.sort((a, b) => a.step - b.step);
  }
  return found;
}

/** Applies one event to the view model in place; events at or below `lastSeq` are ignored. */
export function applyAgentEvent(s: AgentViewState, e: AgentViewEvent): AgentViewChange {
  if (e.seq <= s.lastSeq) return { header: false };
  s.lastSeq = e.seq;
  switch (e.type) {
    case 'started':
      Object.assign(s, { runId: e.runId, index: e.index, model: e.model, template: e.template, container: e.container, repoDir: e.repoDir, startedAt: e.at, state: 'running' });
      if (e.environment) s.environment = e.environment;
      if (e.forkOf) s.forkOf ??= e.forkOf;
      s.opening = { system: e.system, firstUser: e.firstUser };
      return { header: true };
    case 'step_started':
      s.step = e.step;
      s.state = 'running';
      s.pausedAt = undefined;
      s.pendingAction = undefined;
      stepOf(s, e.step);
      return { header: true, step: e.step };
    case 'request': {
      const st = stepOf(s, e.step);
      st.requests = Math.max(st.requests, e.attempt + 1);
      if (e.attempt > 0) {
        // A retry starts the answer over.
        st.thought = '';
        st.streamingCalls = [];
      }
      return { header: false, step: e.step };
    }
    case 'delta': {
      const st = stepOf(s, e.step);
      if (e.content) st.thought += e.content;
      for (const c of e.toolCalls ?? []) {
        const slot = (st.streamingCalls[c.index] ??= { name: '', arguments: '' });
        if (c.name) slot.name = c.name;
        if (c.arguments) slot.arguments += c.arguments;
      }
      return { header: false, step: e.step, appended: true };
    }
    case 'retry':
      stepOf(s, e.step).notes.push({ kind: 'retry', text: `Attempt ${e.attempt} failed (${e.status !== undefined && !e.reason.startsWith(String(e.status)) ? `${e.status}: ` : ''}${e.reason}); retrying in ${(e.delayMs / 1000).toFixed(1)} s.` });
      return { header: false, step: e.step };
    case 'response': {
      const st = stepOf(s, e.step);
      st.thought = e.content ?? '';
      st.reasoning = e.reasoning;
      st.streamingCalls = [];
      st.toolCalls = e.toolCalls;
      st.usage = e.usage;
      st.modelMs = e.durationMs;
      st.finishReason = e.finishReason;
      st.phase = 'action';
      return { header: false, step: e.step };
    }
    case 'condensed':
      stepOf(s, e.step).notes.push({ kind: 'condensed', text: `${e.messages} old observation${e.messages === 1 ? '' : 's'} shortened (${e.removedChars.toLocaleString('en-US')} characters): ${e.reason}.` });
      return { header: false, step: e.step };
    case 'tool_call': {
      const st = stepOf(s, e.step);
      const i = st.toolCalls.findIndex((c) => c.id === e.toolCall.id);
      if (i >= 0) st.toolCalls[i] = { ...e.toolCall, editedFrom: st.toolCalls[i]?.editedFrom };
      else st.toolCalls.push(e.toolCall);
      s.pendingAction = undefined;
      return { header: true, step: e.step };
    }
    case 'action_edited': {
      const st = stepOf(s, e.step);
      const i = st.toolCalls.findIndex((c) => c.id === e.before.id);
      const edited = { ...e.after, editedFrom: { name: e.before.name, arguments: e.before.arguments } };
      if (i >= 0) st.toolCalls[i] = edited;
      if (s.pendingAction?.id === e.before.id) s.pendingAction = edited;
      const was = e.before.arguments.length > 300 ? `${e.before.arguments.slice(0, 300)}…` : e.before.arguments;
      st.notes.push({ kind: 'action_edited', text: `The action was edited by hand before it ran. The model had asked for ${e.before.name} ${was}${e.before.name === e.after.name ? '' : ` (now ${e.after.name})`}.` });
      return { header: true, step: e.step };
    }
    case 'observation': {
      const { type: _t, seq: _s, step, ...o } = e;
      stepOf(s, step).observations.push(o);
      return { header: false, step };
    }
    case 'observation_edited': {
      const st = stepOf(s, e.step);
      const o = st.observations.find((x) => x.toolCallId === e.toolCallId);
      if (o) Object.assign(o, { text: e.text, length: e.length, folded: e.folded, edited: true });
      st.notes.push(
        e.carried
          ? { kind: 'observation_edited', fromSource: true, text: 'A person edited this observation in the source rollout: the model is shown that edited text, as there.' }
          : { kind: 'observation_edited', text: 'Observation edited by hand before the model saw it.' },
      );
      return { header: false, step: e.step };
    }
    case 'replay_mismatch':
      stepOf(s, e.step).notes.push({ kind: 'replay_mismatch', text: s.forkOf ? `The observation differs from the one the source rollout ${s.forkOf.rolloutId} got, from line ${e.firstDifferentLine}.` : `The observation differs from the recorded one from line ${e.firstDifferentLine}.` });
      return { header: false, step: e.step };
    case 'auto_reply':
      stepOf(s, e.step).notes.push({ kind: 'auto_reply', text: e.content });
      return { header: false, step: e.step };
    case 'human_step': {
      const note: AgentNote = { kind: 'human_step', text: e.applyError ? `${e.content}\n\n(Carried from the source rollout, but its edits did not apply here: ${e.applyError})` : e.content, files: e.files, ...(e.carried ? { fromSource: true } : {}) };
      if (e.step === 0) {
        s.preamble.push(note);
        return { header: true };
      }
      stepOf(s, e.step).notes.push(note);
      return { header: false, step: e.step };
    }
    case 'diff':
      stepOf(s, e.step).diff = e.diff;
      return { header: false, step: e.step };
    case 'step_finished': {
      const st = stepOf(s, e.step);
      st.phase = 'done';
      st.durationMs = e.durationMs;
      st.usage = e.usage;
      st.costUsd = e.costUsd;
      s.totals = e.totals;
      return { header: true, step: e.step };
    }
    case 'paused':
      s.state = 'paused';
      s.pausedAt = e.at;
      s.pendingAction = e.pendingAction;
      return { header: true, step: e.step || undefined };
    case 'resumed':
      s.state = 'running';
      s.pausedAt = undefined;
      s.pendingAction = undefined;
      return { header: true, step: e.step || undefined };
    case 'patch':
      s.patch = { stats: e.stats ?? { files: [], added: 0, removed: 0 }, ...(e.error ? { error: e.error } : {}) };
      return { header: true };
    case 'rewarding':
      s.rewarding = true;
      return { header: true };
    case 'reward':
      s.reward = e.reward;
      s.rewarding = false;
      return { header: true };
    case 'finished':
      s.state = 'ended';
      s.rewarding = false;
      s.pausedAt = undefined;
      s.pendingAction = undefined;
      s.exit = { reason: e.exitReason, message: e.message, durationMs: e.durationMs, resolved: e.resolved, ...(e.runError ? { runError: true } : {}) };
      s.totals = e.totals;
      for (const st of s.steps) if (st.phase !== 'done') st.phase = 'done';
      return { header: true };
    case 'problem':
      s.problem = e.message;
      return { header: true };
  }
}

/** Head and tail of a long text, with a marker saying how much is left out. */
export function foldText(text: string, max = 4000): FoldedText {
  if (text.length <= max) return { text, length: text.length, folded: false };
  const head = Math.floor(max * 0.75);
  const tail = max - head;
  const omitted = text.length - head - tail;
  return { text: `${text.slice(0, head)}\n… ${omitted.toLocaleString('en-US')} characters folded …\n${text.slice(text.length - tail)}`, length: text.length, folded: true };
}

export const EXIT_LABELS: Record<string, string> = {
  finished: 'Finished',
  max_steps: 'Step budget spent',
  max_tokens: 'Token budget spent',
  max_cost: 'Cost budget spent',
  max_time: 'Time budget spent',
  stopped: 'Stopped',
  cancelled: 'Cancelled',
  auth_error: 'API key refused',
  model_not_found: 'Model or endpoint not found',
  model_error: 'Model error',
  context_overflow: 'Context window exceeded',
  environment_error: 'Container error',
  replay_exhausted: 'Replay ended',
  interrupted: 'Interrupted (window closed)',
};
