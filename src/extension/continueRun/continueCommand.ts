import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { contentText } from '../../core/agent/chatTypes';
import { isPythonTool } from '../../core/agent/tools/pythonTools';
import { checkContinueStep, continuationRollout } from '../../core/replay/continueFromStep';
import { loadReplayable } from '../../core/replay/loadReplayable';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { InstanceActions } from '../actions';
import type { AgentPanels } from '../agentView/agentPanel';
import type { AgentService } from '../agent/agentService';
import { readAgentConfig, type AgentRunConfig } from '../agent/agentSettings';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import { isAbortError } from '../util/cancellation';
import { errorMessage, type Logger } from '../util/logger';
import { rolloutNumber } from '../../shared/rolloutNumber';

export interface ContinueDeps {
  agents: AgentService;
  panels: AgentPanels;
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  actions: InstanceActions;
  settings: Settings;
  runtimes: RuntimeProvider;
  log: Logger;
  notices: string[];
}

/** Which run: a trajectory file (ours or any importable format, `row` picks a run in it), or a rollout of the run table. */
export type ContinueTarget = string | { file: string; row?: number } | { instanceId: string; rolloutId: string };

export interface ContinueArgs {
  step?: number;
  by?: 'hand' | 'model';
}

/**
 * Continue from Step (issue 12 item 2): a run, ours or imported, is replayed up to step N and then
 * goes on by hand in the instance's dev container (the workspace holds step N's state), or with
 * the model of the sweGym.agent.* settings in a container of its own. Either shows in the agent
 * view as a fork of the run at step N.
 */
export function registerContinueCommand(d: ContinueDeps): vscode.Disposable {
  return vscode.commands.registerCommand('sweGym.continueFromStep', async (target?: ContinueTarget, args?: ContinueArgs) => {
    try {
      return await continueFromStepCommand(d, target, args ?? {});
    } catch (err) {
      if (isAbortError(err)) return undefined;
      const text = errorMessage(err);
      d.notices.push(text);
      d.log.error('Continue from Step failed', err);
      void vscode.window.showErrorMessage(text);
      return undefined;
    }
  });
}

async function continueFromStepCommand(d: ContinueDeps, target: ContinueTarget | undefined, args: ContinueArgs): Promise<{ rolloutId: string } | undefined> {
  const picked = target ?? (await pickTarget(d));
  if (!picked) return undefined;
  const { trajectory, ref } = await load(d, picked);
  const turns = checkContinueStep(trajectory, 0);
  const step = args.step ?? (await pickStep(trajectory, turns));
  if (step === undefined) return undefined;
  checkContinueStep(trajectory, step);
  const by = args.by ?? (await pickMode(ref, step));
  if (!by) return undefined;
  const id = ref.instance.instance_id;
  const dataset = ref.entry.dataset;
  if (!dataset) throw new Error(`The dataset of ${id} is not loaded.`);

  let config: AgentRunConfig = readAgentConfig();
  if (by === 'model') {
    if (!config.model) throw new Error('No model is set to go on with: set sweGym.agent.model (and sweGym.agent.baseUrl), or run SWE-Gym: Start Agent once.');
  } else {
    config = { ...config, model: 'by hand', reward: false, startPaused: false, followEdits: false };
    if (!d.devContainers.isRunning(id)) {
      const launched = await d.actions.launch(ref);
      if (launched.reloading) {
        void vscode.window.showInformationMessage(`${id} is launched; the window reloads into its workspace. Run Continue from Step again after the reload.`);
        return undefined;
      }
    }
  }
  let refused: string[] | undefined;
  const s = d.settings;
  const session = await d.agents.startBuilt(ref, config, by === 'hand' ? 'dev' : 'own', { rolloutId: trajectory.rollout_id, step }, ({ model, container, ...rest }) =>
    continuationRollout(
      d.runtimes.get(),
      dataset,
      trajectory,
      { ...rest, step, mode: by === 'hand' ? { by: 'hand', container: container as NonNullable<typeof container> } : { by: 'model', model }, imageTemplate: s.imageTemplate, allowPull: s.allowPull, skipInstall: s.skipInstall },
      (changed) => (refused = changed),
    ),
    // The run's own tools go on (the template is the recording's): python_* ones need their server.
    { pythonTools: trajectory.tools.some((t) => isPythonTool(t.function.name)) },
  );
  d.panels.show(ref);
  d.log.info(`${id}: continuing ${trajectory.rollout_id} from step ${step} ${by === 'hand' ? 'by hand in the dev container' : `with ${config.model}`} (${session.rolloutId})`);
  if (by === 'hand') {
    void d.agents.whenDone(session.rolloutId).then((r) => {
      if (refused) void vscode.window.showErrorMessage(`${id}: the dev container has changes (${refused.join(', ')}): steps 1..${step} were not replayed onto them. Discard them or relaunch the instance, then continue again.`);
      else if (r && r.exitReason === 'replay_exhausted') void vscode.window.showInformationMessage(`${id}: steps 1..${step} are replayed in the dev container; go on by hand (Run hidden tests grades it).`);
      else if (r) void vscode.window.showWarningMessage(`${id}: the replay ended early (${r.exitReason}: ${r.message ?? ''}).`);
    });
  }
  return { rolloutId: session.rolloutId };
}

async function load(d: ContinueDeps, target: ContinueTarget): Promise<{ trajectory: ClosedTrajectory; ref: InstanceRef }> {
  if (typeof target === 'object' && 'rolloutId' in target) {
    const row = d.agents.runs.row(target.instanceId, target.rolloutId);
    if (!row?.trajectoryPath || !fs.existsSync(row.trajectoryPath)) throw new Error(`Rollout ${target.rolloutId} has no closed trajectory (still running, or interrupted): it cannot be continued.`);
    return load(d, row.trajectoryPath);
  }
  const file = typeof target === 'string' ? target : target.file;
  const row = typeof target === 'string' ? 0 : (target.row ?? 0);
  const failures: string[] = [];
  // The file names its instance; the open dataset that has it resolves it.
  for (const entry of d.datasets.list()) {
    if (!entry.dataset) continue;
    try {
      const trajectory = await loadReplayable(file, entry.dataset, row);
      const ref = d.datasets.find(trajectory.instance_id, entry.source);
      if (ref) return { trajectory, ref };
      failures.push(`${entry.name}: no ${trajectory.instance_id}`);
    } catch (err) {
      failures.push(`${entry.name}: ${errorMessage(err)}`);
    }
  }
  throw new Error(`${file} cannot be continued: no open dataset has its instance (${failures.join('; ') || 'no dataset is open'}).`);
}

async function pickTarget(d: ContinueDeps): Promise<ContinueTarget | undefined> {
  const items: (vscode.QuickPickItem & { target?: ContinueTarget })[] = [];
  for (const instanceId of d.agents.runs.instanceIds()) {
    for (const r of d.agents.runs.rows(instanceId).filter((r) => r.trajectoryPath && r.state === 'ended')) {
      items.push({ label: `${instanceId} ${rolloutNumber(r.index)}`, description: `${r.model} · ${r.steps} steps · ${r.resolved === null ? 'no reward' : r.resolved ? 'resolved' : 'not resolved'}`, target: { instanceId, rolloutId: r.rolloutId } });
    }
  }
  items.push({ label: '$(file) Trajectory file…', description: 'ours, or SWE-agent, OpenHands, mini-swe-agent, SWE-Gym rows, SFT text, ATIF' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Continue which run?', matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.target) return pick.target;
  const uri = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Trajectory to continue', filters: { Trajectories: ['json', 'jsonl', 'traj', 'txt'] } });
  return uri?.[0]?.fsPath;
}

async function pickStep(t: ClosedTrajectory, turns: number): Promise<number | undefined> {
  const items: (vscode.QuickPickItem & { step: number })[] = [{ label: 'Step 0', description: 'from the start (nothing replayed)', step: 0 }];
  let k = 0;
  for (const m of t.messages) {
    if (m.role !== 'assistant') continue;
    k++;
    const call = m.tool_calls?.[0];
    const action = call ? `${call.function.name} ${summarise(call.function.arguments)}` : contentText(m.content).slice(0, 80);
    items.push({ label: `Step ${k}`, description: action, step: k });
  }
  const pick = await vscode.window.showQuickPick(items.reverse(), { title: `Continue ${t.instance_id} after which step? (${turns} recorded)`, matchOnDescription: true });
  return pick?.step;
}

function summarise(args: string): string {
  try {
    const v = JSON.parse(args) as Record<string, unknown>;
    const first = v.command ?? v.path ?? Object.values(v)[0];
    return String(first ?? '').split('\n')[0]?.slice(0, 80) ?? '';
  } catch {
    return args.slice(0, 80);
  }
}

async function pickMode(ref: InstanceRef, step: number): Promise<'hand' | 'model' | undefined> {
  const model = readAgentConfig().model;
  const pick = await vscode.window.showQuickPick(
    [
      { label: '$(person) By hand', description: `steps 1..${step} replayed in the dev container of ${ref.instance.instance_id}; then it is yours`, by: 'hand' as const },
      { label: '$(hubot) With the model', description: model ? `${model} goes on from step ${step} in a container of its own` : 'set sweGym.agent.model first', by: 'model' as const },
    ],
    { title: `Continue from step ${step}` },
  );
  return pick?.by;
}
