/**
 * Issue 10: the instance page says how the instance is run and why, from its InstanceSpec: which
 * rules and why, which family the row is taken as and why, the image and where it comes from, and
 * notes such as "install skipped"; a row the spec rules out says why it cannot run. The test
 * command (it names the hidden test files) stays hidden with the test names.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RULE_SET_LABELS } from '../../../src/core/grading/ruleSet';
import type { SweGymApi } from '../../../src/extension/api';
import { specFor } from '../../../src/extension/datasets/instanceSpecs';
import type { RunSpecView } from '../../../src/shared/instancePage';
import { getApi, setSetting, waitFor } from './helpers';

const SAMPLE = 'swe-gym-studio__textkit-12';
const CONVERTED = 'getmoto__moto-7365';
const UNRUNNABLE = 'getmoto__moto-7366';

/** A converted copy as many circulate: no family in its name or path, test lists stored as JSON text. */
function writeConvertedRows(file: string): void {
  const row = (id: string, extra: object) => ({
    instance_id: id,
    repo: 'getmoto/moto',
    base_commit: '0'.repeat(36) + '5150',
    patch: 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-a\n+b\n',
    test_patch: 'diff --git a/tests/t.py b/tests/t.py\n--- a/tests/t.py\n+++ b/tests/t.py\n@@ -1 +1,2 @@\n x\n+def test_new(): pass\n',
    problem_statement: `Issue of ${id}`,
    hints_text: '',
    created_at: '2024-02-10T08:00:00Z',
    version: '5.0',
    FAIL_TO_PASS: JSON.stringify(['tests/t.py::test_new']),
    PASS_TO_PASS: JSON.stringify(['tests/t.py::test_old']),
    ...extra,
  });
  fs.writeFileSync(file, [row(CONVERTED, {}), row(UNRUNNABLE, { log_parser: 'parse_log_cobol' })].map((r) => JSON.stringify(r)).join('\n') + '\n');
}

describe('the instance page says how the instance is run and why', function () {
  this.timeout(240_000);
  let api: SweGymApi;
  let dir: string;
  let file: string;

  before(async () => {
    api = await getApi();
    // Not under the test run's folder: its name says swe-gym, and a path that names a family decides it.
    dir = fs.mkdtempSync('/tmp/rows-');
    file = path.join(dir, 'converted.jsonl');
    writeConvertedRows(file);
  });

  after(async () => {
    await setSetting('evaluation.skipInstall', undefined);
    await api.datasets.remove(file).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const specOf = (state: { spec: RunSpecView | { cannotRun: string } }): RunSpecView => {
    assert.ok(!('cannotRun' in state.spec), JSON.stringify(state.spec));
    return state.spec;
  };

  it('a sample: its rules and family with their reasons, its image built here, its table note; the test command hidden', async () => {
    const ref = api.datasets.find(SAMPLE);
    assert.ok(ref, `${SAMPLE} is not in the samples`);
    const page = api.panels.show(ref);
    await waitFor('the page to say ready', () => api.panels.isReady(SAMPLE), 150_000);
    const spec = specOf(page.pageState());
    assert.equal(spec.rules.label, RULE_SET_LABELS['swe-gym']);
    assert.match(spec.rules.reason, /samples/);
    assert.equal(spec.rules.strictLabel, RULE_SET_LABELS['swebench-v5']);
    assert.equal(spec.family.name, 'the bundled samples');
    // One answer to "which image": the page's is the runtime's.
    assert.equal(spec.image.name, specFor(ref, { imageTemplate: undefined, allowPull: true, skipInstall: false }).image.name);
    assert.equal(spec.image.policy, 'build');
    assert.match(spec.image.reason, /image_build_context/);
    // The samples are in no harness table: the page says what that means.
    assert.ok(spec.notes.some((n) => /in neither the SWE-Gym nor the SWE-bench spec table/.test(n)), spec.notes.join(' | '));
    assert.equal(spec.testCommand !== undefined, !!api.state.get(SAMPLE).revealed?.tests, 'the test command shows only with the test names');
  });

  it('an unnamed converted file of SWE-Gym rows (lists as JSON text): SWE-Gym because of the repository, install skipped noted while set; a parser we lack: cannot run, and why', async () => {
    const opened = (await vscode.commands.executeCommand('sweGym.openDataset', file)) as { instances: number } | undefined;
    assert.equal(opened?.instances, 2, api.notices.at(-1));
    const ref = api.datasets.find(CONVERTED, file);
    assert.ok(ref, `${CONVERTED} did not load from ${file}`);
    const spec = specOf(api.panels.show(ref).pageState());
    assert.equal(spec.family.name, 'SWE-Gym');
    assert.match(spec.family.reason, /repositor/, 'the repository decides, not the JSON-text lists');
    assert.equal(spec.rules.label, RULE_SET_LABELS['swe-gym']);
    assert.match(spec.image.name, /moto/);
    assert.equal(spec.image.policy, 'pull');
    const skippedNote = (v: RunSpecView) => v.notes.some((n) => /Install step skipped/.test(n));
    assert.ok(!skippedNote(spec), spec.notes.join(' | '));
    await setSetting('evaluation.skipInstall', true);
    assert.ok(skippedNote(specOf(api.panels.show(ref).pageState())), 'no install-skipped note with the setting on');
    await setSetting('evaluation.skipInstall', undefined);
    assert.ok(!skippedNote(specOf(api.panels.show(ref).pageState())), 'the note outlives the setting');

    const bad = api.datasets.find(UNRUNNABLE, file);
    assert.ok(bad, `${UNRUNNABLE} did not load`);
    const state = api.panels.show(bad).pageState();
    assert.ok('cannotRun' in state.spec, JSON.stringify(state.spec));
    assert.match(state.spec.cannotRun, /parse_log_cobol/);
  });
});
