import * as vscode from 'vscode';
import type { InstanceRef } from '../datasets/datasetStore';
import type { EvaluationService } from '../evaluation/evaluationService';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import type { Logger } from '../util/logger';

/** Quiet time after the last change before the diff is taken again (a save, a `sed -i`, a checkout). */
export const CANDIDATE_DEBOUNCE_MS = 600;

/**
 * Keeps an open page's "Your changes" current: watches the instance's workspace folder (saves in
 * the editor and writes from the terminal alike) while it runs, and retakes the diff once changes
 * settle. `.git/` is ignored: taking the diff may itself touch the index.
 */
export class CandidateWatcher extends Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private watchedDir: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  private again = false;

  constructor(
    private readonly ref: InstanceRef,
    private readonly devContainers: DevContainerManager,
    private readonly evaluation: EvaluationService,
    private readonly log: Logger,
  ) {
    super();
    const id = ref.instance.instance_id;
    this.register(devContainers.onDidChange((changed) => changed === id && this.sync()));
    this.register(vscode.workspace.onDidSaveTextDocument((doc) => this.watchedDir && doc.uri.fsPath.startsWith(this.watchedDir) && this.schedule()));
    this.register({ dispose: () => this.unwatch() });
    this.sync();
  }

  private sync(): void {
    const id = this.ref.instance.instance_id;
    const dir = this.devContainers.isRunning(id) ? this.devContainers.workspaceDir(id) : undefined;
    if (dir === this.watchedDir) return;
    this.unwatch();
    if (!dir) return;
    this.watchedDir = dir;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '**/*'));
    const onEvent = (uri: vscode.Uri) => {
      if (!/[\\/]\.git([\\/]|$)/.test(uri.fsPath.slice(dir.length))) this.schedule();
    };
    this.watcher.onDidChange(onEvent);
    this.watcher.onDidCreate(onEvent);
    this.watcher.onDidDelete(onEvent);
    if (!this.evaluation.lastCandidate(id)) this.schedule();
  }

  private unwatch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.dispose();
    this.watcher = undefined;
    this.watchedDir = undefined;
  }

  private schedule(): void {
    if (this.isDisposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, CANDIDATE_DEBOUNCE_MS);
  }

  private async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const id = this.ref.instance.instance_id;
    if (!this.devContainers.isRunning(id)) return;
    this.inFlight = this.evaluation.refreshCandidate(this.ref).catch((err: unknown) => this.log.warn(`${id}: could not refresh the diff: ${err instanceof Error ? err.message : String(err)}`));
    await this.inFlight;
    this.inFlight = undefined;
    if (this.again) {
      this.again = false;
      this.schedule();
    }
  }
}
