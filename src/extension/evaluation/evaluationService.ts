import * as vscode from 'vscode';
import { evaluateInstance } from '../../core/harness/evaluateInstance';
import { newRunId } from '../../core/harness/runId';
import type { ContainerRuntime } from '../../core/runtime/containerRuntime';
import { WarmContainers } from '../../core/runtime/warmContainers';
import { patchStats, type PatchStats } from '../../shared/patchStats';
import type { RunRecord } from '../../shared/runRecord';
import type { Settings } from '../config';
import type { InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import type { BusyTracker } from '../devContainers/busyTracker';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { StateStore } from '../state/stateStore';
import type { HiddenTestsController } from '../testing/hiddenTests';
import { hiddenTestsOf, redactLog } from '../testing/redactLog';
import { isAbortError } from '../util/cancellation';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import { cancelledRecord, describeRun, toRunRecord } from './runRecord';

/** Full logs kept per instance for a later reveal (the output channel only ever gets redacted ones before it). */
const KEPT_LOGS = 5;

export interface CandidateView {
  patch: string;
  stats: PatchStats;
  at: string;
}

/**
 * Run hidden tests: the candidate is the workspace's diff against the base commit; it is graded
 * in a fresh container by the core harness, so the hidden test patch never touches the user's
 * container or workspace.
 */
export class EvaluationService extends Disposable {
  readonly testLog = this.register(vscode.window.createOutputChannel('SWE-Gym Studio: Test Log', 'log'));
  private readonly candidates = new Map<string, CandidateView>();
  private readonly fullLogs = new Map<string, string[]>();
  /** What the Test log channel was given, newest last (the API's view of it: channels cannot be read back). */
  private shown = '';
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.changed.event;
  /** After a grade, the next never-used eval container of that instance waits (while its dev container is up). */
  private warm: WarmContainers | undefined;

  constructor(
    private readonly runtimes: RuntimeProvider,
    private readonly devContainers: DevContainerManager,
    private readonly state: StateStore,
    private readonly busy: BusyTracker,
    private readonly tests: HiddenTestsController,
    private readonly settings: Settings,
    private readonly sessionId: string,
    private readonly log: Logger,
  ) {
    super();
    // A reveal from anywhere (page, command, the full-log prompt) appends the runs' full logs.
    this.register(state.onDidChange((id) => this.onStateChange(id)));
    this.register(devContainers.onDidChange((id) => {
      if (!devContainers.isRunning(id)) void this.warm?.discard({ instanceId: id });
    }));
    this.register({ dispose: () => void this.warm?.dispose() });
  }

  /** Removes the eval container waiting for this instance's next grade, if one waits. */
  async discardWarm(instanceId: string): Promise<void> {
    await this.warm?.discard({ instanceId });
  }

  private warmFor(runtime: ContainerRuntime): WarmContainers {
    if (this.warm?.runtime !== runtime) {
      void this.warm?.dispose();
      this.warm = new WarmContainers(runtime, { onWarning: (m) => this.log.warn(m) });
    }
    return this.warm;
  }

  shownTestLog(): string {
    return this.shown;
  }

  private append(text: string): void {
    this.testLog.appendLine(text);
    this.shown = (this.shown + text + '\n').slice(-1_000_000);
  }

  /** Whether the Test log holds runs of this instance shown redacted (its test names are hidden). */
  hasRedactedLog(instanceId: string): boolean {
    return !!this.fullLogs.get(instanceId)?.length && !this.state.get(instanceId).revealed?.tests;
  }

  lastCandidate(instanceId: string): CandidateView | undefined {
    return this.candidates.get(instanceId);
  }

  async refreshCandidate(ref: InstanceRef, signal?: AbortSignal): Promise<CandidateView> {
    const patch = await this.devContainers.candidate(ref, signal);
    const view = { patch, stats: patchStats(patch), at: new Date().toISOString() };
    this.candidates.set(ref.instance.instance_id, view);
    this.changed.fire(ref.instance.instance_id);
    return view;
  }

  async run(ref: InstanceRef, options: { signal?: AbortSignal; testRun?: vscode.TestRun } = {}): Promise<RunRecord> {
    const { instance } = ref;
    const id = instance.instance_id;
    if (!this.devContainers.isRunning(id)) throw new Error(`${id} is not launched: launch it, edit the workspace, then run the hidden tests.`);
    const problem = this.devContainers.checkHealth(id);
    if (problem) throw new Error(problem);
    const goldSeen = !!this.state.get(id).revealed?.gold;
    const runId = newRunId('studio');
    const started = Date.now();
    let testLog = '';
    // A run of its own from the click on, unless the Test Explorer started this one.
    const ownRun = options.testRun ? undefined : this.tests.beginRun(instance);
    let record: RunRecord;
    try {
      record = await this.evaluate(ref, runId, started, goldSeen, options.signal, (log) => (testLog = log));
      await this.state.addRun(id, record);
      if (record.status !== 'cancelled') this.tests.publish(instance, record, testLog, options.testRun ?? ownRun);
    } finally {
      if (ownRun) this.tests.endRun(id, ownRun, started);
    }
    this.log.info(`${id}: ${describeRun(record)} in ${record.durationMs} ms (run ${runId})`);
    return record;
  }

  private evaluate(ref: InstanceRef, runId: string, started: number, goldSeen: boolean, callerSignal: AbortSignal | undefined, keepLog: (log: string) => void): Promise<RunRecord> {
    const { instance } = ref;
    const id = instance.instance_id;
    let candidate: CandidateView | undefined;
    return this.busy.run(
      id,
      'runTests',
      `Running the hidden tests of ${id}`,
      async (signal, report) => {
        try {
          report('Taking the workspace diff against the base commit');
          candidate = await this.refreshCandidate(ref, signal);
          const runtime = this.runtimes.get();
          const spec = specFor(ref, this.settings);
          const result = await evaluateInstance(runtime, spec, candidate.patch, {
            runId,
            modelName: 'human',
            timeoutSeconds: this.settings.timeoutSeconds,
            sessionId: this.sessionId,
            warm: this.warmFor(runtime),
            keepWarm: this.devContainers.isRunning(id),
            signal,
            onProgress: (m) => report(m),
          });
          this.writeLog(ref, result.run_id, result.status, result.testLog, result.applyLog, result.error, result.warnings);
          keepLog(result.testLog);
          return toRunRecord(spec, result, candidate.stats, goldSeen);
        } catch (err) {
          if (isAbortError(err, signal)) {
            await this.removeEvalLeftovers(id);
            // The engine may finish creating a container whose request was cancelled a moment later.
            setTimeout(() => void this.removeEvalLeftovers(id), 3000);
            return cancelledRecord(runId, started, candidate?.stats, goldSeen);
          }
          throw err;
        }
      },
      callerSignal,
    );
  }

  /**
   * A cancel that lands while the engine is creating the container can leave it created but never
   * started (so never auto-removed): sweep this window's evaluation containers of the instance.
   */
  private async removeEvalLeftovers(instanceId: string): Promise<void> {
    try {
      const runtime = this.runtimes.get();
      const left = await runtime.listOurContainers({ sessionId: this.sessionId, instanceId, purpose: 'eval' });
      await Promise.all(left.map((c) => runtime.removeContainer(c.id)));
      if (left.length) this.log.info(`${instanceId}: removed ${left.length} evaluation container(s) left by the cancelled run`);
    } catch (err) {
      this.log.warn(`${instanceId}: could not sweep evaluation containers after the cancel: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private writeLog(ref: InstanceRef, runId: string, status: string, testLog: string, applyLog: string, error: string | undefined, warnings: string[]): void {
    const id = ref.instance.instance_id;
    const lines = [`===== ${id} · run ${runId} · ${status} · ${new Date().toISOString()} =====`];
    if (error) lines.push(`error: ${error}`);
    for (const w of warnings) lines.push(`warning: ${w}`);
    if (applyLog.trim()) lines.push(`--- applying the candidate ---\n${applyLog.trimEnd()}`);
    lines.push(`--- test log ---\n${testLog.trimEnd() || '(empty)'}`, '');
    const full = lines.join('\n');
    if (this.state.get(id).revealed?.tests) {
      this.append(full);
      return;
    }
    this.fullLogs.set(id, [...(this.fullLogs.get(id) ?? []), full].slice(-KEPT_LOGS));
    this.append(redactLog(full, hiddenTestsOf(ref.instance)));
    this.append(`(${id}: test names are hidden, so this log is redacted. Reveal them on the instance page or with “SWE-Gym: Show Full Test Log”, which records the reveal.)\n`);
  }

  private onStateChange(id: string): void {
    const kept = this.fullLogs.get(id);
    if (!kept?.length || !this.state.get(id).revealed?.tests) return;
    this.fullLogs.delete(id);
    this.append(`===== ${id}: test names revealed; the full log of its ${kept.length === 1 ? 'last run' : `last ${kept.length} runs`} =====`);
    for (const block of kept) this.append(block);
  }
}
