import * as vscode from 'vscode';
import type { DemoPanelState } from '../../shared/demoPanel';
import { DEMO_VIEW, type DemoEvents, type DemoRequests } from '../../shared/protocol';
import type { Handlers, RpcHost } from '../../shared/rpcHost';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { InstanceViews } from '../webviewHost/instanceViews';
import { WebviewHost } from '../webviewHost/webviewHost';
import type { WebviewKind } from '../webviewHost/webviewKind';
import type { DemoController } from './demoController';
import { finishedDemos } from './finishedDemos';
import { interruptedView, recordingView } from './demoTimeline';

export const DEMO_VIEW_TYPE = 'sweGym.demo';
export const demoPanelTitle = (id: string): string => `Demo: ${id}`;

const DEMO_KIND: WebviewKind<DemoRequests, DemoEvents> = {
  viewType: DEMO_VIEW_TYPE,
  protocol: DEMO_VIEW,
  bundle: 'demo',
  icon: 'agent.svg',
  title: demoPanelTitle,
  loading: (id) => `Loading the demonstration of ${id}…`,
  noun: 'demonstration panel',
  beside: true,
  retainContextWhenHidden: true,
};

export interface DemoPanelDeps {
  demos: DemoController;
  devContainers: DevContainerManager;
  /** Opens a finished demonstration (its closed trajectory file) in the step view. */
  openSteps(file: string, ref: InstanceRef): Promise<void>;
}

/**
 * One instance's demonstration panel: the recording as it happens (state, active time, the steps
 * with their notes, test runs and reveals), its controls, and the instance's finished
 * demonstrations, each opening in the step view.
 */
export class DemoPanel extends Disposable {
  private readonly host: WebviewHost<DemoRequests, DemoEvents>;
  private pushTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ref: InstanceRef,
    private readonly deps: DemoPanelDeps,
    extensionUri: vscode.Uri,
    log: Logger,
  ) {
    super();
    this.host = this.register(new WebviewHost(panel, DEMO_KIND, ref, this.handlers(), extensionUri, log));
    this.register(deps.demos.onDidChange(() => this.schedulePush()));
    this.register(deps.devContainers.onDidChange(() => this.schedulePush()));
  }

  get rpc(): RpcHost<DemoRequests, DemoEvents> {
    return this.host.rpc;
  }

  get isReady(): boolean {
    return this.host.isReady;
  }

  override dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    super.dispose();
  }

  /** What the panel shows now (tests read it as the webview would). */
  state(): DemoPanelState {
    const id = this.ref.instance.instance_id;
    const d = this.deps.demos;
    const c = d.current;
    const mine = c?.instanceId === id ? c : undefined;
    const waiting = mine ? undefined : d.interrupted().find((x) => x.instanceId === id);
    return {
      instanceId: id,
      launched: this.deps.devContainers.isRunning(id),
      otherRecording: c && !mine ? c.instanceId : null,
      recording: mine ? recordingView(mine.recorder) : null,
      interrupted: waiting ? interruptedView(waiting.eventsPath) : null,
      finished: finishedDemos(d.runDir(), id),
      runDir: d.runDir(),
    };
  }

  private schedulePush(): void {
    if (this.pushTimer || this.isDisposed) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      if (!this.isDisposed) this.rpc.emitIfReady('state', this.state());
    }, 80);
  }

  private mine(): void {
    const c = this.deps.demos.current;
    if (c?.instanceId !== this.ref.instance.instance_id) throw new Error(`No demonstration of ${this.ref.instance.instance_id} is being recorded.`);
  }

  /** Only files the panel lists (finished demonstrations of this instance) are opened for it. */
  private listed(file: string): void {
    if (!finishedDemos(this.deps.demos.runDir(), this.ref.instance.instance_id).some((r) => r.file === file)) throw new Error(`${file} is not a finished demonstration of ${this.ref.instance.instance_id}.`);
  }

  private handlers(): Handlers<DemoRequests> {
    const id = this.ref.instance.instance_id;
    const d = this.deps.demos;
    return {
      getState: async () => this.state(),
      start: async () => {
        await vscode.commands.executeCommand('sweGym.demo.start', id);
        return this.state();
      },
      pause: async () => {
        this.mine();
        d.pause();
        return this.state();
      },
      resume: async () => {
        this.mine();
        await d.resume();
        return this.state();
      },
      setNote: async ({ text }) => {
        this.mine();
        d.setNote(text);
        return this.state();
      },
      setStepNote: async ({ step, text }) => {
        this.mine();
        d.setStepNote(step, text);
        return this.state();
      },
      finish: async () => {
        this.mine();
        await vscode.commands.executeCommand('sweGym.demo.finish');
        return this.state();
      },
      discard: async () => {
        // The recording of this instance, or its interrupted one (its log) when none is recorded.
        if (this.deps.demos.current) this.mine();
        await vscode.commands.executeCommand('sweGym.demo.discard', false, id);
        return this.state();
      },
      openSteps: async ({ file }) => {
        this.listed(file);
        await this.deps.openSteps(file, this.ref);
        return null;
      },
      openFile: async ({ file }) => {
        this.listed(file);
        await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
        return null;
      },
    };
  }
}

/** The demonstration panels, one per instance, restored after a reload by the serializer. */
export class DemoPanels extends InstanceViews<DemoPanel, DemoRequests, DemoEvents> {
  constructor(
    extensionUri: vscode.Uri,
    private readonly deps: DemoPanelDeps,
    datasets: DatasetStore,
    datasetsReady: Promise<void>,
    private readonly log: Logger,
  ) {
    super(DEMO_KIND, extensionUri, datasets, datasetsReady);
  }

  protected create(panel: vscode.WebviewPanel, ref: InstanceRef): DemoPanel {
    return new DemoPanel(panel, ref, this.deps, this.extensionUri, this.log);
  }
}
