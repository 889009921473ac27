import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Campaign, type CampaignProgress, type PickedBy } from '../../core/campaign/campaign';
import { CampaignPrefetcher, type PrefetchState } from '../../core/campaign/campaignPrefetch';
import { workspaceDirFor } from '../../core/devcontainer/workspaceLayout';
import type { InstanceActions } from '../actions';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import type { DemoController } from '../demo/demoController';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';

/** The workspace-state keys: the campaign file this window works on, and the instance being opened (a reload may cut that short). */
const FILE_KEY = 'sweGym.campaign.file';
const OPENING_KEY = 'sweGym.campaign.opening';

/** A finished demonstration, as DemoController reports it. */
export interface FinishedDemo {
  ref: InstanceRef;
  trajectory: { reward?: { resolved: boolean } | null };
  file: string;
}

export interface CampaignDeps {
  demos: DemoController;
  devContainers: DevContainerManager;
  actions: InstanceActions;
  datasets: DatasetStore;
  runtimes: RuntimeProvider;
  settings: Settings;
  sessionId: string;
  memento: vscode.Memento;
  /** A demonstration was finished and graded: the campaign records it at once. */
  onDidFinish: vscode.Event<FinishedDemo>;
  /** What follows a finish is over (the annotation questions answered or dismissed): the moment to offer the next instance. */
  onDidSettleFinish: vscode.Event<{ instanceId: string }>;
  /** Closes an instance's demonstration panel (a skipped instance's: its recording is gone). */
  closeDemoPanel?: (instanceId: string) => void;
  log: Logger;
}

export interface Handover {
  instanceId: string;
  /** From the person's go (Next, a skip) to the next instance launched, its terminal open and recording. */
  ms: number;
  /** Its workspace was prepared ahead (the launch only started a container). */
  prefetched: boolean;
}

/**
 * A person's demonstration campaign in this window: the queue (core Campaign, a file in the
 * annotator's folder beside their demonstrations), the current instance launched and recorded,
 * the next one's image and workspace prepared meanwhile (CampaignPrefetcher), and the hand-over
 * when a demonstration is finished (offered, never forced) or the instance is skipped.
 */
export class CampaignService extends Disposable {
  private state: Campaign | undefined;
  private prefetcher: CampaignPrefetcher | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  /** Off: the next instance is not prepared ahead (a slow disk, a metered pull). */
  prefetch = true;
  readonly handovers: Handover[] = [];
  /** The offer after a finish, for tests: resolves with what the person picked. */
  lastOffer: Thenable<string | undefined> | undefined;

  constructor(private readonly d: CampaignDeps) {
    super();
    this.register(d.onDidFinish((f) => this.recordFinish(f)));
    this.register(d.onDidSettleFinish((e) => this.offerNext(e.instanceId)));
    this.register({ dispose: () => this.prefetcher?.cancel() });
    this.register(this.onDidChange(() => void vscode.commands.executeCommand('setContext', 'sweGym.campaign.active', !!this.state?.progress().current)));
  }

  get campaign(): Campaign | undefined {
    return this.state;
  }

  progress(): CampaignProgress | undefined {
    return this.state?.progress();
  }

  /** How the next instance's preparation stands (undefined: none started). */
  nextState(): PrefetchState | undefined {
    const next = this.progress()?.next;
    return next ? this.prefetcher?.state(next) : undefined;
  }

  /** The campaign waiting in this annotator's folder, if any (to offer resuming it). */
  waiting(): Campaign | undefined {
    return Campaign.open(this.d.demos.runDir());
  }

  /** Starts a campaign in the annotator's folder and opens its first instance. */
  async start(o: { instanceIds: readonly string[]; pickedBy: PickedBy; name?: string; replace?: boolean }): Promise<Campaign> {
    if (this.d.demos.current) throw new Error(`A demonstration of ${this.d.demos.current.instanceId} is being recorded: finish or discard it before starting a campaign.`);
    const unknown = o.instanceIds.filter((id) => !this.d.datasets.find(id));
    if (unknown.length) throw new Error(`Not in the open datasets: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}. Nothing was started.`);
    const dataset = this.d.datasets.find(o.instanceIds[0] ?? '')?.entry.source ?? '';
    const annotator = vscode.workspace.getConfiguration('sweGym').get<string>('demo.annotator')?.trim();
    const c = Campaign.create(this.d.demos.runDir(), { dataset, pickedBy: o.pickedBy, instanceIds: o.instanceIds, ...(o.name ? { name: o.name } : {}), ...(annotator ? { annotator } : {}) }, { replace: o.replace });
    await this.adopt(c);
    this.d.log.info(`Campaign "${c.name}" started: ${c.items.length} instances (${o.pickedBy.kind === 'list' ? o.pickedBy.file : o.pickedBy.description}), ${c.file}`);
    await this.openCurrent(Date.now());
    return c;
  }

  /** Takes up the campaign waiting in the annotator's folder (another window's, or one stopped earlier). */
  async resume(): Promise<Campaign> {
    const c = this.waiting();
    if (!c) throw new Error(`No campaign in ${this.d.demos.runDir()}: start one.`);
    await this.adopt(c);
    await this.openCurrent(Date.now());
    return c;
  }

  /** After a window reload: the campaign of this window, where its file says it is. */
  async restore(): Promise<void> {
    const file = this.d.memento.get<string>(FILE_KEY);
    if (!file || !fs.existsSync(file)) return;
    try {
      await this.adopt(Campaign.load(file));
    } catch (err) {
      this.d.log.warn(`The campaign was not restored: ${errorMessage(err)}`);
      return;
    }
    const p = this.progress();
    this.d.log.info(`Campaign restored: ${p?.text} (${file})`);
    // A reload in the middle of opening the current instance (adding its folder reloads): recording starts now.
    const opening = this.d.memento.get<string>(OPENING_KEY);
    if (opening && opening === p?.current && this.d.devContainers.isRunning(opening) && !this.d.demos.current) {
      await this.openCurrent(Date.now()).catch((err: unknown) => this.d.log.warn(`Campaign: opening ${opening} after the reload: ${errorMessage(err)}`));
      return;
    }
    await this.resumeRecording().catch((err: unknown) => this.d.log.warn(`Campaign: resuming the demonstration of ${p?.current ?? ''} after the reload: ${errorMessage(err)}`));
    this.prepareNext();
  }

  /**
   * The current instance was being recorded when the window went (a reload, a crash): its
   * recording goes on from its log (every finished step kept), so the campaign is where the person
   * left it and Next finishes it, with no Resume to find first.
   */
  private async resumeRecording(): Promise<void> {
    const c = this.state;
    const current = c?.progress().current;
    if (!c || !current || this.d.demos.current || !this.d.devContainers.isRunning(current)) return;
    if (!c.items.some((x) => x.instance_id === current && x.started_at)) return;
    if (!this.d.demos.interrupted().some((x) => x.instanceId === current)) return;
    await vscode.commands.executeCommand('sweGym.demo.start', current);
    this.d.log.info(`Campaign: the demonstration of ${current} goes on after the reload`);
    this.changed.fire();
  }

  /**
   * Next: while the current instance is recorded, finishes it (graded; the offer to move on
   * follows); otherwise opens the current instance (after a finish, that is the next one).
   */
  async next(): Promise<void> {
    const c = this.require();
    const current = c.refresh().progress().current;
    if (!current) throw new Error(`The campaign "${c.name}" is finished: ${this.summary()}.`);
    if (this.d.demos.current?.instanceId === current) {
      await vscode.commands.executeCommand('sweGym.demo.finish');
      return;
    }
    // After a finish (the offer not taken, or Next pressed instead): the finished instance is let go once the next is open.
    const previous = [...c.items].filter((x) => x.state !== 'pending' && x.ended_at).sort((a, b) => (a.ended_at ?? '').localeCompare(b.ended_at ?? '')).at(-1)?.instance_id;
    await this.moveOn(previous, Date.now());
  }

  /** Skips the current instance with the person's reason (its recording, if any, is discarded) and opens the next. */
  async skip(reason: string): Promise<void> {
    const c = this.require();
    const current = c.refresh().progress().current;
    if (!current) throw new Error(`The campaign "${c.name}" is finished: nothing to skip.`);
    const started = Date.now();
    if (!reason.trim()) throw new Error('Say why the instance is skipped: the reason is kept in the campaign.');
    if (this.d.demos.current?.instanceId === current) await this.d.demos.discard();
    c.skip(current, reason);
    this.d.closeDemoPanel?.(current);
    this.d.log.info(`Campaign: ${current} skipped (${reason.trim()})`);
    this.changed.fire();
    await this.moveOn(current, started);
  }

  /** Stops the campaign in this window: what was prepared ahead is cancelled and removed; the file stays (resume it later). */
  async stop(): Promise<void> {
    const prefetcher = this.prefetcher;
    this.state = undefined;
    this.prefetcher = undefined;
    await this.d.memento.update(FILE_KEY, undefined);
    await this.d.memento.update(OPENING_KEY, undefined);
    this.changed.fire();
    await prefetcher?.stop((id) => this.d.devContainers.isRunning(id));
  }

  /** Where an instance's workspace is (or is prepared). */
  workspaceDirOf(instanceId: string): string {
    return workspaceDirFor(this.d.settings.workspaceRoot, instanceId);
  }

  summary(): string {
    const p = this.progress();
    return p ? `${p.done} demonstrated, ${p.skipped} skipped of ${p.total}` : 'no campaign';
  }

  // ---- internals --------------------------------------------------------------------------------

  private async adopt(c: Campaign): Promise<void> {
    if (this.state && this.state.file !== c.file) await this.stop();
    this.state = c;
    this.prefetcher ??= new CampaignPrefetcher(() => this.d.runtimes.get(), {
      workspaceRoot: this.d.settings.workspaceRoot,
      historyMode: this.d.settings.historyMode,
      sessionId: this.d.sessionId,
      onChange: () => this.changed.fire(),
    });
    await this.d.memento.update(FILE_KEY, c.file);
    this.changed.fire();
  }

  /** The finish is recorded at once (durably), whatever the person does next. */
  private recordFinish(f: FinishedDemo): void {
    const c = this.state;
    const id = f.ref.instance.instance_id;
    if (!c || c.refresh().progress().current !== id) return;
    try {
      c.complete(id, { resolved: f.trajectory.reward?.resolved ?? null, demonstration: f.file });
      this.d.log.info(`Campaign: ${id} done (${f.file})`);
    } catch (err) {
      this.d.log.error('The campaign could not record the finish', err);
    }
    this.changed.fire();
  }

  /** After a finish (and its questions): the next instance is offered, not forced. */
  private offerNext(finished: string): void {
    const c = this.state;
    if (!c || !c.items.some((x) => x.instance_id === finished && x.state === 'done')) return;
    const p = c.progress();
    if (!p.current) {
      void vscode.window.showInformationMessage(`Campaign "${c.name}" is finished: ${this.summary()}. The demonstrations are in ${c.dir}.`);
      this.changed.fire();
      return;
    }
    const ready = this.prefetcher?.state(p.current) === 'ready' ? ' (ready)' : '';
    const offer = vscode.window.showInformationMessage(`${finished} is done. Next in the campaign: ${p.current}${ready}, ${p.text}.`, 'Open Next', 'Later');
    this.lastOffer = offer;
    void offer.then(async (pick) => {
      if (pick !== 'Open Next' || this.state !== c || c.refresh().progress().current !== p.current) return;
      await this.moveOn(finished, Date.now()).catch((err: unknown) => {
        this.d.log.error('The campaign could not move on', err);
        void vscode.window.showErrorMessage(`The campaign could not move on: ${errorMessage(err)}`);
      });
    });
  }

  /** Opens the current instance, then lets the one before it go (its container; its folder from the workspace). */
  private async moveOn(previous: string | undefined, started: number): Promise<void> {
    const p = this.require().progress();
    if (!p.current) void vscode.window.showInformationMessage(`Campaign "${this.state?.name}" is finished: ${this.summary()}.`);
    else await this.openCurrent(started);
    if (previous && previous !== p.current) await this.letGo(previous);
  }

  /** Launches the current instance (taking what was prepared ahead), opens its terminal, records it, and prepares the next. */
  private async openCurrent(started: number): Promise<void> {
    const c = this.require();
    const id = c.progress().current;
    if (!id) return;
    if (path.resolve(this.d.demos.runDir()) !== path.resolve(c.dir)) {
      throw new Error(`The campaign "${c.name}" writes into ${c.dir}, but demonstrations now go to ${this.d.demos.runDir()} (sweGym.demo.annotator or outputDir changed): set them back, or stop the campaign.`);
    }
    const ref = this.d.datasets.find(id);
    if (!ref) throw new Error(`${id} is not in the open datasets (the campaign's dataset is ${c.dataset}): open it, then press Next.`);
    const recording = this.d.demos.current;
    if (recording && recording.instanceId !== id) throw new Error(`A demonstration of ${recording.instanceId} is being recorded: finish or discard it first.`);
    await this.d.memento.update(OPENING_KEY, id);
    const prepared = await this.prefetcher?.handOver(id);
    const launched = await this.d.actions.launch(ref);
    // Adding the folder reloads the window: restore() goes on from here in the next one.
    if (launched.reloading) return;
    if (launched.state !== 'running') throw new Error(`${id} could not be launched (${launched.state}${launched.problem ? `: ${launched.problem}` : ''}).`);
    if (this.d.demos.current?.instanceId !== id) {
      await vscode.commands.executeCommand('sweGym.demo.start', id);
      if (this.d.demos.current?.instanceId !== id) throw new Error(`The demonstration of ${id} did not start (see the SWE-Gym log).`);
    }
    c.markStarted(id);
    await this.d.memento.update(OPENING_KEY, undefined);
    const handover = { instanceId: id, ms: Date.now() - started, prefetched: !!prepared };
    this.handovers.push(handover);
    this.d.log.info(`Campaign: ${id} ready in ${handover.ms} ms (${handover.prefetched ? 'prepared ahead' : 'launched now'}), ${c.progress().text}`);
    this.changed.fire();
    this.prepareNext();
  }

  private prepareNext(): void {
    const next = this.progress()?.next;
    if (!this.prefetch || !next || !this.prefetcher || this.d.devContainers.isRunning(next)) return;
    const ref = this.d.datasets.find(next);
    if (!ref) return;
    void this.prefetcher.prefetch(specFor(ref, this.d.settings)).then((prepared) => {
      const error = this.prefetcher?.error(next);
      if (!prepared && error && error !== 'cancelled') this.d.log.warn(`Campaign: preparing ${next} ahead failed (it is launched in full when its turn comes): ${error}`);
      else if (prepared) this.d.log.info(`Campaign: ${next} prepared ahead (image ${prepared.imageSource} ${prepared.timingsMs.image} ms, workspace ${prepared.created ? `copied ${prepared.timingsMs.workspace} ms` : 'already there'})`);
    });
  }

  /** The finished or skipped instance: its container is stopped and its folder leaves the workspace (the first folder stays: removing it restarts the extensions). */
  private async letGo(instanceId: string): Promise<void> {
    try {
      if (this.d.devContainers.isRunning(instanceId)) await this.d.devContainers.stop(instanceId);
    } catch (err) {
      this.d.log.warn(`Campaign: stopping ${instanceId}: ${errorMessage(err)}`);
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    const dir = this.workspaceDirOf(instanceId);
    const index = folders.findIndex((f) => path.resolve(f.uri.fsPath) === path.resolve(dir));
    if (index > 0) vscode.workspace.updateWorkspaceFolders(index, 1);
  }

  private require(): Campaign {
    if (!this.state) throw new Error('No campaign is running: start one with “SWE-Gym: Start Demonstration Campaign…”.');
    return this.state;
  }
}
