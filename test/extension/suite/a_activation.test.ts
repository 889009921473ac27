import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/extension/tree/instanceTree';
import { getApi } from './helpers';

describe('activation and the instance tree', () => {
  it('activates and contributes its commands', async () => {
    const api = await getApi();
    assert.ok(api.sessionId);
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['sweGym.launch', 'sweGym.runTests', 'sweGym.openInstance', 'sweGym.stop', 'sweGym.showDiff', 'sweGym.search', 'sweGym.openDataset']) {
      assert.ok(commands.includes(c), `command ${c} is missing`);
    }
  });

  it('lists the bundled samples as dataset -> repository -> instance', async () => {
    const api = await getApi();
    const roots = api.tree.getChildren();
    const samples = roots.find((n): n is Extract<TreeNode, { kind: 'dataset' }> => n.kind === 'dataset' && n.entry.source === 'samples');
    assert.ok(samples, 'no samples dataset in the tree');
    assert.equal(samples.entry.state, 'loaded', samples.entry.error);
    const repos = api.tree.getChildren(samples).filter((n) => n.kind === 'repo');
    const repoNames = repos.map((n) => (n.kind === 'repo' ? n.repo : ''));
    assert.ok(repoNames.includes('swe-gym-studio/textkit'), `repos: ${repoNames.join(', ')}`);
    const textkit = repos.find((n) => n.kind === 'repo' && n.repo === 'swe-gym-studio/textkit');
    const instances = api.tree.getChildren(textkit);
    assert.equal(instances.length, 1);
    const item = api.tree.getTreeItem(instances[0] as TreeNode);
    assert.equal(item.label, 'swe-gym-studio__textkit-12');
    // The difficulty description: gold files and lines, FAIL_TO_PASS count.
    assert.match(String(item.description), /\d+ files? · \d+ lines? · 6 F2P/);
    // A narrow sidebar cuts the description off: the tooltip holds all of it, in words (issue 9, item 9).
    const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip);
    assert.match(tooltip, /Difficulty: \d+ files?, \d+ changed lines? in the gold patch · FAIL_TO_PASS 6 · PASS_TO_PASS 16/);
  });

  it('filters by text and clears the filter', async () => {
    const api = await getApi();
    await vscode.commands.executeCommand('sweGym.filter', 'textkit');
    const samples = api.tree.getChildren().find((n) => n.kind === 'dataset' && n.entry.source === 'samples');
    const shown = api.tree.getChildren(samples).filter((n) => n.kind === 'repo');
    assert.deepEqual(shown.map((n) => (n.kind === 'repo' ? n.repo : '')), ['swe-gym-studio/textkit']);
    assert.match(api.treeView.message ?? '', /1 of \d+ instances/);
    await vscode.commands.executeCommand('sweGym.clearFilter');
    assert.ok(api.tree.getChildren(samples).filter((n) => n.kind === 'repo').length > 1);
  });

  it('rejects a file that is not a dataset with a clear message and keeps the samples', async () => {
    const api = await getApi();
    const dir = process.env.SWE_GYM_TEST_RUN_DIR ?? fs.mkdtempSync('/tmp/swe-gym-bad-');
    const bad = path.join(dir, 'not-a-dataset.jsonl');
    fs.writeFileSync(bad, '{"hello": "world"}\nthis is not json\n');
    const before = api.notices.length;
    const result = await vscode.commands.executeCommand('sweGym.openDataset', bad);
    assert.equal(result, undefined);
    const message = api.notices.slice(before).join('\n');
    assert.match(message, /not-a-dataset\.jsonl/);
    assert.match(message, /no valid task instance|instance_id|not valid JSON|JSON/i);
    const txt = path.join(dir, 'notes.txt');
    fs.writeFileSync(txt, 'hello');
    await vscode.commands.executeCommand('sweGym.openDataset', txt);
    assert.match(api.notices.at(-1) ?? '', /Unsupported dataset file/);
    // Nothing else broke: the samples are still there and nothing bad was remembered.
    assert.deepEqual(api.datasets.list().map((e) => e.source), ['samples']);
    assert.deepEqual(api.state.openedDatasets(), []);
  });
});
