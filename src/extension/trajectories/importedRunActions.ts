import * as vscode from 'vscode';
import { evaluateInstance } from '../../core/harness/evaluateInstance';
import { newRunId } from '../../core/harness/runId';
import { abortError } from '../../core/util/abortError';
import { replayTrajectory, type ReplayReport } from '../../core/replay/replayTrajectory';
import type { GradeView, ReplayView, TrajectoryBusy } from '../../shared/trajectoryView';
import type { Settings } from '../config';
import type { DatasetStore, InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import { anySignal } from '../util/cancellation';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';
import type { ImportedRunStore } from './importedRunStore';

/** A step's recorded-against-replayed diff is clipped here in the view (the full texts stay in the report). */
const MAX_VERDICT_DIFF = 20_000;

/**
 * Grade and Replay of imported runs. Grade runs our harness on the run's final patch in a fresh
 * container; Replay plays its actions again in a fresh container (paths mapped), keeps the
 * workspace diff after every step and classifies every observation. One operation per run at a
 * time, each cancellable; the containers are the core's and go with it.
 */
export class ImportedRunActions extends Disposable {
  private readonly running = new Map<string, { view: TrajectoryBusy; instanceId: string; controller: AbortController }>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose busy state changed. */
  readonly onDidChangeBusy = this.changed.event;

  constructor(
    private readonly store: ImportedRunStore,
    private readonly datasets: DatasetStore,
    private readonly runtimes: RuntimeProvider,
    private readonly settings: Settings,
    private readonly sessionId: string,
    private readonly log: Logger,
  ) {
    super();
    this.register({ dispose: () => this.cancelAll() });
  }

  busyOf(instanceId: string): TrajectoryBusy | null {
    for (const r of this.running.values()) if (r.instanceId === instanceId) return { ...r.view };
    return null;
  }

  cancel(rolloutId: string): void {
    this.running.get(rolloutId)?.controller.abort();
  }

  cancelAll(): void {
    for (const r of this.running.values()) r.controller.abort();
  }

  /** Our harness's grade of the run's final patch, kept on its row. */
  grade(rolloutId: string, signal?: AbortSignal): Promise<GradeView> {
    return this.busy(rolloutId, 'grade', 'Grading the final patch', signal, async (ref, s, report) => {
      const t = await this.store.trajectory(rolloutId);
      if (t.patch === null) throw new Error(`The file of this run records no final patch, so there is nothing to grade (${t.imported?.file ?? rolloutId}).`);
      const started = Date.now();
      const result = await evaluateInstance(this.runtimes.get(), specFor(ref, this.settings), t.patch, {
        runId: newRunId('import'),
        modelName: t.model,
        timeoutSeconds: this.settings.timeoutSeconds,
        sessionId: this.sessionId,
        signal: s,
        onProgress: report,
      });
      if (s.aborted) throw abortError('The grade');
      const grade: GradeView = { status: result.status, resolved: result.resolved, at: new Date().toISOString(), durationMs: Date.now() - started, ...(result.error ? { error: result.error } : {}) };
      await this.store.setGrade(rolloutId, grade);
      this.log.info(`${ref.instance.instance_id}: imported run ${rolloutId} graded ${result.status} (the file says ${describeRecorded(this.store.row(rolloutId)?.recordedResolved ?? null)})`);
      return grade;
    });
  }

  /**
   * Replays the run in a fresh container: the workspace diff after every step, every step's
   * verdict, the first divergence; with `reward`, also the hidden tests on the replayed patch.
   */
  replay(rolloutId: string, options: { reward: boolean }, signal?: AbortSignal): Promise<ReplayView> {
    return this.busy(rolloutId, options.reward ? 'replay' : 'diffs', options.reward ? 'Replaying in a fresh container' : 'Computing the diffs by replaying in a fresh container', signal, async (ref, s, report) => {
      const t = await this.store.trajectory(rolloutId);
      const diffs: (string | null)[] = Array.from({ length: t.steps }, () => null);
      report('Starting a fresh container');
      const r = await replayTrajectory(this.runtimes.get(), ref.entry.dataset as NonNullable<InstanceRef['entry']['dataset']>, t, {
        imageTemplate: this.settings.imageTemplate,
        allowPull: this.settings.allowPull,
        skipInstall: this.settings.skipInstall,
        sessionId: this.sessionId,
        signal: s,
        reward: options.reward ? { timeoutSeconds: this.settings.timeoutSeconds } : false,
        workspaceDiffEachStep: true,
        onRollout: (rollout) =>
          rollout.events.subscribe((e) => {
            if (e.type === 'step_started') report(`Step ${e.step} of ${t.steps}`);
            else if (e.type === 'workspace_diff' && e.step >= 1 && e.step <= diffs.length) diffs[e.step - 1] = e.patch;
            else if (e.type === 'patch' && options.reward) report('Running the hidden tests on the replayed patch');
          }),
      });
      if (s.aborted || r.result.exitReason === 'cancelled') throw abortError('The replay');
      const view = replayView(r);
      await this.store.setReplay(rolloutId, { diffs, replay: view });
      this.log.info(`${ref.instance.instance_id}: replayed imported run ${rolloutId}: ${view.counts.same} same, ${view.counts.noise} noise, ${view.counts.different} different${view.firstDivergence ? `, first divergence at step ${view.firstDivergence.step}` : ''}`);
      return view;
    });
  }

  private async busy<T>(rolloutId: string, what: TrajectoryBusy['what'], title: string, callerSignal: AbortSignal | undefined, work: (ref: InstanceRef, signal: AbortSignal, report: (m: string) => void) => Promise<T>): Promise<T> {
    const row = this.store.row(rolloutId);
    if (!row) throw new Error(`No imported run ${rolloutId}.`);
    const ref = this.datasets.find(row.instanceId, row.datasetSource) ?? this.datasets.find(row.instanceId);
    if (!ref?.entry.dataset) throw new Error(`${row.instanceId} is in no open dataset (it was imported from ${row.datasetSource}); open that dataset first.`);
    const other = this.busyOf(row.instanceId);
    if (other) throw new Error(`${row.instanceId} is busy (${other.message}); wait for it or cancel it first.`);
    const controller = new AbortController();
    const entry = { view: { rolloutId, what, message: title }, instanceId: row.instanceId, controller };
    this.running.set(rolloutId, entry);
    this.changed.fire(row.instanceId);
    const report = (m: string) => {
      entry.view = { rolloutId, what, message: `${title}: ${m}` };
      this.changed.fire(row.instanceId);
    };
    try {
      return await work(ref, anySignal([controller.signal, callerSignal]), report);
    } finally {
      this.running.delete(rolloutId);
      this.changed.fire(row.instanceId);
    }
  }
}

function clip(text: string): string {
  return text.length > MAX_VERDICT_DIFF ? `${text.slice(0, MAX_VERDICT_DIFF)}\n… (clipped)` : text;
}

function describeRecorded(r: boolean | null): string {
  return r === null ? 'nothing' : r ? 'resolved' : 'not resolved';
}

export function replayView(r: ReplayReport): ReplayView {
  return {
    at: new Date().toISOString(),
    exitReason: r.result.exitReason,
    ...(r.result.message ? { message: r.result.message } : {}),
    counts: r.counts,
    firstDivergence: r.firstDivergence,
    pathMap: r.pathMap.map((m) => ({ from: m.from, to: m.to })),
    patch: r.patch,
    recordedResolved: r.recordedResolved,
    replayedResolved: r.result.resolved ?? null,
    rewardMatches: r.rewardMatches,
    steps: r.steps.map((s) => ({
      step: s.step,
      toolCallId: s.toolCallId,
      tool: s.tool,
      verdict: s.verdict,
      noise: [...s.noise],
      ...(s.diff ? { diff: clip(s.diff) } : {}),
      ...(s.verdict === 'different' ? { recorded: clip(s.recorded), replayed: clip(s.replayedInRecordedPaths) } : {}),
    })),
  };
}
