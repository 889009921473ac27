import * as path from 'node:path';
import * as vscode from 'vscode';
import { ControlShell } from '../../core/agent/tools/controlShell';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import { DemoRecorder } from '../../core/demo/demoRecorder';
import { ContainerWorkspace } from '../../core/demo/demoWorkspace';
import { finishDemonstration } from '../../core/demo/finishDemo';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import type { StateStore } from '../state/stateStore';
import { specFor } from '../datasets/instanceSpecs';
import { shellQuote } from '../../core/util/shellQuote';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import { demoAnnotator, demoOutputRoot } from './demoSettings';
import { demoRunDir, findInterrupted, nextDemoIndex, removeDemoFiles, type InterruptedDemo } from '../../core/demo/demoFiles';

/** Saves this close together are one step (Save All, a format-on-save chain). */
const SAVE_GROUP_MS = 150;

interface ActiveDemo {
  ref: InstanceRef;
  recorder: DemoRecorder;
  control: ControlShell;
  workspaceDir: string;
  pendingSaves: Set<string>;
  saveTimer?: NodeJS.Timeout;
  lastRunId?: string;
  /** Milliseconds from a save event to its step on disk, for the figures (bench, tests). */
  saveLatencies: number[];
}

export interface DemoFinished {
  ref: InstanceRef;
  trajectory: ClosedTrajectory;
  /** The closed trajectory file. */
  file: string;
}

export interface DemoDeps {
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  state: StateStore;
  settings: Settings;
  runtimes: RuntimeProvider;
  globalStorage: vscode.Uri;
  sessionId: string;
  log: Logger;
}

/**
 * One demonstration at a time: starts a recorder on an instance's dev container, feeds it saves
 * (grouped), changes made outside the editor (scans when a command is entered or the terminal is
 * focused), the commands typed in the instance's container terminal, hidden-test runs and reveals;
 * pauses, resumes (also after a crash, from the log), finishes (graded) or discards it.
 */
export class DemoController extends Disposable {
  private active: ActiveDemo | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly finished = this.register(new vscode.EventEmitter<DemoFinished>());
  /** A demonstration was finished and graded (annotation questions and campaigns follow it). */
  readonly onDidFinish = this.finished.event;

  constructor(private readonly d: DemoDeps) {
    super();
    d.devContainers.terminalHooks = (id) =>
      this.active && this.active.ref.instance.instance_id === id && this.active.recorder.state === 'recording'
        ? { beforeCommand: () => this.safely(this.active?.recorder.scan('scan')), onCommand: (c) => void this.safely(this.active?.recorder.recordCommand(c)) }
        : undefined;
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => this.onSave(doc.uri)));
    this.register(vscode.window.onDidChangeActiveTerminal(() => void this.safely(this.active?.recorder.scan('scan'))));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.active && e.contentChanges.length && this.active.recorder.touch()));
    this.register(d.state.onDidChange((id) => this.onStateChange(id)));
    this.register({ dispose: () => this.detach() });
  }

  get current(): { instanceId: string; recorder: DemoRecorder; saveLatencies: readonly number[] } | undefined {
    const a = this.active;
    return a ? { instanceId: a.ref.instance.instance_id, recorder: a.recorder, saveLatencies: a.saveLatencies } : undefined;
  }

  /** Where demonstrations are written: one run folder per annotator. */
  runDir(): string {
    return demoRunDir(this.outputRoot(), this.annotator());
  }

  /** Logs of demonstrations that were never finished nor discarded (a crash, a reload). */
  interrupted(): InterruptedDemo[] {
    return findInterrupted(this.runDir());
  }

  async start(ref: InstanceRef): Promise<DemoRecorder> {
    const id = ref.instance.instance_id;
    if (this.active) throw new Error(`A demonstration of ${this.active.ref.instance.instance_id} is being recorded: finish or discard it first.`);
    const waiting = this.interrupted().find((x) => x.instanceId === id);
    if (waiting) return this.resumeInterrupted(ref, waiting.eventsPath);
    const { container, workspaceDir, control, python } = await this.attach(ref);
    const dir = this.runDir();
    const recorder = DemoRecorder.start({
      dir,
      runId: path.basename(dir),
      instance: ref.instance,
      index: nextDemoIndex(dir, id),
      workspace: new ContainerWorkspace(control, '/testbed', ref.instance.base_commit, workspaceDir),
      python,
      ...(this.annotator() ? { annotator: this.annotator() } : {}),
      config: { dataset: ref.entry.source, container: container.name },
    });
    this.activate(ref, recorder, control, workspaceDir);
    const revealed = this.d.state.get(id).revealed;
    if (revealed?.gold) recorder.recordReveal('gold_patch', { at: revealed.gold.at, beforeStart: true });
    if (revealed?.tests) recorder.recordReveal('test_names', { at: revealed.tests.at, beforeStart: true });
    // Changes already in the workspace (a reused one) are the first step: the replay starts from the base commit.
    await recorder.scan('start');
    this.d.log.info(`${id}: demonstration started (${recorder.eventsPath})`);
    return recorder;
  }

  /** Takes up an interrupted demonstration from its log. */
  async resumeInterrupted(ref: InstanceRef, eventsPath: string): Promise<DemoRecorder> {
    if (this.active) throw new Error('A demonstration is already being recorded.');
    const { workspaceDir, control, python } = await this.attach(ref);
    const recorder = DemoRecorder.resume(eventsPath, new ContainerWorkspace(control, '/testbed', ref.instance.base_commit, workspaceDir), python);
    this.activate(ref, recorder, control, workspaceDir);
    await recorder.scan('scan');
    this.d.log.info(`${ref.instance.instance_id}: demonstration resumed from ${eventsPath} (${recorder.stepCount} steps kept)`);
    return recorder;
  }

  pause(): void {
    this.require().recorder.pause();
    this.changed.fire();
  }

  async resume(): Promise<void> {
    const a = this.require();
    a.recorder.resume();
    this.changed.fire();
    await a.recorder.scan('scan');
  }

  setNote(text: string): void {
    this.require().recorder.setNote(text);
    this.changed.fire();
  }

  /** A recorded step's note, given or changed ('' removes it). */
  setStepNote(step: number, text: string): void {
    this.require().recorder.setStepNote(step, text);
    this.changed.fire();
  }

  /** Records what is left, takes the patch, grades it in a fresh container and closes the trajectory. */
  async finish(signal?: AbortSignal, onProgress?: (m: string) => void): Promise<ClosedTrajectory> {
    const a = this.require();
    if (a.recorder.state === 'paused') a.recorder.resume();
    await this.flushSaves(a);
    const s = this.d.settings;
    const { trajectory } = await finishDemonstration(a.recorder, {
      runtime: this.d.runtimes.get(),
      spec: specFor(a.ref, s),
      takePatch: () => this.d.devContainers.candidate(a.ref, signal),
      reward: { timeoutSeconds: s.timeoutSeconds },
      sessionId: this.d.sessionId,
      signal,
      onProgress,
    });
    this.d.log.info(`${a.ref.instance.instance_id}: demonstration finished, ${trajectory.reward?.resolved ? 'resolved' : 'not resolved'} (${a.recorder.jsonPath})`);
    this.end();
    this.finished.fire({ ref: a.ref, trajectory, file: a.recorder.jsonPath });
    return trajectory;
  }

  async discard(): Promise<void> {
    const a = this.require();
    await a.recorder.discard();
    this.d.log.info(`${a.ref.instance.instance_id}: demonstration discarded`);
    this.end();
  }

  /** Deletes an interrupted demonstration's log (never resumed): its steps are gone, the workspace is left as it is. */
  discardInterrupted(instanceId: string): void {
    const waiting = this.interrupted().find((x) => x.instanceId === instanceId);
    if (!waiting) throw new Error(`No interrupted demonstration of ${instanceId} to discard.`);
    removeDemoFiles(waiting.eventsPath);
    this.d.log.info(`${instanceId}: interrupted demonstration discarded (${waiting.eventsPath})`);
    this.changed.fire();
  }

  /** Lets go of the demonstration without ending it (window closing): its log stays resumable. */
  detach(): void {
    const a = this.active;
    if (!a) return;
    clearTimeout(a.saveTimer);
    a.recorder.detach();
    void a.control.close();
    this.active = undefined;
  }

  // ---- internals --------------------------------------------------------------------------------

  private async attach(ref: InstanceRef): Promise<{ container: NonNullable<ReturnType<DevContainerManager['containerOf']>>; workspaceDir: string; control: ControlShell; python: string }> {
    const id = ref.instance.instance_id;
    const container = this.d.devContainers.containerOf(id);
    const workspaceDir = this.d.devContainers.workspaceDir(id);
    if (!container || !workspaceDir) throw new Error(`${id} is not launched: launch it first, then start the demonstration.`);
    const problem = this.d.devContainers.checkHealth(id);
    if (problem) throw new Error(problem);
    const control = await ControlShell.start(container);
    // The interpreter the instance is tested with (the spec's), as the agent's shell reports it.
    const python = specFor(ref, this.d.settings).python.interpreter;
    const present = await control.run(`test -x ${shellQuote(python)}`);
    if (present.exitCode !== 0) this.d.log.warn(`${id}: ${python} (the spec's interpreter) is not in the container; command observations name it anyway.`);
    return { container, workspaceDir, control, python };
  }

  private activate(ref: InstanceRef, recorder: DemoRecorder, control: ControlShell, workspaceDir: string): void {
    this.active = { ref, recorder, control, workspaceDir, pendingSaves: new Set(), saveLatencies: [], lastRunId: this.d.state.get(ref.instance.instance_id).history?.[0]?.runId };
    void vscode.commands.executeCommand('setContext', 'sweGym.demo.recording', true);
    this.changed.fire();
  }

  private end(): void {
    const a = this.active;
    if (!a) return;
    clearTimeout(a.saveTimer);
    void a.control.close();
    this.active = undefined;
    void vscode.commands.executeCommand('setContext', 'sweGym.demo.recording', false);
    this.changed.fire();
  }

  private require(): ActiveDemo {
    if (!this.active) throw new Error('No demonstration is being recorded: start one with “SWE-Gym: Start Demonstration”.');
    return this.active;
  }

  private onSave(uri: vscode.Uri): void {
    const a = this.active;
    if (!a || uri.scheme !== 'file' || a.recorder.state !== 'recording') return;
    const rel = path.relative(a.workspaceDir, uri.fsPath);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return;
    const savedAt = Date.now();
    a.pendingSaves.add(rel.split(path.sep).join('/'));
    clearTimeout(a.saveTimer);
    a.saveTimer = setTimeout(() => void this.flushSaves(a, savedAt), SAVE_GROUP_MS);
  }

  private async flushSaves(a: ActiveDemo, savedAt = Date.now()): Promise<void> {
    clearTimeout(a.saveTimer);
    const paths = [...a.pendingSaves];
    a.pendingSaves.clear();
    if (!paths.length) return;
    // The grouping wait is the editor's idle time, not recording cost.
    const started = Math.max(savedAt, Date.now());
    // A synced workspace (remote engine, early launch): the saves reach the container first.
    await this.d.devContainers.synced.push(a.ref.instance.instance_id);
    await this.safely(a.recorder.recordPaths(paths, 'save'));
    a.saveLatencies.push(Date.now() - started);
    this.changed.fire();
  }

  private onStateChange(id: string): void {
    const a = this.active;
    if (!a || a.ref.instance.instance_id !== id) return;
    const record = this.d.state.get(id);
    const run = record.history?.[0];
    if (run && run.runId !== a.lastRunId && run.status !== 'cancelled') {
      a.lastRunId = run.runId;
      void this.safely(Promise.resolve().then(() => a.recorder.recordTestRun({ status: run.status, resolved: run.resolved, runId: run.runId })));
    }
    if (record.revealed?.gold) this.safe(() => a.recorder.recordReveal('gold_patch', { at: record.revealed?.gold?.at }));
    if (record.revealed?.tests) this.safe(() => a.recorder.recordReveal('test_names', { at: record.revealed?.tests?.at }));
    this.changed.fire();
  }

  private safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.d.log.warn(`Demonstration: ${errorMessage(err)}`);
    }
  }

  private async safely(p: Promise<unknown> | undefined): Promise<void> {
    try {
      await p;
    } catch (err) {
      this.d.log.warn(`Demonstration: recording failed: ${errorMessage(err)}`);
      void vscode.window.showWarningMessage(`The demonstration could not record a change: ${errorMessage(err)}`);
    }
    this.changed.fire();
  }

  private annotator(): string | undefined {
    return demoAnnotator();
  }

  private outputRoot(): string {
    return demoOutputRoot(this.d.globalStorage);
  }
}
