import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { InstanceActions } from './actions';
import { registerAgentCommands } from './agent/agentCommands';
import { AgentPanels } from './agentView/agentPanel';
import { AgentService } from './agent/agentService';
import { ApiKeys } from './agent/apiKeys';
import type { SweGymApi } from './api';
import { LanguageServerService } from './languageServer/languageServerService';
import { specFor } from './datasets/instanceSpecs';
import { registerCommands } from './commands';
import { Settings } from './config';
import { DatasetStore } from './datasets/datasetStore';
import { DiffViews } from './diff/diffViews';
import { EvaluationService } from './evaluation/evaluationService';
import { InstanceStatusService } from './instanceStatus';
import { offerOrphanRemoval } from './orphans';
import { BusyTracker } from './devContainers/busyTracker';
import { resumeAfterReload } from './devContainers/reloadResume';
import { RuntimeProvider } from './devContainers/runtimeProvider';
import { DevContainerManager } from './devContainers/devContainerManager';
import { instanceRecordsFile, StateStore } from './state/stateStore';
import { RunOwners } from './agent/runOwners';
import { ActiveInstanceStatusBar } from './statusBar';
import { HiddenTestsController } from './testing/hiddenTests';
import { TreeExpansion } from './tree/treeExpansion';
import { InstanceTreeProvider, type TreeNode } from './tree/instanceTree';
import { Disposable } from './util/disposable';
import { errorMessage, Logger } from './util/logger';
import { InstancePanels } from './instancePage/instancePanel';
import { DemoController } from './demo/demoController';
import { DemoPanels } from './demo/demoPanel';
import { openDemonstrationSteps } from './demo/demoStepView';
import { offerResume, registerDemoCommands } from './demo/demoCommands';
import { DemoStatusBar } from './demo/demoStatusBar';
import { AnnotationService } from './annotations/annotationService';
import { registerAnnotationCommands } from './annotations/annotationCommands';
import { ImportedRunActions } from './trajectories/importedRunActions';
import { ImportedRunNodes } from './trajectories/importedRunNodes';
import { ImportedRunStore } from './trajectories/importedRunStore';
import { registerTrajectoryCommands } from './trajectories/trajectoryCommands';
import { TrajectoryPanels } from './trajectoryView/trajectoryPanel';
import { registerGymCommands } from './gym/gymCommands';
import { registerContinueCommand } from './continueRun/continueCommand';
import { GymLiveViews } from './gym/gymLiveView';
import { GymServerService } from './gym/gymServerService';
import { GymSessionsView } from './gym/gymSessionsView';
import { CampaignService } from './campaign/campaignService';
import { removeWindowContainers } from '../core/runtime/windowEndCleanup';
import { CampaignStatusBar } from './campaign/campaignStatusBar';
import { registerCampaignCommands } from './campaign/campaignCommands';

/** Wires the pieces together; everything it makes is registered for disposal. */
class Studio extends Disposable {
  readonly api: SweGymApi;
  /** Stopped (its sessions' containers removed) before the extension host goes. */
  readonly gym: GymServerService;
  /** Removes this window's rollout, grade and seed containers (see windowEndCleanup). */
  readonly removeWindowContainers: () => Promise<number>;

  constructor(context: vscode.ExtensionContext, log: Logger) {
    super();
    const sessionId = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const settings = new Settings();
    const runtimes = new RuntimeProvider(settings, (m) => log.warn(m));
    this.removeWindowContainers = () => removeWindowContainers(runtimes.get(), sessionId);
    // This host's beat tells other windows of the profile what it still uses (rollouts, dev containers).
    const owners = new RunOwners(path.join(context.globalStorageUri.fsPath, 'run-owners'), sessionId);
    owners.start();
    this.register({ dispose: () => owners.dispose() });
    const state = this.register(new StateStore(context.globalState, instanceRecordsFile(context.globalStorageUri.fsPath), owners));
    const busy = this.register(new BusyTracker());
    const datasets = this.register(new DatasetStore(settings, state, log.child('datasets')));
    const devContainers = this.register(new DevContainerManager(runtimes, state, busy, settings, sessionId, log.child('devContainers')));
    const status = this.register(new InstanceStatusService(state, devContainers, busy));
    const languageServer = this.register(new LanguageServerService(devContainers, runtimes, context.globalStorageUri, log.child('python'), (m) => void vscode.window.showWarningMessage(m), (id) => {
      const ref = datasets.find(id);
      return ref && specFor(ref, settings);
    }));
    const hiddenTests = this.register(new HiddenTestsController(state));
    const evaluation = this.register(new EvaluationService(runtimes, devContainers, state, busy, hiddenTests, settings, sessionId, log.child('evaluation')));
    const diffs = this.register(new DiffViews(datasets, devContainers, evaluation, state));
    const actions = new InstanceActions(devContainers, evaluation, diffs, state, hiddenTests, log.child('actions'));
    const keys = new ApiKeys(context.secrets);
    const agents = this.register(new AgentService({ datasets, devContainers, actions, state, busy, runtimes, settings, keys, memento: context.globalState, globalStorage: context.globalStorageUri, sessionId, owners, log: log.child('agent'), pythonTools: (image) => languageServer.agentTools(image) }));
    const tree = this.register(new InstanceTreeProvider(datasets, status, devContainers));
    const treeView = this.register(vscode.window.createTreeView('sweGym.instances', { treeDataProvider: tree, showCollapseAll: true }));
    const expansion = this.register(new TreeExpansion(context.globalState));
    expansion.track(treeView, (node) => tree.getTreeItem(node).id);
    tree.setExpansion(expansion);
    this.register(tree.onDidChangeFilter(() => (treeView.message = tree.describeFilter())));
    const statusBar = this.register(new ActiveInstanceStatusBar(devContainers, status));
    // The walkthrough ticks Launch and Run however they were done (page, tree, palette, Test Explorer, agent).
    const walkthrough = (key: string) => void vscode.commands.executeCommand('setContext', key, true);
    this.register(devContainers.onDidChange(() => devContainers.runningIds().length > 0 && walkthrough('sweGym.walkthrough.launched')));
    this.register(state.onDidChange((id) => (state.get(id).history ?? []).some((r) => r.status !== 'cancelled') && walkthrough('sweGym.walkthrough.ranTests')));

    // Restored pages wait for the datasets (they look their instance up by id).
    let markLoaded: () => void = () => undefined;
    const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
    const annotations = this.register(new AnnotationService(context.globalStorageUri, log.child('annotations')));
    this.register(tree.addDecorator(annotations));
    this.register(tree.setAnnotationScore((id) => annotations.score(id), annotations.onDidChange));
    const panels = this.register(new InstancePanels(context.extensionUri, { state, status, devContainers, busy, evaluation, datasets, actions, settings, agentStats: (id) => agents.runs.stats(id), onDidChangeAgents: agents.onDidChange, annotations: (id) => annotations.views(id), onDidChangeAnnotations: annotations.onDidChange }, loaded, log.child('page')));
    panels.keepOpenIn(context.workspaceState);
    actions.isPageOpen = (id) => panels.isOpen(id);
    const ready = (async () => {
      try {
        await datasets.loadAll();
      } finally {
        markLoaded();
      }
      await devContainers.recover();
      await resumeAfterReload(state, log.child('reload'), { testMode: context.extensionMode === vscode.ExtensionMode.Test }).catch((err: unknown) => log.warn(`Restoring the view after the reload: ${errorMessage(err)}`));
      if (devContainers.runningIds().length) walkthrough('sweGym.walkthrough.launched');
      if (state.instanceIdsWithHistory().length) walkthrough('sweGym.walkthrough.ranTests');
      for (const id of state.instanceIdsWithHistory()) {
        const ref = datasets.find(id);
        if (ref) hiddenTests.ensureItems(ref.instance);
      }
      for (const [id, session] of state.instancesWithSessions()) {
        const ref = datasets.find(id);
        if (session.terminalPending && ref && devContainers.isRunning(id)) {
          // The launch turned a single-folder window into a workspace, which reloaded it. A page
          // open at the launch comes back through VS Code's serializer, maybe after this point.
          void panels.showAfterReload(ref, session.pageOpen === true);
          actions.openTerminalAfterLaunch(id);
        }
      }
      devContainers.restoreTerminals();
      // Pages open when the last extension host died whose tabs VS Code did not keep.
      const reopened = panels.reopenDropped();
      if (reopened.length) log.info(`Reopened the page of ${reopened.join(', ')}: open when the last extension host ended, its tab not kept`);
    })();

    hiddenTests.setRunHandler(async (instanceId, run, token) => {
      const ref = datasets.find(instanceId);
      if (!ref) return;
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        await evaluation.run(ref, { signal: abort.signal, testRun: run });
      } catch (err) {
        run.appendOutput(`${errorMessage(err)}\r\n`);
        void vscode.window.showErrorMessage(errorMessage(err));
      } finally {
        sub.dispose();
      }
    });

    const notices: string[] = [];
    const removeOrphans = () => offerOrphanRemoval(runtimes.get(), devContainers.trackedContainerIds(), log.child('orphans'), true);
    for (const d of registerCommands({ datasets, devContainers, actions, panels, tree, treeView, status, log, removeOrphans, notices })) this.register(d);

    const agentPanels = this.register(new AgentPanels(context.extensionUri, agents, datasets, busy, loaded, log.child('agent-view')));
    this.register(tree.addDecorator(agents));
    for (const d of registerAgentCommands({ service: agents, panels: agentPanels, keys, datasets, devContainers, status, log: log.child('agent'), notices })) this.register(d);
    this.register(registerContinueCommand({ agents, panels: agentPanels, datasets, devContainers, actions, settings, runtimes, log: log.child('continue'), notices }));
    void ready.then(() => agents.restore((ref, viewWasOpen) => void agentPanels.showAfterReload(ref, viewWasOpen))).catch((err: unknown) => log.error('Restoring agent rollouts failed', err));

    // Runs imported from other scaffolds' files: kept in the extension's storage across reloads.
    const importedRuns = this.register(new ImportedRunStore(vscode.Uri.joinPath(context.globalStorageUri, 'imported-runs').fsPath, log.child('imported')));
    const importedLoaded = importedRuns.load();
    const importedActions = this.register(new ImportedRunActions(importedRuns, datasets, runtimes, settings, sessionId, log.child('imported')));
    this.register(tree.addChildren(new ImportedRunNodes(importedRuns)));
    const trajectoryPanels = this.register(new TrajectoryPanels(context.extensionUri, { store: importedRuns, actions: importedActions }, datasets, Promise.all([loaded, importedLoaded]).then(() => undefined), log.child('trajectory-view')));
    for (const d of registerTrajectoryCommands({ datasets, store: importedRuns, actions: importedActions, panels: trajectoryPanels, tree, treeView: treeView as vscode.TreeView<TreeNode>, log: log.child('imported'), notices })) this.register(d);

    // Leftovers are looked for once the running instances are known, and never block activation.
    void ready
      .then(() => offerOrphanRemoval(runtimes.get(), devContainers.trackedContainerIds(), log.child('orphans')))
      .catch((err: unknown) => log.error('Startup failed', err));

    const demos = this.register(new DemoController({ datasets, devContainers, state, settings, runtimes, globalStorage: context.globalStorageUri, sessionId, log: log.child('demo') }));
    const demoStatusBar = this.register(new DemoStatusBar(demos));
    const demoPanels = this.register(
      new DemoPanels(context.extensionUri, { demos, devContainers, openSteps: async (file, ref) => void (await openDemonstrationSteps(file, ref, { store: importedRuns, panels: trajectoryPanels })) }, datasets, loaded, log.child('demo-panel')),
    );
    const demoDeps = { demos, datasets, devContainers, log: log.child('demo'), notices, panels: demoPanels };
    for (const d of registerDemoCommands(demoDeps)) this.register(d);
    const annotationCommands = registerAnnotationCommands({ annotations, demos, datasets, devContainers, log: log.child('annotations'), notices });
    for (const d of annotationCommands.disposables) this.register(d);
    const gym = this.register(new GymServerService({ runtimes, settings, secrets: context.secrets, globalStorage: context.globalStorageUri, runs: agents.runs, log: log.child('gym') }));
    const gymView = this.register(new GymSessionsView(gym));
    this.register(vscode.window.createTreeView('sweGym.gymSessions', { treeDataProvider: gymView }));
    const gymLive = this.register(new GymLiveViews({ gym, panels: agentPanels, datasets, agents }));
    for (const d of registerGymCommands({ gym, live: gymLive, log: log.child('gym'), notices })) this.register(d);
    this.gym = gym;

    // Campaigns: the finish is recorded at once; the next instance is offered once the questions after it are answered.
    const campaigns = this.register(
      new CampaignService({ demos, devContainers, actions, datasets, runtimes, settings, sessionId, memento: context.workspaceState, onDidFinish: demos.onDidFinish, onDidSettleFinish: annotationCommands.onDidAnswerAfterFinish, closeDemoPanel: (id) => demoPanels.get(id)?.panel.dispose(), log: log.child('campaign') }),
    );
    const campaignStatusBar = this.register(new CampaignStatusBar(campaigns));
    for (const d of registerCampaignCommands({ campaigns, datasets, tree, log: log.child('campaign'), notices })) this.register(d);
    // The campaign first: it takes up its current instance's recording itself, which is then not offered.
    void ready
      .then(() => campaigns.restore())
      .catch((err: unknown) => log.error('Restoring the campaign failed', err))
      .then(() => offerResume(demoDeps))
      .catch((err: unknown) => log.error('Offering to resume a demonstration failed', err));

    this.register({ dispose: () => busy.cancelAll() });
    this.api = {
      ready,
      sessionId,
      datasets,
      devContainers,
      busy,
      evaluation,
      hiddenTests,
      tree,
      treeView: treeView as vscode.TreeView<TreeNode>,
      state,
      status,
      panels,
      actions,
      statusBar,
      runtime: () => runtimes.get(),
      notices,
      agents,
      agentPanels,
      diffs,
      languageServer,
      demos,
      demoStatusBar,
      demoPanels,
      annotations,
      importedRuns,
      importedRunsReady: importedLoaded,
      importedActions,
      trajectoryPanels,
      gym,
      gymView,
      campaigns,
      campaignStatusBar,
    };
    log.info(`SWE-Gym Studio activated (session ${sessionId})`);
  }
}

let studio: Studio | undefined;

export function activate(context: vscode.ExtensionContext): SweGymApi {
  const channel = vscode.window.createOutputChannel('SWE-Gym Studio', { log: true });
  context.subscriptions.push(channel);
  studio = new Studio(context, new Logger(channel));
  context.subscriptions.push(studio);
  return studio.api;
}

export async function deactivate(): Promise<void> {
  // Dev containers keep running on purpose: a reload finds them again. The gym server's sessions,
  // rollouts, forks and grades do not: their containers are removed before the extension host
  // goes (VS Code awaits this).
  await Promise.all([studio?.gym.stop(), studio?.removeWindowContainers()]);
}
