import * as vscode from 'vscode';
import type { TaskInstance } from '../../core/dataset/taskInstance';
import { describeInstallStep } from '../../core/harness/installStep';
import type { RunRecord, RunTestResult, TestGroup } from '../../shared/runRecord';
import type { StateStore } from '../state/stateStore';
import { Disposable } from '../util/disposable';
import { hiddenLabel, hiddenTestsOf, redactLog } from './redactLog';
import { failureTexts } from './testLogSections';

const GROUPS: TestGroup[] = ['FAIL_TO_PASS', 'PASS_TO_PASS'];
const REVEAL_HINT = 'reveal test names on the instance page';

/** What the extension's API reports of a test item (tests cannot read Test Results). */
export interface TestItemReport {
  id: string;
  label: string;
  description: string;
  outcome: 'passed' | 'failed' | 'skipped' | 'errored' | 'none';
  message?: string;
  expected?: string;
  actual?: string;
}

/**
 * The hidden tests in VS Code's Test Explorer: instance -> FAIL_TO_PASS / PASS_TO_PASS -> test.
 * An instance appears once it has been run (or its tests revealed). Until the names are revealed
 * its tests are labelled by position and every text from the log is redacted, so the explorer does
 * not give away what the page hides; a reveal relabels them at once (the next run's texts are in full).
 */
export class HiddenTestsController extends Disposable {
  readonly controller = this.register(vscode.tests.createTestController('sweGymHiddenTests', 'SWE-Gym hidden tests'));
  private readonly reports = new Map<string, TestItemReport>();
  private readonly instances = new Map<string, TaskInstance>();
  private readonly runMs = new Map<string, number>();
  private runHandler: RunRequestHandler | undefined;

  constructor(private readonly state: StateStore) {
    super();
    this.register(
      this.controller.createRunProfile('Run hidden tests', vscode.TestRunProfileKind.Run, (request, token) => this.onRunRequest(request, token), true),
    );
    // However the names get revealed (page, command, the full log), the explorer follows at once.
    this.register(state.onDidChange((id) => this.onStateChange(id)));
  }

  setRunHandler(handler: RunRequestHandler): void {
    this.runHandler = handler;
  }

  private revealed(id: string): boolean {
    return !!this.state.get(id).revealed?.tests;
  }

  /** Builds (or relabels) the items of one instance. */
  ensureItems(instance: TaskInstance): vscode.TestItem {
    const id = instance.instance_id;
    const revealed = this.revealed(id);
    this.instances.set(id, instance);
    let root = this.controller.items.get(id);
    if (!root) {
      root = this.controller.createTestItem(id, id);
      this.controller.items.add(root);
    }
    for (const group of GROUPS) {
      const names = group === 'FAIL_TO_PASS' ? instance.FAIL_TO_PASS : instance.PASS_TO_PASS;
      const groupId = `${id}/${group}`;
      let groupItem = root.children.get(groupId);
      if (!groupItem) {
        groupItem = this.controller.createTestItem(groupId, `${group} (${names.length})`);
        root.children.add(groupItem);
      }
      const items = names.map((name, index) => {
        const itemId = `${groupId}/${index}`;
        const item = groupItem.children.get(itemId) ?? this.controller.createTestItem(itemId, '');
        item.label = revealed ? name : hiddenLabel(group, index, names.length);
        // An empty string, not undefined: an undefined field is not sent to the workbench, so the hint stayed.
        item.description = revealed ? '' : REVEAL_HINT;
        const report = this.reports.get(itemId);
        if (report) Object.assign(report, { label: item.label, description: item.description });
        return item;
      });
      groupItem.children.replace(items);
    }
    return root;
  }

  /**
   * A Test Explorer run from the start of an evaluation to its verdict, so its duration is the real
   * one (a run created with the verdict lasted 2 ms). pytest's -rA output has no per-test times, so
   * the tests themselves carry none rather than made-up ones.
   */
  beginRun(instance: TaskInstance): vscode.TestRun {
    const id = instance.instance_id;
    const root = this.ensureItems(instance);
    const run = this.controller.createTestRun(new vscode.TestRunRequest([root]), `Hidden tests of ${id}${this.revealed(id) ? '' : ' (names hidden)'}`, false);
    root.children.forEach((g) => g.children.forEach((t) => run.started(t)));
    return run;
  }

  /** Ends a run from beginRun and remembers how long it lasted (for the API). */
  endRun(instanceId: string, run: vscode.TestRun, startedAt: number): void {
    run.end();
    this.runMs.set(instanceId, Date.now() - startedAt);
  }

  /** How long the instance's last run lasted in the Test Explorer, from the click to the verdict. */
  lastRunMs(instanceId: string): number | undefined {
    return this.runMs.get(instanceId);
  }

  /** Puts a finished run's verdict and each test's part of the log on the items. */
  publish(instance: TaskInstance, record: RunRecord, log: string, existing?: vscode.TestRun): void {
    const id = instance.instance_id;
    const revealed = this.revealed(id);
    const root = this.ensureItems(instance);
    const run = existing ?? this.controller.createTestRun(new vscode.TestRunRequest([root]), `Hidden tests of ${id}${revealed ? '' : ' (names hidden)'}`, false);
    const shown = (text: string) => (revealed ? text : redactLog(text, hiddenTestsOf(instance)));
    const outcomes = new Map<string, RunTestResult>();
    for (const t of record.tests ?? []) outcomes.set(`${id}/${t.group}/${t.index}`, t);
    const graded = record.status === 'resolved' || record.status === 'unresolved';
    const allIds = [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS];
    const texts = graded ? failureTexts(log, allIds) : new Map();
    const install = describeInstallStep(record.install);
    root.description = install ? install.replace(/:.*$/, '').replace(/^I/, 'i') : '';
    for (const group of GROUPS) {
      const names = group === 'FAIL_TO_PASS' ? instance.FAIL_TO_PASS : instance.PASS_TO_PASS;
      const groupItem = root.children.get(`${id}/${group}`);
      groupItem?.children.forEach((item) => {
        const t = outcomes.get(item.id);
        const testId = names[Number(item.id.slice(item.id.lastIndexOf('/') + 1))] ?? '';
        const report: TestItemReport = { id: item.id, label: item.label, description: item.description ?? '', outcome: 'none' };
        if (!graded || !t) {
          const why = shown(record.error ?? `The run ended with ${record.status.replace(/_/g, ' ')}.`);
          report.outcome = 'errored';
          report.message = install ? `${why}\n\n${install}` : why;
          run.errored(item, new vscode.TestMessage(report.message));
        } else if (t.outcome === 'passed') {
          report.outcome = 'passed';
          run.passed(item);
        } else if (t.outcome === 'skipped') {
          report.outcome = 'skipped';
          run.skipped(item);
        } else {
          const found = texts.get(testId);
          const head = `${t.status} (${group}) under ${record.rules ?? 'the dataset rules'}`;
          report.outcome = 'failed';
          report.message = [head, install, found ? shown(found.text) : 'pytest printed no section for this test: see the Test log.'].filter(Boolean).join('\n\n');
          const message = found?.expected !== undefined && found.actual !== undefined ? vscode.TestMessage.diff(report.message, shown(found.expected), shown(found.actual)) : new vscode.TestMessage(report.message);
          if (found?.expected !== undefined && found.actual !== undefined) Object.assign(report, { expected: shown(found.expected), actual: shown(found.actual) });
          run.failed(item, message);
        }
        this.reports.set(item.id, report);
      });
    }
    // Test Results shows this as the run's output (it said "did not record any output").
    const summary = [install, log ? shown(log) : record.error ? shown(record.error) : ''].filter(Boolean).join('\n\n');
    if (summary) run.appendOutput(`${summary.replace(/\r?\n/g, '\r\n')}\r\n`, undefined, root);
    if (!existing) run.end();
  }

  outcomes(instanceId: string): TestItemReport[] {
    const root = this.controller.items.get(instanceId);
    const out: TestItemReport[] = [];
    root?.children.forEach((g) =>
      g.children.forEach((t) => out.push(this.reports.get(t.id) ?? { id: t.id, label: t.label, description: t.description ?? '', outcome: 'none' })),
    );
    return out;
  }

  /** The description the explorer shows on an instance's row (the install step's state). */
  describeInstance(instanceId: string): string {
    return this.controller.items.get(instanceId)?.description ?? '';
  }

  private onStateChange(id: string): void {
    const instance = this.instances.get(id);
    // Relabel only: publishing the last run again would make a 2 ms run the one the explorer shows.
    if (instance && this.controller.items.get(id) && this.revealed(id)) this.ensureItems(instance);
  }

  private async onRunRequest(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const ids = new Set<string>();
    const collect = (item: vscode.TestItem) => ids.add(item.id.split('/')[0] ?? item.id);
    if (request.include) request.include.forEach(collect);
    else this.controller.items.forEach(collect);
    const run = this.controller.createTestRun(request, 'Hidden tests', false);
    try {
      for (const id of ids) {
        if (token.isCancellationRequested) break;
        const root = this.controller.items.get(id);
        root?.children.forEach((g) => g.children.forEach((t) => run.started(t)));
        const startedAt = Date.now();
        await this.runHandler?.(id, run, token);
        this.runMs.set(id, Date.now() - startedAt);
      }
    } finally {
      run.end();
    }
  }
}

export type RunRequestHandler = (instanceId: string, run: vscode.TestRun, token: vscode.CancellationToken) => Promise<void>;
