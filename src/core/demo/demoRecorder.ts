// Over 400 lines on purpose: the recording state a resume rebuilds (steps, notes, pauses, reveals, time) stays in one class.
import { randomBytes } from 'node:crypto';
import { renderCommandObservation } from '../agent/tools/bashSession';
import { OutputWindow } from '../agent/tools/clip';
import { OBSERVATION_PREFIX } from '../agent/tools/toolExecutor';
import { renderOpening, type AgentTemplate } from '../agent/templates/agentTemplate';
import { DEFAULT_TEMPLATE } from '../agent/templates/defaultTemplate';
import type { RewardRecord } from '../agent/events';
import type { RolloutEnvironment } from '../agent/startState';
import type { TaskInstance } from '../dataset/taskInstance';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { shellQuote } from '../util/shellQuote';
import { encodeChanges } from './editEncoder';
import type { DemoEvent, DemoHeader, DemoStepSource, RecordedAction, RevealWhat, StampedDemoEvent } from './demoEvents';
import { DemoLog } from './demoLog';
import { closedDemonstration } from './demoTrajectory';
import type { DemoWorkspace } from './demoWorkspace';
import { sameState, type FileChange, type FileState } from './fileState';
import { plainTerminalText, type TerminalCommand } from './terminalCommand';

export type DemoState = 'recording' | 'paused' | 'finished' | 'discarded';

export interface DemoStartOptions {
  /** The run folder (the same layout as agent rollouts: `<dir>/<instance>_<index>.jsonl|.json`). */
  dir: string;
  runId: string;
  instance: TaskInstance;
  index?: number;
  workspace: DemoWorkspace;
  repoDir?: string;
  /** The prompts and tools the demonstration is written with (default: the agent's default template). */
  template?: AgentTemplate;
  annotator?: string;
  /** The interpreter the replaying shell reports in command observations. */
  python: string;
  environment?: RolloutEnvironment;
  config?: Record<string, unknown>;
}

const HOME = '/root';
const MAX_OUTPUT_CHARS = 30_000;

/**
 * Records a person solving an instance as the agent's own tool calls, step by step into an
 * append-only log (see DemoLog): edits found at saves or by scanning the workspace are encoded
 * against the last recorded state (editEncoder), terminal commands become execute_bash steps with
 * their observation in the released format, and their effects become the recorded state (the
 * command reproduces them in a replay). Test runs, reveals, pauses and notes are logged beside.
 *
 * Calls are serialised: a save and a command ending at once are recorded one after the other.
 */
export class DemoRecorder {
  private readonly known = new Map<string, FileState | undefined>();
  private readonly events: StampedDemoEvent[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private steps = 0;
  private calls = 0;
  private nextCall = 0;
  private pendingNote: string | undefined;
  private activeBefore = 0;
  private since = Date.now();
  private lastActivity = Date.now();
  private readonly idleGaps: { from: string; to: string; ms: number }[] = [];
  private cwd: string;
  private python: string;
  private currentState: DemoState = 'recording';
  /** Stretches without activity longer than this are listed as idle gaps. */
  static readonly IDLE_GAP_MS = 5 * 60_000;

  private constructor(
    private readonly log: DemoLog,
    readonly header: DemoHeader,
    private readonly workspace: DemoWorkspace,
    python: string,
  ) {
    this.cwd = header.repoDir;
    this.python = python;
  }

  static start(o: DemoStartOptions): DemoRecorder {
    const template = o.template ?? DEFAULT_TEMPLATE;
    const repoDir = o.repoDir ?? '/testbed';
    const index = o.index ?? 0;
    const opening = renderOpening(template, o.instance, repoDir);
    const log = DemoLog.create(o.dir, `${safeName(o.instance.instance_id)}_${index}`);
    const header: DemoHeader = {
      demoId: `demo-${randomBytes(5).toString('hex')}`,
      runId: o.runId,
      instanceId: o.instance.instance_id,
      index,
      baseCommit: o.instance.base_commit,
      repoDir,
      ...(o.annotator ? { annotator: o.annotator } : {}),
      template: template.name,
      promptHost: template.promptHost,
      messages: [
        { role: 'system', content: opening.system },
        { role: 'user', content: opening.firstUser },
      ],
      tools: template.tools,
      ...(o.environment ? { environment: o.environment } : {}),
      config: o.config ?? {},
    };
    const r = new DemoRecorder(log, header, o.workspace, o.python);
    r.write({ type: 'demo_started', ...header });
    return r;
  }

  /**
   * Takes up a demonstration a crash or reload interrupted: its steps, recorded state, time and
   * pending note come back from the log (a torn last line is dropped), paused as it was.
   */
  static resume(eventsPath: string, workspace: DemoWorkspace, python: string): DemoRecorder {
    const { log, events, offsets, cut } = DemoLog.reopen(eventsPath);
    const first = events[0];
    if (first?.type !== 'demo_started') {
      log.close();
      throw new Error(`${eventsPath} does not start like a demonstration log.`);
    }
    if (events.some((e) => e.type === 'demo_finished' || e.type === 'demo_discarded')) {
      log.close();
      throw new Error(`The demonstration in ${eventsPath} has ended; it cannot be resumed.`);
    }
    const { type: _t, seq: _s, time: _time, ...header } = first;
    const r = new DemoRecorder(log, header, workspace, python);
    // A step whose stored content is gone (an OS crash before the disk had it) ends the log there.
    let kept = events.length;
    for (let i = 0; i < events.length; i++) {
      if (!r.absorb(events[i] as StampedDemoEvent)) {
        kept = i;
        log.cutAt(offsets[i] as number);
        break;
      }
    }
    r.events.push(...events.slice(0, kept));
    r.since = Date.now();
    r.lastActivity = Date.now();
    const dropped = events.length - kept;
    r.write({ type: 'demo_resumed_after_crash', activeMs: r.activeMs, cutLine: cut, ...(dropped ? { droppedEvents: dropped } : {}) });
    return r;
  }

  get state(): DemoState {
    return this.currentState;
  }

  get eventsPath(): string {
    return this.log.eventsPath;
  }

  get jsonPath(): string {
    return this.log.jsonPath;
  }

  /** Recorded steps (saves, scans, commands) so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** Tool calls recorded so far. */
  get actionCount(): number {
    return this.calls;
  }

  get activeMs(): number {
    return this.activeBefore + (this.currentState === 'recording' ? Date.now() - this.since : 0);
  }

  get history(): readonly StampedDemoEvent[] {
    return this.events;
  }

  /** Activity that is not a step (typing): only closes idle gaps. */
  touch(): void {
    const now = Date.now();
    if (this.currentState === 'recording' && now - this.lastActivity > DemoRecorder.IDLE_GAP_MS) {
      this.idleGaps.push({ from: new Date(this.lastActivity).toISOString(), to: new Date(now).toISOString(), ms: now - this.lastActivity });
    }
    this.lastActivity = now;
  }

  /** The note becomes the assistant text before the next step's first tool call. */
  setNote(text: string): void {
    this.requireOpen();
    const t = text.trim();
    if (!t && !this.pendingNote) return;
    this.pendingNote = t || undefined;
    this.write({ type: 'demo_note', text: t });
  }

  /** Gives a recorded step its note (the assistant text before its first tool call), or changes it; '' removes it. */
  setStepNote(step: number, text: string): void {
    this.requireOpen();
    if (!Number.isSafeInteger(step) || step < 1 || step > this.steps) throw new Error(`There is no recorded step ${step} (${this.steps} so far).`);
    this.write({ type: 'demo_step_note', step, text: text.trim() });
  }

  get note(): string | undefined {
    return this.pendingNote;
  }

  pause(): void {
    if (this.currentState !== 'recording') return;
    this.activeBefore = this.activeMs;
    this.currentState = 'paused';
    this.write({ type: 'demo_paused', activeMs: this.activeBefore });
  }

  resume(): void {
    if (this.currentState !== 'paused') return;
    this.currentState = 'recording';
    this.since = Date.now();
    this.lastActivity = Date.now();
    this.write({ type: 'demo_resumed', activeMs: this.activeBefore });
  }

  recordTestRun(run: { status: string; resolved: boolean | null; runId?: string; counts?: Record<string, number> }): void {
    this.requireOpen();
    this.write({ type: 'demo_test_run', activeMs: this.activeMs, ...run });
  }

  recordReveal(what: RevealWhat, options: { at?: string; beforeStart?: boolean } = {}): void {
    this.requireOpen();
    if (this.events.some((e) => e.type === 'demo_reveal' && e.what === what)) return;
    this.write({ type: 'demo_reveal', what, activeMs: options.beforeStart ? 0 : this.activeMs, ...options });
  }

  get revealed(): RevealWhat[] {
    return this.events.flatMap((e) => (e.type === 'demo_reveal' ? [e.what] : []));
  }

  /** Records what changed in these paths since the last recorded state (a save). Resolves with the tool calls added. */
  recordPaths(paths: readonly string[], source: DemoStepSource = 'save'): Promise<number> {
    return this.serial(async () => {
      if (this.currentState !== 'recording') return 0;
      const changes = await this.changesIn(paths);
      return this.commitEdits(changes, source);
    });
  }

  /** Compares the whole workspace with the last recorded state and records the differences (terminals, git, formatters). */
  scan(source: DemoStepSource = 'scan'): Promise<number> {
    return this.serial(async () => {
      if (this.currentState !== 'recording') return 0;
      const changes = await this.changesIn(await this.candidatePaths());
      return this.commitEdits(changes, source);
    });
  }

  /**
   * A command typed in the instance's terminal: an execute_bash step whose observation is what the
   * replaying shell will print; what it changed in the workspace becomes the recorded state.
   * Edits made before it should have been recorded first (scan when the command is entered).
   */
  recordCommand(c: TerminalCommand): Promise<void> {
    return this.serial(async () => {
      if (this.currentState !== 'recording') return;
      if (c.python) this.python = c.python;
      const actions: RecordedAction[] = [];
      if (c.cwdBefore !== this.cwd) {
        const cd = `cd ${shellQuote(c.cwdBefore)}`;
        actions.push(this.action('execute_bash', { command: cd }, OBSERVATION_PREFIX + this.bashObservation(cd, '', 0, c.cwdBefore), 0));
      }
      const window = new OutputWindow(MAX_OUTPUT_CHARS / 2, MAX_OUTPUT_CHARS / 2);
      // A lone carriage return first is the terminal leaving bracketed-paste mode, not output.
      window.push(plainTerminalText(c.output).replace(/^\r(?!\n)/, ''));
      const output = window.text().text;
      actions.push(this.action('execute_bash', { command: c.command }, OBSERVATION_PREFIX + this.bashObservation(c.command, output, c.exitCode, c.cwdAfter), c.exitCode));
      const changes = await this.changesIn(await this.candidatePaths());
      this.cwd = c.cwdAfter;
      await this.commit('terminal', actions, changes);
    });
  }

  /**
   * Closes the demonstration into the trajectory file a rollout writes: the caller has taken the
   * final patch (as rollouts take it) and graded it in a fresh container.
   */
  finish(final: { patch: string | null; patchError?: string; reward: RewardRecord | null }): Promise<ClosedTrajectory> {
    return this.serial(async () => {
      this.requireOpen();
      const activeMs = this.activeMs;
      this.activeBefore = activeMs;
      this.currentState = 'finished';
      this.write({ type: 'demo_patch', patch: final.patch, ...(final.patchError ? { error: final.patchError } : {}) });
      if (final.reward) this.write({ type: 'demo_reward', reward: final.reward });
      this.write({ type: 'demo_finished', activeMs, steps: this.steps });
      const closed = closedDemonstration(this.events, { idleGaps: this.idleGaps, eventsFile: this.log.eventsPath.split('/').pop() ?? '' });
      this.log.close(closed);
      return closed;
    });
  }

  /** Drops the demonstration: its log and stored contents are deleted. */
  discard(): Promise<void> {
    return this.serial(async () => {
      if (this.currentState === 'finished' || this.currentState === 'discarded') return;
      this.currentState = 'discarded';
      this.log.remove();
    });
  }

  /** Closes the log without ending the demonstration (the window goes away; it can be resumed). */
  detach(): void {
    this.log.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private requireOpen(): void {
    if (this.currentState === 'finished' || this.currentState === 'discarded') throw new Error(`The demonstration has been ${this.currentState}.`);
  }

  private async candidatePaths(): Promise<string[]> {
    return [...new Set([...(await this.workspace.changedFromBase()), ...this.known.keys()])];
  }

  private async changesIn(paths: readonly string[]): Promise<FileChange[]> {
    const changes: FileChange[] = [];
    for (const path of new Set(paths)) {
      const after = await this.workspace.current(path);
      const before = this.known.has(path) ? this.known.get(path) : await this.workspace.base(path);
      if (!sameState(before, after)) changes.push({ path, before, after });
    }
    return changes;
  }

  private async commitEdits(changes: FileChange[], source: DemoStepSource): Promise<number> {
    if (!changes.length) return 0;
    const encoded = await encodeChanges(changes, { repoDir: this.header.repoDir, quietCommandObservation: (c) => this.bashObservation(c, '', 0, this.cwd) });
    const actions = encoded.map((a) => this.action(a.name, a.args, OBSERVATION_PREFIX + a.observation, a.name === 'execute_bash' ? 0 : undefined));
    await this.commit(source, actions, changes);
    return actions.length;
  }

  private async commit(source: DemoStepSource, actions: RecordedAction[], changes: FileChange[]): Promise<void> {
    const files = Object.fromEntries(changes.map((c) => [c.path, this.log.putState(c.after)]));
    const note = this.pendingNote;
    this.touch();
    const stamped = this.log.appendUnsynced({ type: 'demo_step', step: this.steps + 1, source, ...(note ? { note } : {}), actions, files, activeMs: this.activeMs, cwd: this.cwd });
    this.events.push(stamped);
    this.calls += actions.length;
    // Only once the step is on disk does it count; the editor's event loop is free meanwhile.
    await this.log.sync();
    this.steps++;
    if (this.pendingNote === note) this.pendingNote = undefined;
    for (const c of changes) this.known.set(c.path, c.after);
  }

  private action(name: string, args: Record<string, unknown>, observation: string, exitCode?: number): RecordedAction {
    return { id: `call_${this.header.demoId.slice(5)}_${++this.nextCall}`, name, arguments: JSON.stringify(args), observation, ...(exitCode !== undefined ? { exitCode } : {}) };
  }

  private bashObservation(command: string, output: string, exitCode: number, cwd: string): string {
    const display = cwd === HOME ? '~' : cwd.startsWith(`${HOME}/`) ? `~${cwd.slice(HOME.length)}` : cwd;
    return renderCommandObservation(command.replace(/[\r\n]+$/, ''), output, { exitCode, python: this.python, user: 'root', cwdDisplay: display }, exitCode, this.header.promptHost);
  }

  private write(event: DemoEvent): void {
    const stamped = this.log.append(event);
    this.events.push(stamped);
  }

  /** Takes an event of a log being resumed into the in-memory state; false when a step's stored content cannot be read. */
  private absorb(e: StampedDemoEvent): boolean {
    let states: [string, FileState | undefined][] = [];
    if (e.type === 'demo_step') {
      try {
        states = Object.entries(e.files).map(([p, ref]) => [p, this.log.getState(ref)]);
      } catch {
        return false;
      }
    }
    if ('activeMs' in e && typeof e.activeMs === 'number') this.activeBefore = e.activeMs;
    switch (e.type) {
      case 'demo_step':
        this.steps = Math.max(this.steps, e.step);
        this.calls += e.actions.length;
        this.nextCall = this.calls;
        this.cwd = e.cwd;
        for (const [p, state] of states) this.known.set(p, state);
        if (e.note) this.pendingNote = undefined;
        break;
      case 'demo_note':
        this.pendingNote = e.text || undefined;
        break;
      case 'demo_paused':
        this.currentState = 'paused';
        break;
      case 'demo_resumed':
        this.currentState = 'recording';
        break;
      default:
        break;
    }
    return true;
  }
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
