/**
 * The one message protocol between the extension host and its webviews (the instance page and the
 * agent live view), imported by both builds. Requests carry ids and get exactly one reply (a result
 * or an error); the host also pushes events. A webview says `ready` first; the host posts nothing
 * before that, since messages sent to a webview that has not loaded yet are lost.
 *
 * Each webview has its own request and event maps below; the message shapes, validation and the
 * RPC endpoints (rpcHost.ts, rpcClient.ts) are shared.
 */
import type { AgentControl, AgentRunsView, AgentViewEvent, AgentViewState } from './agentView';
import type { InstancePageState, RevealKind } from './instancePage';
import type { TrajectoryBusy, TrajectoryViewState } from './trajectoryView';
import type { DemoPanelState } from './demoPanel';

/** Page -> host requests: method name -> params and result. */
export interface PageRequests {
  getState: { params: Record<string, never>; result: InstancePageState };
  reveal: { params: { what: RevealKind }; result: InstancePageState };
  launch: { params: Record<string, never>; result: InstancePageState };
  openTerminal: { params: Record<string, never>; result: null };
  runTests: { params: Record<string, never>; result: InstancePageState };
  refreshCandidate: { params: Record<string, never>; result: InstancePageState };
  showDiff: { params: { against: 'base' | 'gold' }; result: null };
  openWorkspace: { params: Record<string, never>; result: null };
  showLog: { params: Record<string, never>; result: null };
  stop: { params: Record<string, never>; result: InstancePageState };
  startAgent: { params: Record<string, never>; result: null };
  /** Opens the difficulty questions for the instance (answers are stored by the host). */
  annotate: { params: Record<string, never>; result: null };
}

/** Host -> page pushed events. */
export interface PageEvents {
  state: InstancePageState;
}

/** Agent view -> host requests. The view shows one rollout of an instance at a time. */
export interface AgentRequests {
  /** The shown rollout (null when the instance has none yet) and the instance's run table. */
  getState: { params: Record<string, never>; result: { view: AgentViewState | null; runs: AgentRunsView } };
  /** Shows another rollout of the instance (a row of the run table). */
  select: { params: { rolloutId: string }; result: AgentViewState };
  /** Starts a new rollout in the instance's dev container. */
  start: { params: Record<string, never>; result: null };
  control: { params: { rolloutId: string; action: AgentControl }; result: null };
  /** While paused before an action: the tool and its JSON arguments to run instead. */
  editAction: { params: { rolloutId: string; name: string; arguments: string }; result: null };
  /** While paused before a model request: what the model sees instead of an observation. */
  editObservation: { params: { rolloutId: string; toolCallId: string; content: string }; result: null };
  /** A message the model reads before its next turn. */
  addNote: { params: { rolloutId: string; content: string }; result: null };
  /** A new rollout that replays steps 1..step in a fresh container, then goes on with the model. */
  fork: { params: { rolloutId: string; step: number }; result: { rolloutId: string } };
  /**
   * The exact request sent to the model for a step (pretty JSON), on demand. `elided`: read back
   * from a trajectory file, which keeps the conversation once, so the request's messages are not
   * in it (how many there were, and the last one, are).
   */
  getRequest: { params: { rolloutId: string; step: number }; result: { json: string; attempts: number; elided?: { messages: number } } };
  /** An observation's full text, on demand: by step and id (an id alone may name one in every step). */
  getObservation: { params: { rolloutId: string; step: number; toolCallId: string }; result: { text: string } };
  /** The rollout's own changes (its final patch, or its workspace after the last step) in a diff editor. */
  showDiff: { params: { rolloutId: string }; result: null };
  openTrajectory: { params: { rolloutId: string }; result: null };
  /** Best-of-N: a verifier scores the instance's rewarded rollouts (sweGym.agent.scoreRollouts). */
  scoreRollouts: { params: Record<string, never>; result: null };
  /** The view reports what it has rendered (tests read it; it also logs view lag). */
  rendered: { params: { rolloutId: string; seq: number; steps: number; busySteps?: number }; result: null };
}

/** Host -> agent view pushed events. */
export interface AgentEvents {
  /** A new event of the shown rollout. Never queued: after a (re)load the view asks for the state. */
  event: AgentViewEvent & { rolloutId: string };
  /** The shown rollout changed (another was selected, or a new one started). */
  view: AgentViewState;
  runs: AgentRunsView;
}

/** Trajectory view -> host requests. The view shows one imported run of an instance at a time. */
export interface TrajectoryRequests {
  getState: { params: Record<string, never>; result: TrajectoryViewState };
  /** Shows another imported run of the instance. */
  select: { params: { rolloutId: string }; result: TrajectoryViewState };
  /** Grades the run's final patch with our harness in a fresh container. */
  grade: { params: { rolloutId: string }; result: TrajectoryViewState };
  /** Replays the run in a fresh container: per-step diffs and verdicts; `reward`: the hidden tests on the replayed patch too. */
  replay: { params: { rolloutId: string; reward: boolean }; result: TrajectoryViewState };
  /** Stops the grade or replay running for the run. */
  cancel: { params: { rolloutId: string }; result: null };
  getObservation: { params: { rolloutId: string; step: number; toolCallId: string }; result: { text: string } };
  /** Opens the file the run was imported from. */
  openSource: { params: { rolloutId: string }; result: null };
  /** Opens the run's final patch as recorded. */
  showPatch: { params: { rolloutId: string }; result: null };
  /** Continue from Step: steps 1..step replayed, then by hand in the dev container or by the model (asked when `by` is absent). */
  continueFrom: { params: { rolloutId: string; step: number; by?: 'hand' | 'model' }; result: { rolloutId: string } | null };
}

/** Host -> trajectory view pushed events. */
export interface TrajectoryEvents {
  /** The instance's runs or the shown run changed (an import, a grade, a replay). */
  state: TrajectoryViewState;
  /** What runs for the instance now (progress), or null when nothing does. */
  busy: TrajectoryBusy | null;
}

/** Demonstration panel -> host requests. The panel follows one instance's demonstration as it is recorded. */
export interface DemoRequests {
  getState: { params: Record<string, never>; result: DemoPanelState };
  /** Starts recording on the instance (its dev container must run), or takes up its interrupted demonstration. */
  start: { params: Record<string, never>; result: DemoPanelState };
  pause: { params: Record<string, never>; result: DemoPanelState };
  resume: { params: Record<string, never>; result: DemoPanelState };
  /** The note for the next step ('' takes it back). */
  setNote: { params: { text: string }; result: DemoPanelState };
  /** A recorded step's note, given or changed ('' removes it). */
  setStepNote: { params: { step: number; text: string }; result: DemoPanelState };
  /** Grades and closes the demonstration (the finish command: progress, then the questions at finish). */
  finish: { params: Record<string, never>; result: DemoPanelState };
  /** Asks, then deletes the recording. */
  discard: { params: Record<string, never>; result: DemoPanelState };
  /** A finished demonstration (its closed trajectory file) in the step view. */
  openSteps: { params: { file: string }; result: null };
  openFile: { params: { file: string }; result: null };
}

/** Host -> demonstration panel pushed events. */
export interface DemoEvents {
  state: DemoPanelState;
}

/** Request maps: method -> params and result. */
export type RequestMap<R> = { [M in keyof R]: { params: unknown; result: unknown } };

export type WebviewMessage<R extends RequestMap<R>> =
  | { type: 'ready' }
  | { [M in keyof R & string]: { type: 'request'; id: number; method: M; params: R[M]['params'] } }[keyof R & string]
  | { type: 'cancel'; id: number };

export interface ProtocolError {
  message: string;
  /** `cancelled` when the request was cancelled, `invalid` for malformed requests. */
  code?: 'cancelled' | 'invalid' | 'failed';
}

export type HostMessage<E> =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: ProtocolError }
  | { [K in keyof E & string]: { type: 'event'; event: K; payload: E[K] } }[keyof E & string];


/** Per method: a check of its params that returns why they are wrong, or undefined. */
export type ProtocolSpec<R> = { readonly [M in keyof R]: (params: Record<string, unknown>) => string | undefined };

const anyParams = (): undefined => undefined;
const isString = (v: unknown): v is string => typeof v === 'string';
const stepNumber = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;

function check(...rules: [boolean, string][]): string | undefined {
  return rules.find(([ok]) => !ok)?.[1];
}

export const PAGE_PROTOCOL: ProtocolSpec<PageRequests> = {
  getState: anyParams,
  reveal: (p) => check([p.what === 'gold' || p.what === 'tests', 'reveal: what must be gold or tests']),
  launch: anyParams,
  openTerminal: anyParams,
  runTests: anyParams,
  refreshCandidate: anyParams,
  showDiff: (p) => check([p.against === 'base' || p.against === 'gold', 'showDiff: against must be base or gold']),
  openWorkspace: anyParams,
  showLog: anyParams,
  stop: anyParams,
  startAgent: anyParams,
  annotate: anyParams,
};

const CONTROLS: ReadonlySet<string> = new Set<AgentControl>(['pause', 'resume', 'step', 'stepToAction', 'stop', 'cancel']);
const rollout = (p: Record<string, unknown>): [boolean, string] => [isString(p.rolloutId) && p.rolloutId.length > 0, 'rolloutId must be a non-empty string'];

export const AGENT_PROTOCOL: ProtocolSpec<AgentRequests> = {
  getState: anyParams,
  select: (p) => check(rollout(p)),
  start: anyParams,
  control: (p) => check(rollout(p), [isString(p.action) && CONTROLS.has(p.action), `control: unknown action ${String(p.action)}`]),
  editAction: (p) => check(rollout(p), [isString(p.name) && p.name.length > 0, 'editAction: name must be a tool name'], [isString(p.arguments), 'editAction: arguments must be a string']),
  editObservation: (p) => check(rollout(p), [isString(p.toolCallId), 'editObservation: toolCallId must be a string'], [isString(p.content), 'editObservation: content must be a string']),
  addNote: (p) => check(rollout(p), [isString(p.content) && p.content.trim().length > 0, 'addNote: content must be non-empty text']),
  fork: (p) => check(rollout(p), [stepNumber(p.step), 'fork: step must be a whole number']),
  getRequest: (p) => check(rollout(p), [stepNumber(p.step), 'getRequest: step must be a whole number']),
  getObservation: (p) => check(rollout(p), [stepNumber(p.step), 'getObservation: step must be a whole number'], [isString(p.toolCallId), 'getObservation: toolCallId must be a string']),
  showDiff: (p) => check(rollout(p)),
  openTrajectory: (p) => check(rollout(p)),
  scoreRollouts: anyParams,
  rendered: (p) => check(rollout(p), [stepNumber(p.seq) && stepNumber(p.steps) && (p.busySteps === undefined || stepNumber(p.busySteps)), 'rendered: seq, steps and busySteps must be whole numbers']),
};

export const TRAJECTORY_PROTOCOL: ProtocolSpec<TrajectoryRequests> = {
  getState: anyParams,
  select: (p) => check(rollout(p)),
  grade: (p) => check(rollout(p)),
  replay: (p) => check(rollout(p), [typeof p.reward === 'boolean', 'replay: reward must be true or false']),
  cancel: (p) => check(rollout(p)),
  getObservation: (p) => check(rollout(p), [stepNumber(p.step), 'getObservation: step must be a whole number'], [isString(p.toolCallId), 'getObservation: toolCallId must be a string']),
  openSource: (p) => check(rollout(p)),
  showPatch: (p) => check(rollout(p)),
  continueFrom: (p) => check(rollout(p), [stepNumber(p.step), 'continueFrom: step must be a whole number'], [p.by === undefined || p.by === 'hand' || p.by === 'model', 'continueFrom: by must be hand or model']),
};

const file = (p: Record<string, unknown>): [boolean, string] => [isString(p.file) && p.file.length > 0, 'file must be a non-empty path'];

export const DEMO_PROTOCOL: ProtocolSpec<DemoRequests> = {
  getState: anyParams,
  start: anyParams,
  pause: anyParams,
  resume: anyParams,
  setNote: (p) => check([isString(p.text) && p.text.length <= 20_000, 'setNote: text must be a string (at most 20,000 characters)']),
  setStepNote: (p) => check([stepNumber(p.step) && (p.step as number) > 0, 'setStepNote: step must be a step number'], [isString(p.text) && p.text.length <= 20_000, 'setStepNote: text must be a string (at most 20,000 characters)']),
  finish: anyParams,
  discard: anyParams,
  openSteps: (p) => check(file(p)),
  openFile: (p) => check(file(p)),
};

/**
 * One webview's protocol as a value: the request checks the host runs, and (as types only) the
 * requests and events, so `WebviewHost` on the extension side and `bootWebview` in the webview
 * are typed from the same object.
 */
export interface WebviewProtocol<R extends RequestMap<R>, E> {
  readonly spec: ProtocolSpec<R>;
  /** Never set: carries the event map's type. */
  readonly events?: E;
}

export const PAGE: WebviewProtocol<PageRequests, PageEvents> = { spec: PAGE_PROTOCOL };
export const AGENT_VIEW: WebviewProtocol<AgentRequests, AgentEvents> = { spec: AGENT_PROTOCOL };
export const TRAJECTORY_VIEW: WebviewProtocol<TrajectoryRequests, TrajectoryEvents> = { spec: TRAJECTORY_PROTOCOL };
export const DEMO_VIEW: WebviewProtocol<DemoRequests, DemoEvents> = { spec: DEMO_PROTOCOL };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a message from a webview against its protocol. Webview content renders dataset text
 * and model output, so its messages are checked rather than trusted; the reason comes back so a
 * bad message can be logged.
 */
export function parseMessage<R extends RequestMap<R>>(raw: unknown, spec: ProtocolSpec<R>): { ok: true; message: WebviewMessage<R> } | { ok: false; reason: string } {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not an object with a type' };
  switch (raw.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'cancel':
      if (!Number.isSafeInteger(raw.id)) return { ok: false, reason: 'cancel without an integer id' };
      return { ok: true, message: { type: 'cancel', id: raw.id as number } };
    case 'request': {
      if (!Number.isSafeInteger(raw.id)) return { ok: false, reason: 'request without an integer id' };
      const method = raw.method;
      if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(spec, method)) return { ok: false, reason: `unknown method ${String(method)}` };
      const params = raw.params ?? {};
      if (!isRecord(params)) return { ok: false, reason: `${method}: params must be an object` };
      const problem = (spec[method as keyof R] as (p: Record<string, unknown>) => string | undefined)(params);
      if (problem) return { ok: false, reason: problem.startsWith(method) ? problem : `${method}: ${problem}` };
      return { ok: true, message: { type: 'request', id: raw.id as number, method, params } as WebviewMessage<R> };
    }
    default:
      return { ok: false, reason: `unknown message type ${raw.type}` };
  }
}

export function isHostMessage<E>(raw: unknown): raw is HostMessage<E> {
  return isRecord(raw) && (raw.type === 'reply' || raw.type === 'event');
}
