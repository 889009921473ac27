import { commandRegistrar } from '../util/commandRegistrar';
import * as vscode from 'vscode';
import { instanceResolver } from '../commands';
import type { DatasetStore } from '../datasets/datasetStore';
import type { InstanceStatusService } from '../instanceStatus';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { WindowReloadingError } from '../devContainers/reloadResume';
import { Verifier } from '../../core/verifier/verifierScore';
import { abortSignalFrom } from '../util/cancellation';
import type { Logger } from '../util/logger';
import type { AgentPanels } from '../agentView/agentPanel';
import type { AgentService } from './agentService';
import { OPENAI_BASE_URL, readAgentConfig, type AgentRunConfig } from './agentSettings';
import { ApiKeys, needsKey } from './apiKeys';
import { scoreInstanceRollouts, selectionLine } from './verifierScores';

export interface AgentCommandDeps {
  service: AgentService;
  panels: AgentPanels;
  keys: ApiKeys;
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  status: InstanceStatusService;
  log: Logger;
  /** Messages shown to the user, newest last (shared with the other commands). */
  notices: string[];
}

/** Settings a caller may override for one start (scripts, tests); the API key is never one of them. */
export type AgentStartOverrides = Partial<Omit<AgentRunConfig, 'prices' | 'extraHeaders' | 'extraBody'>>;

/** The sweGym.agent.* commands. */
export function registerAgentCommands(deps: AgentCommandDeps): vscode.Disposable[] {
  const { service, panels, keys, log } = deps;

  // A launch that reloads the window ends the command; the next extension host goes on.
  const command = commandRegistrar(deps, 'Agent command', (err) => err instanceof WindowReloadingError);

  const resolve = instanceResolver(deps, 'Pick an instance for the agent');

  /** Asks for the key of an endpoint; undefined when the user backs out. */
  const askForKey = async (baseUrl: string): Promise<string | undefined> => {
    const origin = ApiKeys.origin(baseUrl);
    const key = await vscode.window.showInputBox({
      title: `API key for ${origin}`,
      prompt: 'Kept in VS Code’s secret storage only: never in settings, logs or trajectories. Leave empty for a server that needs no key.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return undefined;
    await keys.set(baseUrl, key);
    return key;
  };

  return [
    command('sweGym.agent.start', async (arg?: unknown, source?: unknown, overrides?: AgentStartOverrides) => {
      const ref = await resolve(arg, source);
      if (!ref) return undefined;
      const config: AgentRunConfig = { ...readAgentConfig(), ...(overrides && typeof overrides === 'object' ? overrides : {}) };
      if (!config.model) {
        const model = (
          await vscode.window.showInputBox({
            title: 'Model for the agent',
            prompt: `The model name ${config.baseUrl || OPENAI_BASE_URL} serves (saved as sweGym.agent.model; the endpoint is sweGym.agent.baseUrl).`,
            placeHolder: 'gpt-4o, Qwen/Qwen2.5-Coder-32B-Instruct, …',
            ignoreFocusOut: true,
          })
        )?.trim();
        if (!model) return undefined;
        config.model = model;
        await vscode.workspace.getConfiguration('sweGym.agent').update('model', model, vscode.ConfigurationTarget.Global);
      }
      if ((await keys.get(config.baseUrl)) === undefined && needsKey(config.baseUrl) && (await askForKey(config.baseUrl)) === undefined) return undefined;
      panels.show(ref);
      const session = await service.start(ref, config);
      return { rolloutId: session.rolloutId };
    }),
    command('sweGym.agent.showView', async (arg?: unknown, source?: unknown) => {
      const ref = await resolve(arg, source);
      if (!ref) return undefined;
      panels.show(ref);
      return true;
    }),
    command('sweGym.agent.setApiKey', async (arg?: unknown) => {
      const baseUrl = readAgentConfig().baseUrl;
      if (typeof arg === 'string') await keys.set(baseUrl, arg);
      else if ((await askForKey(baseUrl)) === undefined) return false;
      void vscode.window.showInformationMessage(`The API key for ${ApiKeys.origin(baseUrl)} is saved in VS Code’s secret storage.`);
      return true;
    }),
    command('sweGym.agent.clearApiKey', async () => {
      const baseUrl = readAgentConfig().baseUrl;
      await keys.clear(baseUrl);
      void vscode.window.showInformationMessage(`The API key for ${ApiKeys.origin(baseUrl)} is forgotten.`);
      return true;
    }),
    command('sweGym.agent.scoreRollouts', async (arg?: unknown, source?: unknown) => {
      const ref = await resolve(arg, source);
      if (!ref) return undefined;
      const id = ref.instance.instance_id;
      const settings = vscode.workspace.getConfiguration('sweGym.agent');
      let model = settings.get<string>('verifierModel', '').trim();
      if (!model) {
        model = (await vscode.window.showInputBox({ title: 'Verifier model', prompt: 'The model that reads each rollout and answers YES/NO (saved as sweGym.agent.verifierModel; its endpoint must return log-probabilities).', ignoreFocusOut: true }))?.trim() ?? '';
        if (!model) return undefined;
        await settings.update('verifierModel', model, vscode.ConfigurationTarget.Global);
      }
      const baseUrl = settings.get<string>('verifierBaseUrl', '').trim() || readAgentConfig().baseUrl;
      let apiKey = await keys.get(baseUrl);
      if (apiKey === undefined && needsKey(baseUrl)) apiKey = await askForKey(baseUrl);
      if (apiKey === undefined && needsKey(baseUrl)) return undefined;
      const verifier = new Verifier({ model, baseURL: baseUrl || undefined, apiKey });
      panels.show(ref);
      const { selection, summary } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Scoring the rollouts of ${id} with ${model}`, cancellable: true }, async (progress, token) => {
        const { signal, dispose } = abortSignalFrom(token);
        try {
          return await scoreInstanceRollouts(service.runs, id, { model, score: (t, s) => verifier.score(t, s) }, log, { signal, onScored: (done, total) => progress.report({ message: `${done}/${total}`, increment: 100 / total }) });
        } finally {
          dispose();
        }
      });
      const line = selectionLine(id, model, selection, summary);
      log.info(line);
      void vscode.window.showInformationMessage(line);
      return { selection, summary };
    }),
    command('sweGym.agent.configure', () => vscode.commands.executeCommand('workbench.action.openSettings', 'sweGym.agent')),
  ];
}
