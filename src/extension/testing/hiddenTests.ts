import * as vscode from 'vscode';
import type { TaskInstance } from '../../core/dataset/taskInstance';
import type { RunRecord, RunTestResult, TestGroup } from '../../shared/instancePage';
import type { StateStore } from '../state/stateStore';
import { Disposable } from '../util/disposable';

const GROUPS: TestGroup[] = ['FAIL_TO_PASS', 'PASS_TO_PASS'];

export type RunRequestHandler = (instanceId: string, run: vscode.TestRun, token: vscode.CancellationToken) => Promise<void>;

/**
 * The hidden tests in VS Code's Test Explorer: instance -> FAIL_TO_PASS / PASS_TO_PASS -> test.
 * An instance appears once it has been run (or its tests revealed). Until the names are revealed
 * its tests are labelled by position, so the explorer does not give away what the page hides.
 */
export class HiddenTestsController extends Disposable {
  readonly controller = this.register(vscode.tests.createTestController('sweGymHiddenTests', 'SWE-Gym hidden tests'));
  /** Last outcome per test item id, for the extension's API (tests cannot read Test Results). */
  private readonly lastOutcome = new Map<string, 'passed' | 'failed' | 'skipped' | 'errored'>();
  private runHandler: RunRequestHandler | undefined;

  constructor(private readonly state: StateStore) {
    super();
    this.register(
      this.controller.createRunProfile('Run hidden tests', vscode.TestRunProfileKind.Run, (request, token) => this.onRunRequest(request, token), true),
    );
  }

  setRunHandler(handler: RunRequestHandler): void {
    this.runHandler = handler;
  }

  /** Builds (or relabels) the items of one instance. */
  ensureItems(instance: TaskInstance): vscode.TestItem {
    const id = instance.instance_id;
    const revealed = !!this.state.get(id).revealed?.tests;
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
        item.label = revealed ? name : `hidden test ${index + 1} of ${names.length}`;
        item.description = revealed ? undefined : 'reveal test names on the instance page';
        return item;
      });
      groupItem.children.replace(items);
    }
    return root;
  }

  /** Puts a finished run's verdict on the items, in `run` or in a run of its own. */
  publish(instance: TaskInstance, record: RunRecord, existing?: vscode.TestRun): void {
    const root = this.ensureItems(instance);
    const run = existing ?? this.controller.createTestRun(new vscode.TestRunRequest([root]), `Hidden tests of ${instance.instance_id}`, false);
    const id = instance.instance_id;
    const outcomes = new Map<string, RunTestResult>();
    for (const t of record.tests ?? []) outcomes.set(`${id}/${t.group}/${t.index}`, t);
    const graded = record.status === 'resolved' || record.status === 'unresolved';
    for (const group of GROUPS) {
      const groupItem = root.children.get(`${id}/${group}`);
      groupItem?.children.forEach((item) => {
        const t = outcomes.get(item.id);
        if (!graded || !t) {
          const why = record.error ?? `The run ended with ${record.status.replace(/_/g, ' ')}.`;
          run.errored(item, new vscode.TestMessage(why));
          this.lastOutcome.set(item.id, 'errored');
        } else if (t.outcome === 'passed') {
          run.passed(item);
          this.lastOutcome.set(item.id, 'passed');
        } else if (t.outcome === 'skipped') {
          run.skipped(item);
          this.lastOutcome.set(item.id, 'skipped');
        } else {
          run.failed(item, new vscode.TestMessage(`${t.status} (${group}) under ${record.rules ?? 'the dataset rules'}`));
          this.lastOutcome.set(item.id, 'failed');
        }
      });
    }
    if (!existing) run.end();
  }

  outcomes(instanceId: string): { id: string; label: string; outcome: string }[] {
    const root = this.controller.items.get(instanceId);
    const out: { id: string; label: string; outcome: string }[] = [];
    root?.children.forEach((g) => g.children.forEach((t) => out.push({ id: t.id, label: t.label, outcome: this.lastOutcome.get(t.id) ?? 'none' })));
    return out;
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
        await this.runHandler?.(id, run, token);
      }
    } finally {
      run.end();
    }
  }
}
