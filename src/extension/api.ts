import type * as vscode from 'vscode';
import type { ContainerRuntime } from '../core/runtime/containerRuntime';
import type { InstanceActions } from './actions';
import type { AgentPanels } from './agentView/agentPanel';
import type { AgentService } from './agent/agentService';
import type { DatasetStore } from './datasets/datasetStore';
import type { DiffViews } from './diff/diffViews';
import type { EvaluationService } from './evaluation/evaluationService';
import type { LanguageServerService } from './languageServer/languageServerService';
import type { InstanceStatusService } from './instanceStatus';
import type { BusyTracker } from './devContainers/busyTracker';
import type { DevContainerManager } from './devContainers/devContainerManager';
import type { StateStore } from './state/stateStore';
import type { ActiveInstanceStatusBar } from './statusBar';
import type { HiddenTestsController } from './testing/hiddenTests';
import type { InstanceTreeProvider, TreeNode } from './tree/instanceTree';
import type { InstancePanels } from './instancePage/instancePanel';
import type { DemoController } from './demo/demoController';
import type { DemoStatusBar } from './demo/demoStatusBar';
import type { DemoPanels } from './demo/demoPanel';
import type { AnnotationService } from './annotations/annotationService';
import type { ImportedRunActions } from './trajectories/importedRunActions';
import type { ImportedRunStore } from './trajectories/importedRunStore';
import type { TrajectoryPanels } from './trajectoryView/trajectoryPanel';
import type { GymServerService } from './gym/gymServerService';
import type { GymSessionsView } from './gym/gymSessionsView';
import type { CampaignService } from './campaign/campaignService';
import type { CampaignStatusBar } from './campaign/campaignStatusBar';

/**
 * What `activate` returns. Other extensions may script the studio with it; the extension-host
 * tests use it to look at state the VS Code API does not expose (Test Explorer results).
 */
export interface SweGymApi {
  /** Settles when the datasets are loaded and running instances found again. */
  ready: Promise<void>;
  sessionId: string;
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  busy: BusyTracker;
  evaluation: EvaluationService;
  hiddenTests: HiddenTestsController;
  tree: InstanceTreeProvider;
  treeView: vscode.TreeView<TreeNode>;
  state: StateStore;
  status: InstanceStatusService;
  panels: InstancePanels;
  actions: InstanceActions;
  statusBar: ActiveInstanceStatusBar;
  runtime(): ContainerRuntime;
  /** Error messages shown to the user, newest last. */
  notices: string[];
  /** Agent rollouts: start, fork, their sessions and run table. */
  agents: AgentService;
  agentPanels: AgentPanels;
  /** Diff editors of workspaces: what is open, what was refused. */
  diffs: DiffViews;
  /** Python language servers in the instances' containers. */
  languageServer: LanguageServerService;
  /** Human demonstrations: the one being recorded, start/finish. */
  demos: DemoController;
  demoStatusBar: DemoStatusBar;
  /** The demonstration panels, one per instance. */
  demoPanels: DemoPanels;
  /** Difficulty annotations (SWE-bench Verified's questions): this annotator's and the others' in the output root. */
  annotations: AnnotationService;
  /** Runs imported from other scaffolds' files (Open Trajectories…), their grades and replays. */
  importedRuns: ImportedRunStore;
  /** Settles when the imported runs of earlier windows are read back. */
  importedRunsReady: Promise<void>;
  importedActions: ImportedRunActions;
  trajectoryPanels: TrajectoryPanels;
  /** The gym server started from VS Code (Start Gym Server) and its live sessions. */
  gym: GymServerService;
  gymView: GymSessionsView;
  /** The demonstration campaign of this window: the queue, next/skip, the next instance prepared ahead. */
  campaigns: CampaignService;
  campaignStatusBar: CampaignStatusBar;
}
