import * as vscode from 'vscode';
import type { RevealKind, SessionView } from '../shared/instancePage';
import type { RunRecord } from '../shared/runRecord';
import type { InstanceRef } from './datasets/datasetStore';
import type { DiffViews } from './diff/diffViews';
import type { EvaluationService } from './evaluation/evaluationService';
import { describeRun } from './evaluation/runRecord';
import type { DevContainerManager } from './devContainers/devContainerManager';
import type { StateStore } from './state/stateStore';
import type { HiddenTestsController } from './testing/hiddenTests';
import { errorMessage, type Logger } from './util/logger';

/** The instance actions, one implementation behind the page, the tree, the palette and the status bar. */
export class InstanceActions {
  /** Whether an instance's page is open (set once the pages exist, which are built on these actions). */
  isPageOpen: (instanceId: string) => boolean = () => false;

  constructor(
    private readonly devContainers: DevContainerManager,
    private readonly evaluation: EvaluationService,
    private readonly diffs: DiffViews,
    private readonly state: StateStore,
    private readonly tests: HiddenTestsController,
    private readonly log: Logger,
  ) {}

  /**
   * Launch, then show the folder and a terminal in the container. `reloading` says the window is
   * about to reload to add the folder: this extension host is on its way out, so whatever was to
   * follow the launch must wait for the next activation (which opens the terminal).
   */
  async launch(ref: InstanceRef, signal?: AbortSignal): Promise<SessionView & { reloading: boolean }> {
    const view = await this.devContainers.launch(ref, signal);
    const id = ref.instance.instance_id;
    if (this.devContainers.copyingToEditor(id)) {
      // An early launch: the prompt now, the folder once its files are all there.
      this.openTerminalAfterLaunch(id);
      if (!(await this.devContainers.hostCopied(id))) return { ...view, reloading: false };
      try {
        await this.devContainers.openWorkspace(id);
      } catch (err) {
        this.log.warn(`${id}: could not add the workspace folder: ${errorMessage(err)}`);
      }
      return { ...view, reloading: false };
    }
    await this.state.setTerminalPending(id, true, this.isPageOpen(id));
    let shown: Awaited<ReturnType<DevContainerManager['openWorkspace']>> = 'none';
    try {
      shown = await this.devContainers.openWorkspace(id);
    } catch (err) {
      this.log.warn(`${id}: could not add the workspace folder: ${errorMessage(err)}`);
    }
    if (shown === 'reloading') return { ...view, reloading: true };
    this.openTerminalAfterLaunch(id);
    return { ...view, reloading: false };
  }

  /** Also called after a reload that interrupted a launch (see SessionRecord.terminalPending). */
  openTerminalAfterLaunch(id: string): void {
    try {
      this.devContainers.openTerminal(id);
    } catch (err) {
      void vscode.window.showWarningMessage(`${id} is running, but no terminal could be opened: ${errorMessage(err)}`);
    }
    void this.state.setTerminalPending(id, false);
  }

  async runTests(ref: InstanceRef, signal?: AbortSignal): Promise<RunRecord> {
    const record = await this.evaluation.run(ref, { signal });
    const text = `${ref.instance.instance_id}: ${describeRun(record)}`;
    if (record.status === 'resolved') void vscode.window.showInformationMessage(text);
    else if (record.status !== 'cancelled') {
      void vscode.window.showWarningMessage(text + (record.error ? ` — ${record.error}` : ''), 'Show test log').then((pick) => {
        if (pick) void this.showTestLog(ref);
      });
    }
    return record;
  }

  async reveal(ref: InstanceRef, what: RevealKind): Promise<void> {
    await this.state.reveal(ref.instance.instance_id, what);
    if (what === 'tests' && this.tests.controller.items.get(ref.instance.instance_id)) this.tests.ensureItems(ref.instance);
    this.log.info(`${ref.instance.instance_id}: ${what === 'gold' ? 'gold patch' : 'test names'} revealed`);
  }

  /** Shows the Test log; while the instance's test names are hidden, says it is redacted and offers the reveal. */
  async showTestLog(ref?: InstanceRef): Promise<void> {
    this.evaluation.testLog.show(true);
    if (!ref || !this.evaluation.hasRedactedLog(ref.instance.instance_id)) return;
    const reveal = 'Reveal and show full log';
    const pick = await vscode.window.showInformationMessage(
      `The Test log of ${ref.instance.instance_id} is redacted: its test names are hidden. The full log shows them, so opening it is recorded as a reveal.`,
      reveal,
    );
    if (pick === reveal) await this.showFullTestLog(ref, false);
  }

  /** The full log names the hidden tests: opening it is a reveal, recorded like one. */
  async showFullTestLog(ref: InstanceRef, confirm = true): Promise<boolean> {
    const id = ref.instance.instance_id;
    if (confirm && !this.state.get(id).revealed?.tests) {
      const reveal = 'Reveal and Show';
      const pick = await vscode.window.showWarningMessage(`Show the full Test log of ${id}?`, { modal: true, detail: 'It names the hidden tests, so it reveals them; the reveal is recorded for this instance.' }, reveal);
      if (pick !== reveal) return false;
    }
    await this.reveal(ref, 'tests');
    this.evaluation.testLog.show(true);
    return true;
  }

  showDiff(ref: InstanceRef, against: 'base' | 'gold', signal?: AbortSignal): Promise<number> {
    return against === 'gold' ? this.diffs.showGoldDiff(ref, signal) : this.diffs.showCandidateDiff(ref, signal);
  }

  openTerminal(ref: InstanceRef): void {
    this.devContainers.openTerminal(ref.instance.instance_id);
  }

  async stop(ref: InstanceRef): Promise<void> {
    const id = ref.instance.instance_id;
    // The eval container waiting for this instance's next grade goes with its dev container.
    await Promise.all([this.devContainers.stop(id), this.evaluation.discardWarm(id)]);
  }
}
