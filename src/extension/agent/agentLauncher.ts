import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { AgentRollout, type RolloutOptions } from '../../core/agent/agentRollout';
import type { Budgets } from '../../core/agent/budget';
import type { StampedEvent } from '../../core/agent/events';
import { OpenAIChatProvider } from '../../core/agent/model/openaiProvider';
import { forkRollout } from '../../core/agent/replay';
import type { AgentTemplate } from '../../core/agent/templates/agentTemplate';
import { DEFAULT_TEMPLATE, withPythonTools } from '../../core/agent/templates/defaultTemplate';
import { isPythonTool, type PythonToolsSettings } from '../../core/agent/tools/pythonTools';
import { ensureServerInContainer } from '../../core/languageServer/serverUpload';
import { newRunId } from '../../core/harness/runId';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { loadClosedTrajectory } from '../../core/trajectory/readTrajectory';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { InstanceActions } from '../actions';
import type { Settings } from '../config';
import type { InstanceRef, DatasetStore } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import { WindowReloadingError } from '../devContainers/reloadResume';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { StateStore } from '../state/stateStore';
import type { AgentSession } from './agentSession';
import { EXTENSION_HINTS, OPENAI_BASE_URL, readAgentConfig, recordedConfig, trajectoryRoot, type AgentRunConfig } from './agentSettings';
import type { ApiKeys } from './apiKeys';
import type { AgentRunStore } from './runStore';

const PENDING_KEY = 'sweGym.agentPendingStarts.v1';

export interface AgentLauncherDeps {
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  actions: InstanceActions;
  state: StateStore;
  runtimes: RuntimeProvider;
  settings: Settings;
  keys: ApiKeys;
  memento: vscode.Memento;
  globalStorage: vscode.Uri;
  sessionId: string;
  runs: AgentRunStore;
  /** Whether the instance's agent view is open (remembered with a start the launch's reload cuts off). */
  isViewOpen: (instanceId: string) => boolean;
  /** The server behind the python_* tools for a container of that image (sweGym.agent.pythonTools). */
  pythonTools?: (image: string | undefined) => Promise<PythonToolsSettings>;
}

/** What a rollout built by another feature gets from the launcher (built). */
export type BuiltRolloutOptions = Omit<RolloutOptions, 'runtime' | 'spec' | 'model' | 'template' | 'opening'> & { model: OpenAIChatProvider };

/** A rollout made and ready to run, and where. */
export interface LaunchedRollout {
  rollout: AgentRollout;
  ref: InstanceRef;
  config: AgentRunConfig;
  where: 'dev' | 'own';
  container?: ContainerHandle;
  workspaceDir?: string;
  forkOf?: { rolloutId: string; step: number };
}

/** An agent start waiting for the window reload its launch caused. */
export interface PendingStart {
  config: AgentRunConfig;
  source: string;
  /** The agent view was open when the window reloaded (VS Code brings it back). */
  viewOpen?: boolean;
}

/**
 * Makes rollouts from the settings, the API key and the instance: in the dev container (launched
 * first when needed, which may reload the window: the start is remembered and resumed), or as a
 * fork in a container of its own.
 */
export class AgentLauncher {
  constructor(private readonly d: AgentLauncherDeps) {}

  /** A rollout in the instance's dev container, launching it first if needed. */
  async inDevContainer(ref: InstanceRef, config: AgentRunConfig): Promise<LaunchedRollout> {
    const id = ref.instance.instance_id;
    const key = await this.d.keys.get(config.baseUrl);
    if (!this.d.devContainers.isRunning(id)) {
      await this.setPending(id, { config, source: ref.entry.source, viewOpen: this.d.isViewOpen(id) });
      let reloading = false;
      try {
        reloading = (await this.d.actions.launch(ref)).reloading;
      } finally {
        // When the launch reloads the window, the pending start is what the next activation resumes.
        if (!reloading) await this.setPending(id, undefined);
      }
      if (reloading) throw new WindowReloadingError(id);
    }
    const problem = this.d.devContainers.checkHealth(id);
    if (problem) throw new Error(problem);
    const record = this.d.state.get(id).session;
    if (!record || !this.d.devContainers.isRunning(id)) throw new Error(`${id} has no running dev container.`);
    const container = this.d.runtimes.get().getContainer(record.containerId);
    const runId = newRunId('agent');
    const python = config.pythonTools ? await this.pythonTools(id, record.image, container) : {};
    const rollout = new AgentRollout({ ...(await this.common(ref, config, runId, this.provider(config, key))), ...python, container, startPaused: config.startPaused });
    return { rollout, ref, config, where: 'dev', container, workspaceDir: record.workspaceDir };
  }

  /** A new rollout in a fresh container that replays steps 1..step of another, then lets the model go on; it pauses there. */
  async fork(src: AgentSession, step: number): Promise<LaunchedRollout> {
    const rolloutId = src.rolloutId;
    const ref = this.d.datasets.find(src.instanceId);
    if (!ref) throw new Error(`${src.instanceId} is not in the open datasets.`);
    const source = await this.closedSource(src);
    const turns = source.messages.filter((m) => m.role === 'assistant').length;
    if (step < 0 || step > turns) throw new Error(`Step ${step} is outside the rollout (0..${turns}).`);
    const config = src.init.config ?? readAgentConfig();
    if (!config.model) throw new Error('No model is set for the fork to go on with (sweGym.agent.model).');
    const key = await this.d.keys.get(config.baseUrl);
    const runId = newRunId('agent-fork');
    const forkOf = { rolloutId, step };
    const common = await this.common(ref, config, runId, this.provider(config, key));
    // A source that offered the python tools is forked with them (its tools are the fork's).
    const python = source.tools.some((t) => isPythonTool(t.function.name)) ? { languageServer: (await this.pythonTools(ref.instance.instance_id, common.spec.image.name)).languageServer } : {};
    // The source's events carry what a person did in it (hand edits, notes, edited observations).
    const rollout = forkRollout(source, step, { ...common, ...python, startPaused: step === 0, config: { ...common.config, fork_of: forkOf } }, src.history());
    if (step > 0) {
      const unsubscribe = rollout.events.subscribe(
        (e) => {
          if (e.type === 'step_finished' && e.step === step) {
            unsubscribe();
            rollout.pause();
          }
        },
        { replay: false },
      );
    }
    return { rollout, ref, config, where: 'own', forkOf };
  }

  /**
   * A rollout another feature builds from the launcher's options (Continue from Step). `dev`: it
   * runs in the instance's dev container (which must be running), handed to the builder. With
   * `pythonTools` (the run it goes on from offered them: a fork carries its source's tools the
   * same way) the python_* calls, replayed or new, are answered by the server.
   */
  async built(ref: InstanceRef, config: AgentRunConfig, where: 'dev' | 'own', forkOf: { rolloutId: string; step: number }, build: (options: BuiltRolloutOptions) => AgentRollout, opts: { pythonTools?: boolean } = {}): Promise<LaunchedRollout> {
    const id = ref.instance.instance_id;
    let dev: { container: ContainerHandle; workspaceDir: string; image: string } | undefined;
    if (where === 'dev') {
      const record = this.d.state.get(id).session;
      if (!record || !this.d.devContainers.isRunning(id)) throw new Error(`${id} has no running dev container: launch it first.`);
      dev = { container: this.d.runtimes.get().getContainer(record.containerId), workspaceDir: record.workspaceDir, image: record.image };
    }
    const key = config.model ? await this.d.keys.get(config.baseUrl) : undefined;
    const { model, runtime: _r, spec, ...common } = await this.common(ref, config, newRunId(where === 'dev' ? 'continue-by-hand' : 'continue'), this.provider(config, key));
    const python = opts.pythonTools ? { languageServer: (await this.pythonTools(id, dev ? dev.image : spec.image.name, dev?.container)).languageServer } : {};
    const rollout = build({ ...common, ...python, model, ...(dev ? { container: dev.container } : {}), config: { ...common.config, fork_of: forkOf } });
    return { rollout, ref, config, where, ...(dev ? { container: dev.container, workspaceDir: dev.workspaceDir } : {}), forkOf };
  }

  /**
   * Our template with the python_* tools, and their server for a container of `image`; a given
   * (dev) container must have been launched with the server mounted.
   */
  private async pythonTools(id: string, image: string | undefined, container?: ContainerHandle): Promise<{ template: AgentTemplate; languageServer: PythonToolsSettings }> {
    if (!this.d.pythonTools) throw new Error('The Python tools are not available in this window.');
    const languageServer = await this.d.pythonTools(image);
    // On a remote engine the server is copied in, as the editor's server is.
    if (container && (await ensureServerInContainer(container, languageServer.artifacts, { copy: this.d.runtimes.get().remote === true })) === 'missing') {
      throw new Error(`${id}'s dev container was launched without the Python language server (sweGym.languageServer.enabled was off): stop it and launch it again to give the agent its python tools, or turn sweGym.agent.pythonTools off.`);
    }
    return { template: withPythonTools(DEFAULT_TEMPLATE), languageServer };
  }

  /** Starts cut off by a reload (the launch before them turned the window into a workspace); taken once. */
  async takePendingStarts(): Promise<Record<string, PendingStart>> {
    const pending = this.d.memento.get<Record<string, PendingStart>>(PENDING_KEY) ?? {};
    await this.d.memento.update(PENDING_KEY, undefined);
    return pending;
  }

  private async common(ref: InstanceRef, config: AgentRunConfig, runId: string, model: OpenAIChatProvider) {
    const s = this.d.settings;
    const budgets: Budgets = { maxSteps: config.maxSteps };
    if (config.maxCostUsd !== undefined) budgets.maxCostUsd = config.maxCostUsd;
    if (config.maxMinutes !== undefined) budgets.maxWallMs = config.maxMinutes * 60_000;
    return {
      runtime: this.d.runtimes.get(),
      spec: specFor(ref, s),
      model,
      budgets,
      prices: config.prices,
      ...(config.contextWindowTokens ? { contextWindowTokens: config.contextWindowTokens } : {}),
      trajectoryDir: path.join(trajectoryRoot(this.d.globalStorage), runId),
      runId,
      // Reserved in the shared table: a rollout another window starts at the same moment gets another.
      index: await this.d.runs.reserveIndex(ref.instance.instance_id),
      reward: config.reward ? { timeoutSeconds: s.timeoutSeconds } : (false as const),
      sessionId: this.d.sessionId,
      workspaceDiffEachStep: true,
      detectHumanEdits: true,
      config: recordedConfig(config),
    } satisfies Partial<RolloutOptions>;
  }

  private provider(config: AgentRunConfig, key: string | undefined): OpenAIChatProvider {
    return new OpenAIChatProvider({
      model: config.model,
      baseURL: config.baseUrl || OPENAI_BASE_URL,
      apiKey: key || undefined,
      temperature: config.temperature,
      topP: config.topP,
      maxTokens: config.maxTokens,
      extraHeaders: config.extraHeaders,
      extraBody: config.extraBody,
      stream: config.stream,
      toolMode: config.toolMode,
      // Older saved configs (forks of rollouts from before the setting) have no maxRetries.
      ...(config.maxRetries !== undefined ? { retry: { maxRetries: config.maxRetries } } : {}),
      hints: EXTENSION_HINTS,
    });
  }

  /** The conversation so far as a closed trajectory (what forkRollout replays). */
  private async closedSource(s: AgentSession): Promise<ClosedTrajectory> {
    if (!s.rollout) {
      const row = this.d.runs.row(s.instanceId, s.rolloutId);
      if (!row?.trajectoryPath || !fs.existsSync(row.trajectoryPath)) throw new Error('This rollout has no closed trajectory file (it was interrupted): it cannot be forked.');
      return loadClosedTrajectory(row.trajectoryPath);
    }
    const started = s.history().find((e): e is Extract<StampedEvent, { type: 'rollout_started' }> => e.type === 'rollout_started');
    if (!started) throw new Error('The rollout has not started yet: nothing to fork.');
    const now = new Date().toISOString();
    return {
      format: TRAJECTORY_FORMAT,
      rollout_id: s.rolloutId,
      run_id: started.runId,
      instance_id: s.instanceId,
      index: started.index,
      model: started.model,
      template: started.template,
      config: started.config,
      started_at: started.time,
      finished_at: now,
      exit_reason: 'stopped',
      steps: s.view.step,
      usage: { prompt_tokens: s.view.totals.promptTokens, completion_tokens: s.view.totals.completionTokens, estimated: false },
      cost_usd: s.view.totals.costUsd,
      duration_ms: 0,
      messages: structuredClone([...s.rollout.conversation]),
      tools: started.tools as ClosedTrajectory['tools'],
      step_records: [],
      patch: null,
      reward: null,
      events_file: '',
    };
  }

  private async setPending(id: string, value: PendingStart | undefined): Promise<void> {
    const all = { ...(this.d.memento.get<Record<string, PendingStart>>(PENDING_KEY) ?? {}) };
    if (value) all[id] = value;
    else delete all[id];
    await this.d.memento.update(PENDING_KEY, all);
  }
}
