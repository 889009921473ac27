import type { ToolCall } from '../chatTypes';
import type { PausePoint } from '../events';
import { EndRollout } from './endRollout';

export type ReleaseMode = 'run' | 'step';

/** How the next action may be changed while paused before it: its tool name and/or its arguments. */
export interface ActionEdit {
  name?: string;
  arguments?: string | Record<string, unknown>;
}

/**
 * The controls of a running loop in one place: pause, step once, resume, edit the next action,
 * the time spent paused (the person's, never the agent's), and the one cancellation model.
 *
 * Cancellation: `stop()` and the budgets interrupt (the running request or command is aborted
 * through `work`, the loop ends with that reason, the patch is still taken and rewarded);
 * `cancel()` also fires `cancelSignal` (container start, patch and reward are abandoned). The
 * first interruption names the exit; later ones only abort work.
 */
export class PauseGate {
  /** Aborted on any interruption: the model call or command in flight. */
  private readonly work = new AbortController();
  /** Aborted on cancel only: setting up, taking the patch and the reward. */
  private readonly cancelCtl = new AbortController();
  private pauseRequested: boolean;
  private stepMode = false;
  private waiting: { point: PausePoint; release: (mode: ReleaseMode) => void } | undefined;
  private pending: ToolCall | undefined;
  private interruption: EndRollout | undefined;
  private cancelledFlag = false;
  private closed = false;
  private paused = 0;

  constructor(startPaused = false) {
    this.pauseRequested = startPaused;
  }

  get workSignal(): AbortSignal {
    return this.work.signal;
  }

  get cancelSignal(): AbortSignal {
    return this.cancelCtl.signal;
  }

  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  get interruptedBy(): EndRollout | undefined {
    return this.interruption;
  }

  /** Where the loop waits now, if paused. */
  get pausedAt(): PausePoint | undefined {
    return this.waiting?.point;
  }

  /** Milliseconds spent paused so far (closed pauses only). */
  get pausedMs(): number {
    return this.paused;
  }

  /** The action about to run (set by the loop before its checkpoint), shown and editable while paused before it. */
  get pendingAction(): ToolCall | undefined {
    return this.pending;
  }

  set pendingAction(call: ToolCall | undefined) {
    this.pending = call;
  }

  /** Pauses at the next point: before the next model request or before the next action runs. */
  pause(): void {
    if (!this.closed) this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.stepMode = false;
    this.waiting?.release('run');
  }

  /** Runs until the next model request, then pauses again. */
  stepOnce(): void {
    this.stepMode = true;
    this.pauseRequested = false;
    this.waiting?.release('step');
  }

  /** Ends the loop gracefully: the running request or command is interrupted. */
  stop(): void {
    this.interrupt(new EndRollout('stopped', 'Stopped by the user.'));
  }

  /** Abandons the rollout: the loop ends and `cancelSignal` fires; `why` is the rollout's closing message. */
  cancel(why = 'Cancelled.'): void {
    if (this.cancelledFlag) return;
    this.cancelledFlag = true;
    this.interrupt(new EndRollout('cancelled', why));
    this.cancelCtl.abort();
  }

  /** Ends the loop with `reason` (the first interruption wins); ignored once the rollout has ended. */
  interrupt(reason: EndRollout): void {
    if (this.closed) return;
    this.interruption ??= reason;
    this.work.abort();
    this.waiting?.release('run');
  }

  /** The rollout has ended: no pause or interruption is taken any more. */
  close(): void {
    this.closed = true;
  }

  throwIfInterrupted(): void {
    if (this.interruption) throw this.interruption;
  }

  /** Whether the loop should stop at `point` now; consumes the pause or step request when it does. */
  takePause(point: PausePoint): boolean {
    this.throwIfInterrupted();
    const pause = this.pauseRequested || (point === 'before_model' && this.stepMode);
    if (!pause) return false;
    this.pauseRequested = false;
    this.stepMode = false;
    return true;
  }

  /**
   * Waits at `point` until resumed, stepped or interrupted; the time waited is added to `pausedMs`.
   * `announce` runs once the gate is set, so a listener hearing of the pause may release it at once.
   */
  async wait(point: PausePoint, announce: () => void): Promise<ReleaseMode> {
    const pausedAt = Date.now();
    let release!: (mode: ReleaseMode) => void;
    const released = new Promise<ReleaseMode>((resolve) => (release = resolve));
    this.waiting = { point, release };
    announce();
    if (this.work.signal.aborted) release('run');
    const mode = await released;
    this.waiting = undefined;
    this.paused += Date.now() - pausedAt;
    if (mode === 'step') this.stepMode = true;
    this.throwIfInterrupted();
    return mode;
  }

  /** While paused before an action: the pending call with `edit` applied (it becomes the pending call). */
  editPendingAction(edit: ActionEdit): { before: ToolCall; after: ToolCall } {
    if (this.waiting?.point !== 'before_action' || !this.pending) throw new Error('The next action can only be edited while the rollout is paused before it runs.');
    const before = this.pending;
    const after: ToolCall = {
      ...before,
      function: {
        name: edit.name ?? before.function.name,
        arguments: edit.arguments === undefined ? before.function.arguments : typeof edit.arguments === 'string' ? edit.arguments : JSON.stringify(edit.arguments),
      },
    };
    this.pending = after;
    return { before, after };
  }

  /** A signal for one request: aborted with the work, but its own (HTTP clients may leave listeners on it). */
  callSignal(): { signal: AbortSignal; done: () => void } {
    const call = new AbortController();
    const onAbort = () => call.abort();
    this.work.signal.addEventListener('abort', onAbort, { once: true });
    if (this.work.signal.aborted) call.abort();
    return { signal: call.signal, done: () => this.work.signal.removeEventListener('abort', onAbort) };
  }
}
