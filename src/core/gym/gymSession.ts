import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { AgentRollout, safeName, type RewardSettings, type RolloutResult, type ToolSettings } from '../agent/agentRollout';
import type { ChatMessage, ToolSchema } from '../agent/chatTypes';
import type { StampedEvent } from '../agent/events';
import { renderOpening } from '../agent/templates/agentTemplate';
import { DEFAULT_TEMPLATE } from '../agent/templates/defaultTemplate';
import { evaluateInstance } from '../harness/evaluateInstance';
import { writeInstanceFiles } from '../harness/reportFiles';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import type { InstanceSpec } from '../spec/instanceSpec';
import { loadClosedTrajectory } from '../trajectory/readTrajectory';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { evalJsonEntry, type EvalJsonEntry } from './evalJson';
import { ExternalModel } from './externalModel';
import { GymError } from './gymErrors';

/** The tool sets a session can offer; "swe-gym" is SWE-Gym's three tools as our agent runs them. */
export const GYM_TOOL_SETS = ['swe-gym'] as const;
export type GymToolSet = (typeof GYM_TOOL_SETS)[number];

/** The model name recorded when the client names none. */
export const EXTERNAL_MODEL = 'external';

/** Tokens the client's own model spent on a step, when it reports them (the run table sums them). */
export interface StepUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface GymSessionOptions {
  runtime: ContainerRuntime;
  /** The instance, made once: image, reward script and rules. */
  spec: InstanceSpec;
  dataset: string;
  /** Where the trajectory is written (the server's run folder). */
  trajectoryDir: string;
  runId: string;
  /** n-th session on this instance in the run (file name and exported id). */
  index: number;
  /** Container label: the server's session, so its containers are found and removed together. */
  containerSession: string;
  /** The name trajectories record as the model (the client may name its own). */
  modelName?: string;
  /** Who drives it, for live views: the name the client gave, else its User-Agent or MCP client name. */
  client?: string;
  tools?: ToolSettings;
  reward?: RewardSettings;
  /** Steps before the session ends itself (the rollout's step budget). */
  maxSteps: number;
  signal?: AbortSignal;
  /** A client's request started or ended (live views show a step waiting while paused). */
  onActivity?: () => void;
  /** The session could not start (its rollout has ended with the reason): the run table keeps it as an error of the run. */
  onStartFailed?: (session: GymSession) => void;
  /** The client's evaluate was graded (the run table takes the reward from here). */
  onEvaluated?: (entry: EvalJsonEntry) => void;
}

export interface StepResult {
  observation: string;
  exit_code?: number;
  done: boolean;
  /** The tool refused the call (unknown tool, bad arguments): the observation says why. */
  error?: boolean;
}

export type GymSessionState = 'starting' | 'ready' | 'stepping' | 'paused' | 'evaluating' | 'ended';

export interface GymSessionInfo {
  session_id: string;
  dataset: string;
  instance_id: string;
  state: GymSessionState;
  /** Who drives it (the client's own name, User-Agent or MCP client name) and the model it named. */
  client: string;
  model: string;
  steps: number;
  /** The client's step is waiting for a person to let it through (paused in a live view). */
  step_waiting: boolean;
  created_at: string;
  last_activity_at: string;
  resolved: boolean | null;
  ended_reason?: string;
}

/**
 * One instance driven from outside: an agent rollout whose model is the client. Everything a
 * rollout has comes with it: a fresh solver container (history cut at the base commit, no
 * network), our tools with their exact observations, the trajectory written as it goes, pausing
 * from a live view (the client's step waits), and the reward by the hidden tests in another
 * fresh container.
 */
export class GymSession {
  readonly id = `gs-${randomBytes(8).toString('hex')}`;
  readonly rollout: AgentRollout;
  readonly createdAt = Date.now();
  readonly task: { system: string; task: string };
  readonly tools: ToolSchema[];
  private lastActivity = Date.now();
  private readonly model: ExternalModel;
  private readonly run: Promise<RolloutResult>;
  private result: RolloutResult | undefined;
  private busy: 'step' | 'evaluate' | undefined;
  private calls = 0;
  private evaluation: Promise<EvalJsonEntry> | undefined;
  private endedReason: string | undefined;
  /** A person holds the session from a live view: no step runs until resumed or stepped. */
  private held = false;
  /** Steps whose action ran (the loop's own counter includes the step waiting for the client). */
  private stepsDone = 0;

  private constructor(private readonly o: GymSessionOptions) {
    this.model = new ExternalModel(o.modelName ?? EXTERNAL_MODEL);
    const opening = renderOpening(DEFAULT_TEMPLATE, o.spec.row, '/testbed');
    this.task = { system: opening.system, task: opening.firstUser };
    this.tools = DEFAULT_TEMPLATE.tools;
    this.rollout = new AgentRollout({
      runtime: o.runtime,
      spec: o.spec,
      model: this.model,
      template: DEFAULT_TEMPLATE,
      trajectoryDir: o.trajectoryDir,
      runId: o.runId,
      index: o.index,
      sessionId: o.containerSession,
      tools: o.tools,
      budgets: { maxSteps: o.maxSteps },
      reward: o.reward ?? {},
      signal: o.signal,
      config: { driver: 'gym-server', dataset: o.dataset, tools: 'swe-gym', model: o.modelName ?? EXTERNAL_MODEL },
    });
    this.rollout.events.subscribe((e) => {
      if (e.type === 'step_finished') this.stepsDone = e.step;
    });
    this.run = this.rollout.run().then((r) => (this.result = r));
  }

  /** Starts the container and the tools; resolves when the first step can run. */
  static async start(o: GymSessionOptions): Promise<GymSession> {
    const s = new GymSession(o);
    const started = new Promise<void>((resolve) => {
      const off = s.rollout.events.subscribe((e) => {
        if (e.type === 'rollout_started') {
          resolve();
          queueMicrotask(() => off());
        }
      });
    });
    const ended = await Promise.race([started.then(() => false), s.run.then(() => true)]);
    if (ended && s.result?.exitReason !== 'cancelled') o.onStartFailed?.(s);
    if (ended) throw new GymError(s.result?.exitReason === 'cancelled' ? 499 : 500, `The session could not start on ${o.spec.instanceId}: ${s.result?.message ?? 'the rollout ended before its first step'}`);
    s.touch(); // idle from when the client has it, not from when it was asked for
    return s;
  }

  get info(): GymSessionInfo {
    return {
      session_id: this.id,
      dataset: this.o.dataset,
      instance_id: this.o.spec.instanceId,
      state: this.state,
      client: this.o.client ?? 'unknown',
      model: this.model.modelName,
      steps: this.stepsDone,
      step_waiting: this.busy === 'step' && this.state === 'paused',
      created_at: new Date(this.createdAt).toISOString(),
      last_activity_at: new Date(this.lastActivity).toISOString(),
      resolved: this.result?.resolved ?? null,
      ...(this.endedReason ? { ended_reason: this.endedReason } : {}),
    };
  }

  get state(): GymSessionState {
    if (this.result) return 'ended';
    if (this.rollout.status.state === 'paused' || this.held) return 'paused';
    if (this.busy === 'step') return 'stepping';
    if (this.busy === 'evaluate') return 'evaluating';
    return this.rollout.status.state === 'created' ? 'starting' : 'ready';
  }

  get ended(): boolean {
    return this.result !== undefined;
  }

  /**
   * A person's control from a live view. pause: the client's next step (or the one running, after
   * its command) waits; step: lets one step through, then holds again; resume: steps run freely.
   */
  control(action: 'pause' | 'step' | 'resume'): void {
    if (this.result) throw new GymError(409, 'The session has ended.');
    if (action === 'pause') {
      this.held = true;
      this.rollout.pause();
    } else if (action === 'step') {
      this.held = true;
      this.rollout.stepOnce();
    } else {
      this.held = false;
      this.rollout.resume();
    }
  }

  /** Idle: no request running and none for this long. */
  idleMs(now = Date.now()): number {
    return this.busy ? 0 : now - this.lastActivity;
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Runs one tool call; waits while a person has the session paused in a live view. */
  async step(name: string, args: unknown, thought?: string, usage?: StepUsage): Promise<StepResult> {
    this.assertOpen('step');
    if (typeof name !== 'string' || !name) throw new GymError(400, 'A step needs `name`: the tool to call (see `tools` in the session).');
    const argumentsText = args === undefined || args === null ? '{}' : typeof args === 'string' ? args : JSON.stringify(args);
    const id = `call_${++this.calls}`;
    this.busy = 'step';
    this.touch();
    this.o.onActivity?.();
    try {
      const outcome = await new Promise<StampedEvent>((resolve) => {
        const off = this.rollout.events.subscribe(
          (e) => {
            if ((e.type === 'observation' && e.toolCallId === id) || e.type === 'finished') {
              off();
              resolve(e);
            }
          },
          { replay: false },
        );
        this.model.send({ call: { id, type: 'function', function: { name, arguments: argumentsText } }, thought, ...(usage ? { usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } } : {}) });
      });
      if (outcome.type !== 'observation') throw new GymError(409, `The session ended before the step ran: ${outcome.type === 'finished' ? outcome.message : ''}`);
      const done = name === 'finish' && !outcome.error;
      return { observation: outcome.content, ...(outcome.exitCode !== undefined ? { exit_code: outcome.exitCode } : {}), done, ...(outcome.error ? { error: true } : {}) };
    } finally {
      this.busy = undefined;
      this.touch();
    }
  }

  /**
   * Grades the workspace with the hidden tests (as `swe-gym eval` does): the session ends, its
   * patch is taken and run in a fresh container. Asking again gives the same answer.
   */
  async evaluate(): Promise<EvalJsonEntry> {
    if (this.busy === 'step') throw new GymError(409, 'A step is still running in this session; evaluate after it returns.');
    if (this.endedReason) throw new GymError(409, `The session was ${this.endedReason} and has nothing to evaluate.`);
    this.evaluation ??= this.runEvaluation();
    return await this.evaluation;
  }

  private async runEvaluation(): Promise<EvalJsonEntry> {
    this.busy = 'evaluate';
    this.touch();
    try {
      this.rollout.stop();
      const r = await this.run;
      let ev = r.evaluation;
      if (!ev && r.runError) {
        // No step was taken: the workspace is the base commit, graded as the empty patch is.
        ev = await evaluateInstance(this.o.runtime, this.o.spec, '', {
          runId: this.o.runId,
          modelName: this.model.modelName,
          sessionId: this.o.containerSession,
          ...(this.o.reward ?? {}),
        });
      }
      if (!ev) throw new GymError(500, `The session could not be evaluated: ${r.message ?? r.exitReason}`);
      // As `swe-gym eval` does: the harness's files (report.json, test_output.txt, patch.diff, eval.sh)
      // in output_dir, here beside the session's trajectory.
      const dir = path.join(this.o.trajectoryDir, `${safeName(this.o.spec.instanceId)}_${this.o.index}.eval`);
      ev.outputDir ??= await writeInstanceFiles(dir, ev, []);
      const entry = evalJsonEntry(ev);
      this.o.onEvaluated?.(entry);
      return entry;
    } finally {
      this.busy = undefined;
      this.touch();
    }
  }

  /** The trajectory in our format: the closed file once the session ended, the conversation so far before. */
  async trajectory(): Promise<ClosedTrajectory | LiveTrajectory> {
    this.touch();
    if (this.result?.trajectoryPath) return loadClosedTrajectory(this.result.trajectoryPath);
    return {
      live: true,
      session_id: this.id,
      run_id: this.o.runId,
      instance_id: this.o.spec.instanceId,
      index: this.o.index,
      steps: this.rollout.status.step,
      messages: [...this.rollout.conversation],
      tools: this.tools,
      events_file: this.rollout.eventsPath ?? null,
    };
  }

  /** Ends the session at once: its container is removed, nothing is graded. */
  async close(reason: string): Promise<void> {
    if (!this.result) this.endedReason ??= reason;
    this.rollout.cancel();
    await this.run.catch(() => undefined);
  }

  /** Resolves when the session has ended (its containers removed). */
  whenEnded(): Promise<RolloutResult> {
    return this.run;
  }

  private assertOpen(what: string): void {
    if (this.result || this.endedReason) throw new GymError(409, `The session has ended (${this.endedReason ?? this.result?.exitReason}); no ${what} is possible. Start a new session.`);
    if (this.busy === 'step') throw new GymError(409, 'A step is already running in this session; send the next one after it returns.');
    if (this.busy === 'evaluate') throw new GymError(409, 'The session is being evaluated.');
  }
}

/** A trajectory still being written: what has happened so far. */
export interface LiveTrajectory {
  live: true;
  session_id: string;
  run_id: string;
  instance_id: string;
  index: number;
  steps: number;
  messages: ChatMessage[];
  tools: ToolSchema[];
  events_file: string | null;
}
