/**
 * The Test Explorer and the Test log around a real run (textkit sample, real container, real pytest):
 * each failed test carries its own part of pytest's output with expected/actual, the run's real duration,
 * nothing of the hidden tests shows before the reveal, the reveal drops the hint and publishes the
 * full texts, and the install step says when it failed (a row whose install command fails, as
 * mypy's did with `No module named pip`) or was skipped (the setting).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import { headlinesOf } from '../../../src/extension/testing/testLogSections';
import type { SessionView } from '../../../src/shared/instancePage';
import type { RunRecord } from '../../../src/shared/runRecord';
import { containerExists, docker, getApi, git, setSetting } from './helpers';

const SOURCE_ID = 'swe-gym-studio__textkit-12';
const ID = 'swe-gym-studio__textkit-12-install';
const REPO_ROOT = path.resolve(__dirname, '../../../..');

describe('Test Explorer and Test log: per-test failure text, durations, redaction, install step', function () {
  this.timeout(300_000);
  let api: SweGymApi;
  let file: string;
  let ws: string;
  let containerId: string;
  let row: { FAIL_TO_PASS: string[]; PASS_TO_PASS: string[]; test_patch: string; patch: string };

  before(async () => {
    api = await getApi();
    const line = fs.readFileSync(path.join(REPO_ROOT, 'samples', 'samples.jsonl'), 'utf8').split('\n').find((l) => l.includes(`"${SOURCE_ID}"`));
    assert.ok(line, `${SOURCE_ID} is not in the samples`);
    // The sample with an install step that fails part-way and ends with a command that succeeds.
    row = { ...JSON.parse(line), instance_id: ID, install_cmd: 'python -m no_such_pip_module install -e .; hash -r' };
    const dir = fs.mkdtempSync(path.join(process.env.SWE_GYM_TEST_RUN_DIR ?? '/tmp', 'install-'));
    // The sample's repository sits beside its dataset file (a copy: links out of the dataset's folder are refused).
    fs.cpSync(path.join(REPO_ROOT, 'samples', 'tasks', 'textkit'), path.join(dir, 'tasks', 'textkit'), { recursive: true });
    file = path.join(dir, 'textkit-install.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(row)}\n`);
    const opened = (await vscode.commands.executeCommand('sweGym.openDataset', file)) as { instances: number } | undefined;
    assert.equal(opened?.instances, 1, api.notices.at(-1));
    const node = api.tree.getChildren(undefined).find((n) => n.kind === 'dataset' && n.entry.source === file);
    assert.ok(node);
    assert.equal(api.tree.getTreeItem(node).description, '1 instance · 1 repo');
  });

  after(async () => {
    await setSetting('evaluation.skipInstall', undefined);
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
    await api?.datasets.remove(file);
  });

  it('a failed install step is on the run record and the explorer, and the failed tests carry their own pytest section', async () => {
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID, file)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    containerId = view.containerId as string;
    // A running instance's row is not offered Launch Dev Container (inline or in its menu).
    const item = api.tree.nodeFor(ID);
    assert.ok(item);
    assert.equal(api.tree.getTreeItem(item).contextValue, 'instance.live');
    const menus = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, { command: string; when?: string }[]> } }).contributes.menus['view/item/context'] ?? [];
    const launchWhen = menus.filter((m) => m.command === 'sweGym.launch').map((m) => m.when ?? '');
    assert.ok(launchWhen.length > 0 && launchWhen.every((w) => w.includes('viewItem == instance') && !w.includes('=~')), launchWhen.join(' | '));
    fs.appendFileSync(path.join(ws, 'textkit', 'align.py'), '\n# looked at this, changed nothing\n');
    const record = (await vscode.commands.executeCommand('sweGym.runTests', ID, file)) as RunRecord | undefined;
    assert.ok(record, api.notices.at(-1));
    assert.equal(record.status, 'unresolved', record.error);
    assert.deepEqual(record.install && { state: record.install.state, exit: 'exitCode' in record.install ? record.install.exitCode : undefined }, { state: 'failed', exit: 1 });
    assert.ok(record.install?.state === 'failed' && /No module named no_such_pip_module/.test(record.install.tail), JSON.stringify(record.install));
    assert.match(api.hiddenTests.describeInstance(ID), /install step failed \(exit 1\)/);

    const reports = api.hiddenTests.outcomes(ID);
    const failed = reports.filter((r) => r.outcome === 'failed');
    assert.equal(failed.length, row.FAIL_TO_PASS.length, JSON.stringify(reports.map((r) => r.outcome)));
    for (const r of failed) {
      assert.match(r.message ?? '', /Install step failed \(exit 1\)/);
      assert.match(r.message ?? '', /Error|assert/, `${r.id} has pytest's failure text: ${r.message}`);
      assert.equal(r.description, 'reveal test names on the instance page');
    }
    // The explorer's run lasts from the click to the verdict (it lasted 2 ms, created with the verdict).
    const runMs = api.hiddenTests.lastRunMs(ID) ?? 0;
    assert.ok(runMs >= (record.testsMs ?? Infinity) && runMs >= record.durationMs, `run ${runMs} ms, tests ${record.testsMs} ms, evaluation ${record.durationMs} ms`);
    assert.ok(failed.some((r) => r.expected !== undefined && r.actual !== undefined && r.expected !== r.actual), 'an assert == shows expected and actual');
    // Each message is its own test's section: no two failed tests share the same text.
    assert.equal(new Set(failed.map((r) => r.message)).size, failed.length);
  });

  it('before the reveal nothing shows a hidden test id or name: explorer labels and messages, the Test log, the page state', () => {
    const hiddenNames = [...row.FAIL_TO_PASS, ...row.PASS_TO_PASS].flatMap((id) => [id, ...headlinesOf(id).filter((h) => h.length >= 6)]);
    const reports = api.hiddenTests.outcomes(ID);
    // The Test log is shared by every instance (other suites ran textkit-12 in this window): judge this instance's runs.
    const log = api.evaluation
      .shownTestLog()
      .split(/^(?======)/m)
      .filter((section) => section.startsWith(`===== ${ID} `) || section.startsWith(`===== ${ID}:`))
      .join('');
    assert.match(log, new RegExp(`${ID} · run`), 'the run is in the Test log');
    assert.match(log, /the hidden test patch is applied here/);
    // The candidate's own apply log stays; the test patch's is left out.
    assert.doesNotMatch(log, /(Applied|Checking) patch (‹hidden test file|tests\/)/);
    for (const name of hiddenNames) {
      assert.ok(!log.includes(name), `the Test log shows ${name}`);
      for (const r of reports) assert.ok(![r.label, r.message ?? '', r.expected ?? '', r.actual ?? ''].some((t) => t.includes(name)), `${r.id} shows ${name}`);
    }
    const history = api.state.get(ID).history ?? [];
    assert.ok(history[0]?.tests?.length, 'the stored run has per-test results');
    assert.equal(api.evaluation.hasRedactedLog(ID), true);
  });

  it('revealing drops the hint and names the tests at once, and appends the full log', async () => {
    await vscode.commands.executeCommand('sweGym.revealTests', ID, file);
    const reports = api.hiddenTests.outcomes(ID);
    assert.ok(reports.every((r) => r.description === ''), JSON.stringify(reports.map((r) => r.description)));
    assert.deepEqual(reports.filter((r) => r.id.includes('/FAIL_TO_PASS/')).map((r) => r.label), row.FAIL_TO_PASS);
    assert.match(api.evaluation.shownTestLog(), /test names revealed; the full log/);
    assert.ok(api.evaluation.shownTestLog().includes(row.FAIL_TO_PASS[0] ?? '-'), 'the full log names the tests');
    assert.equal(api.evaluation.hasRedactedLog(ID), false);
    git(ws, ['checkout', '--', 'textkit/align.py']);
  });

  it('with the install step off, the run says it was skipped; after the reveal the texts are in full', async () => {
    await setSetting('evaluation.skipInstall', true);
    git(ws, ['apply', '-'], row.patch);
    const record = (await vscode.commands.executeCommand('sweGym.runTests', ID, file)) as RunRecord | undefined;
    assert.ok(record, api.notices.at(-1));
    assert.equal(record.status, 'resolved', record.error);
    assert.equal(record.install?.state, 'skipped');
    assert.match(api.hiddenTests.describeInstance(ID), /^install step skipped/);
    assert.ok(api.hiddenTests.outcomes(ID).every((r) => r.outcome === 'passed'));
    const lastBlock = api.evaluation.shownTestLog().split(`===== ${ID} · run`).at(-1) ?? '';
    assert.ok(lastBlock.includes(row.FAIL_TO_PASS[0] ?? '-'), 'a run after the reveal is logged in full');
  });
});
