import * as zlib from 'node:zlib';
import type { AgentRollout, RolloutResult } from '../../core/agent/agentRollout';
import type { StampedEvent } from '../../core/agent/events';
import { applyAgentEvent, emptyAgentView, type AgentControl, type AgentViewEvent, type AgentViewState } from '../../shared/agentView';
import type { AgentRunConfig } from './agentSettings';
import { toViewEvent } from '../agentView/viewEvents';

/** Streamed text is sent to the view at most this often (one message per batch, not per token). */
const DELTA_BATCH_MS = 40;

type Payload<T> = T extends unknown ? Omit<T, 'seq'> : never;
type ViewEventPayload = Payload<AgentViewEvent>;

export interface SessionInit {
  rolloutId: string;
  instanceId: string;
  where: 'dev' | 'own';
  endpoint?: string;
  forkOf?: { rolloutId: string; step: number };
  /** The settings it was started with (for forks); recorded sessions have none. */
  config?: AgentRunConfig;
  /** Whether the hidden tests run after it (the view says "rewarding" meanwhile). */
  rewarded?: boolean;
  /**
   * Who carries out the view's controls, when not the rollout itself: a gym session's own controls,
   * so its state, its reaper and the client's waiting step stay in step with the live view.
   */
  controls?: (action: AgentControl) => Promise<void>;
  /** Driven from outside (a gym session's client): it reads only what its calls return. */
  external?: string;
}

/**
 * One rollout as the live view sees it: a live AgentRollout (controls work) or one read back from
 * its trajectory file. Turns the core's events into view events with their own sequence numbers,
 * keeps the view model they build, and fans both out.
 */
export class AgentSession {
  readonly view: AgentViewState;
  readonly rolloutId: string;
  readonly instanceId: string;
  private seq = 0;
  private readonly viewListeners = new Set<(e: AgentViewEvent) => void>();
  private readonly coreListeners = new Set<(e: StampedEvent) => void>();
  private delta: { step: number; content: string; calls: Map<number, { name?: string; arguments: string }> } | undefined;
  private deltaTimer: NodeJS.Timeout | undefined;
  private result: RolloutResult | undefined;
  /**
   * Every step's last request as sent, compressed: the core's history keeps only the newest ones
   * whole (each repeats the conversation), and the view offers any step's request on demand.
   */
  private readonly requests = new Map<number, { attempts: number; json: Buffer }>();

  private constructor(
    readonly init: SessionInit,
    readonly rollout: AgentRollout | undefined,
    private readonly recorded: readonly StampedEvent[] = [],
  ) {
    this.rolloutId = init.rolloutId;
    this.instanceId = init.instanceId;
    this.view = emptyAgentView(init.rolloutId, init.instanceId, init.where, rollout !== undefined);
    if (init.endpoint) this.view.endpoint = init.endpoint;
    if (init.forkOf) this.view.forkOf = init.forkOf;
    if (init.external) this.view.external = init.external;
  }

  /** Follows a rollout that has not run yet (or has: its history is replayed). */
  static live(rollout: AgentRollout, init: Omit<SessionInit, 'rolloutId'>): AgentSession {
    const s = new AgentSession({ ...init, rolloutId: rollout.rolloutId }, rollout);
    rollout.events.subscribe((e) => s.onCore(e));
    return s;
  }

  /** A finished (or interrupted) rollout from its event log. */
  static recorded(events: readonly StampedEvent[], init: SessionInit, truncated: boolean): AgentSession {
    const s = new AgentSession(init, undefined, events);
    for (const e of events) s.onCore(e);
    s.flushDelta();
    if (truncated) s.push({ type: 'problem', message: 'The trajectory file ends mid-event (the window closed while it was written): the steps up to there are shown.' });
    else if (s.view.state !== 'ended') s.push({ type: 'problem', message: 'This rollout never finished: the window was closed or reloaded while it ran. The steps it completed are shown.' });
    // Nothing runs it any more: it ends here (its last card must not look busy).
    if (s.view.state !== 'ended') {
      const v = s.view;
      s.push({ type: 'finished', exitReason: 'interrupted', message: 'The window was closed or reloaded while it ran.', steps: v.steps.filter((x) => x.phase === 'done').length, totals: v.totals, durationMs: activeMs(events), resolved: null });
    }
    return s;
  }

  get isLive(): boolean {
    return this.rollout !== undefined && this.view.state !== 'ended';
  }

  get finalResult(): RolloutResult | undefined {
    return this.result;
  }

  setResult(result: RolloutResult): void {
    this.result = result;
  }

  onView(listener: (e: AgentViewEvent) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  /** The core's events as they come (history first). */
  onCore(listener: (e: StampedEvent) => void): () => void;
  onCore(event: StampedEvent): void;
  onCore(arg: StampedEvent | ((e: StampedEvent) => void)): void | (() => void) {
    if (typeof arg === 'function') {
      for (const e of this.history()) arg(e);
      this.coreListeners.add(arg);
      return () => this.coreListeners.delete(arg);
    }
    const e = arg;
    if (e.type === 'model_delta') {
      this.addDelta(e.step, e.delta);
    } else {
      if (e.type === 'model_request') this.keepRequest(e.step, e.request);
      this.flushDelta();
      const v = toViewEvent(e);
      if (v) this.push(v as ViewEventPayload);
      if (e.type === 'patch' && e.patch !== null && this.init.rewarded && this.rollout) this.push({ type: 'rewarding' });
    }
    for (const l of this.coreListeners) {
      try {
        l(e);
      } catch {
        // A failing listener must not break the view.
      }
    }
  }

  /** Adds an event the session itself knows about (a problem, a reward in progress). */
  push(event: ViewEventPayload): void {
    const e = { ...event, seq: ++this.seq } as AgentViewEvent;
    applyAgentEvent(this.view, e);
    for (const l of this.viewListeners) {
      try {
        l(e);
      } catch {
        // One broken view must not starve the others.
      }
    }
  }

  dispose(): void {
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.viewListeners.clear();
    this.coreListeners.clear();
  }

  // ---- controls -------------------------------------------------------------------------------

  private live(): AgentRollout {
    if (!this.rollout) throw new Error('This rollout was read from its trajectory file: it cannot be controlled.');
    if (this.view.state === 'ended') throw new Error('The rollout has ended.');
    return this.rollout;
  }

  control(action: AgentControl): void | Promise<void> {
    const r = this.live();
    if (this.init.controls) return this.init.controls(action);
    switch (action) {
      case 'pause':
        r.pause();
        return;
      case 'resume':
        r.resume();
        return;
      case 'step':
        r.stepOnce();
        return;
      case 'stepToAction':
        // Ask the model, then stop before its action runs: release, and ask for a pause at once
        // (the loop only looks at the request after the model has answered).
        if (r.status.pausedAt !== 'before_model') throw new Error('"Next action" works while paused before a model request; use Step or Resume here.');
        r.resume();
        r.pause();
        return;
      case 'stop':
        r.stop();
        return;
      case 'cancel':
        r.cancel();
        return;
    }
  }

  editAction(name: string, args: string): void {
    this.live().editPendingAction({ name, arguments: args });
  }

  editObservation(toolCallId: string, content: string): void {
    this.refuseExternal('an edited observation');
    this.live().editObservation(toolCallId, content);
  }

  addNote(content: string): void {
    this.refuseExternal('a message');
    this.live().addHumanStep(content);
  }

  /** An outside client already has its observations and reads no messages from here. */
  private refuseExternal(what: string): void {
    if (this.init.external) throw new Error(`This rollout is driven from outside (${this.init.external}): ${what} would never reach it. Pause, Step, Resume, edit the next action, or stop it.`);
  }

  history(): readonly StampedEvent[] {
    return this.rollout ? this.rollout.events.history() : this.recorded;
  }

  private keepRequest(step: number, request: unknown): void {
    const attempts = (this.requests.get(step)?.attempts ?? 0) + 1;
    this.requests.set(step, { attempts, json: zlib.gzipSync(JSON.stringify(request, null, 2), { level: 1 }) });
  }

  /**
   * The last request sent for a step, exactly as sent (credentials redacted), pretty-printed. A
   * rollout read back from its file has the conversation of older requests elided (the file keeps
   * it once, in the other events).
   */
  requestJson(step: number): { json: string; attempts: number; elided?: { messages: number } } {
    const kept = this.requests.get(step);
    if (kept) {
      const json = zlib.gunzipSync(kept.json).toString('utf8');
      const messages = (JSON.parse(json) as { body?: { messages?: { elided?: unknown; count?: unknown } } }).body?.messages;
      const elided = messages && !Array.isArray(messages) && typeof messages.elided === 'string' ? { messages: typeof messages.count === 'number' ? messages.count : 0 } : undefined;
      return { json, attempts: kept.attempts, ...(elided ? { elided } : {}) };
    }
    throw new Error(`Step ${step} sent no model request (replayed steps of a fork answer from the recording).`);
  }

  /** The observation's full text as the model sees it (after any edit): by step and id, as ids repeat across steps. */
  observationText(step: number, toolCallId: string): string {
    let text: string | undefined;
    for (const e of this.history()) {
      if (e.type === 'observation' && e.step === step && e.toolCallId === toolCallId) text = e.content;
      if (e.type === 'observation_edited' && e.step === step && e.toolCallId === toolCallId) text = e.after;
    }
    if (text === undefined) throw new Error(`No observation ${toolCallId} at step ${step} in this rollout.`);
    return text;
  }

  // ---- streamed deltas ------------------------------------------------------------------------

  private addDelta(step: number, d: Extract<StampedEvent, { type: 'model_delta' }>['delta']): void {
    if (this.delta && this.delta.step !== step) this.flushDelta();
    this.delta ??= { step, content: '', calls: new Map() };
    if ('content' in d) this.delta.content += d.content;
    else {
      const slot = this.delta.calls.get(d.toolCall.index) ?? { arguments: '' };
      if (d.toolCall.name) slot.name = d.toolCall.name;
      if (d.toolCall.arguments) slot.arguments += d.toolCall.arguments;
      this.delta.calls.set(d.toolCall.index, slot);
    }
    this.deltaTimer ??= setTimeout(() => this.flushDelta(), DELTA_BATCH_MS);
  }

  private flushDelta(): void {
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
    const d = this.delta;
    this.delta = undefined;
    if (!d || (!d.content && d.calls.size === 0)) return;
    this.push({
      type: 'delta',
      step: d.step,
      ...(d.content ? { content: d.content } : {}),
      ...(d.calls.size ? { toolCalls: [...d.calls].map(([index, c]) => ({ index, ...c })) } : {}),
    });
  }
}

/** Time between the first and the last event, less the time spent paused. */
function activeMs(events: readonly StampedEvent[]): number {
  const t = (e: StampedEvent | undefined) => (e ? Date.parse(e.time) : NaN);
  let total = t(events.at(-1)) - t(events[0]);
  let pausedAt: number | undefined;
  for (const e of events) {
    if (e.type === 'paused') pausedAt = t(e);
    if (e.type === 'resumed' && pausedAt !== undefined) {
      total -= t(e) - pausedAt;
      pausedAt = undefined;
    }
  }
  if (pausedAt !== undefined) total -= t(events.at(-1)) - pausedAt;
  return Number.isFinite(total) ? Math.max(0, total) : 0;
}
