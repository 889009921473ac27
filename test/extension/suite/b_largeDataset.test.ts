import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PAGE_SIZE, type TreeNode } from '../../../src/extension/tree/instanceTree';
import { getApi } from './helpers';

const TOTAL = 66_894;
const REPOS = ['pandas-dev/pandas', 'Project-MONAI/MONAI', 'getmoto/moto', 'python/mypy', 'iterative/dvc', 'dask/dask', 'modin-project/modin', 'pydantic/pydantic', 'conan-io/conan', 'facebookresearch/hydra', 'bokeh/bokeh'];

/** SWE-Gym Raw sized: 66,894 rows, most of them in one repository, with one planted outlier. */
function writeRawSizedDataset(file: string): void {
  const out = fs.createWriteStream(file);
  const lines: string[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const repo = i % 3 === 0 ? (REPOS[(i / 3) % REPOS.length] as string) : 'pandas-dev/pandas';
    const id = `${repo.replace('/', '__')}-${i}`;
    const changed = i === 4243 ? 400 : 1 + (i % 7);
    const body = Array.from({ length: changed }, (_, k) => `+line ${k}`).join('\n');
    lines.push(
      JSON.stringify({
        instance_id: id,
        repo,
        base_commit: 'a'.repeat(40),
        patch: `diff --git a/f${i}.py b/f${i}.py\n--- a/f${i}.py\n+++ b/f${i}.py\n@@ -1,0 +1,${changed} @@\n${body}\n`,
        test_patch: `diff --git a/t${i}.py b/t${i}.py\n`,
        problem_statement: i === 31337 ? 'The needle-in-the-haystack bug' : `Issue number ${i}`,
        hints_text: '',
        created_at: '2024-01-01T00:00:00Z',
        version: '1.0',
        FAIL_TO_PASS: [`tests/t${i}.py::test_a`],
        PASS_TO_PASS: [],
      }),
    );
    if (lines.length === 5000) out.write(lines.splice(0).join('\n') + '\n');
  }
  out.write(lines.join('\n') + '\n');
  out.end();
}

describe('a SWE-Gym Raw sized dataset (66,894 instances)', function () {
  this.timeout(300_000);
  let file: string;

  before(async () => {
    const dir = process.env.SWE_GYM_TEST_RUN_DIR ?? fs.mkdtempSync('/tmp/swe-gym-raw-');
    file = path.join(dir, 'swe-gym-raw-synthetic.jsonl');
    writeRawSizedDataset(file);
    await new Promise((r) => setTimeout(r, 500));
  });

  after(async () => {
    const api = await getApi();
    await vscode.commands.executeCommand('sweGym.clearFilter');
    await api.datasets.remove(file);
  });

  it('opens, pages big repositories, sorts by difficulty and searches the issue text', async () => {
    const api = await getApi();
    let t = Date.now();
    const opened = (await vscode.commands.executeCommand('sweGym.openDataset', file)) as { instances: number } | undefined;
    const loadMs = Date.now() - t;
    assert.equal(opened?.instances, TOTAL, api.notices.at(-1));
    const dataset = api.tree.getChildren().find((n) => n.kind === 'dataset' && n.entry.source === file);
    assert.ok(dataset);
    const pandas = api.tree.getChildren(dataset).find((n): n is Extract<TreeNode, { kind: 'repo' }> => n.kind === 'repo' && n.repo === 'pandas-dev/pandas');
    assert.ok(pandas);
    t = Date.now();
    const pages = api.tree.getChildren(pandas);
    assert.ok(pages.length > 1 && pages.every((p) => p.kind === 'page'), 'a big repository is split into pages');
    const firstPage = api.tree.getChildren(pages[0]);
    assert.equal(firstPage.length, PAGE_SIZE);
    for (const n of firstPage.slice(0, 50)) api.tree.getTreeItem(n);
    const expandMs = Date.now() - t;

    t = Date.now();
    await vscode.commands.executeCommand('sweGym.sort', 'hardest');
    const sortedPandas = api.tree.getChildren(dataset).find((n) => n.kind === 'repo' && n.repo === 'pandas-dev/pandas');
    const hardest = api.tree.getChildren(api.tree.getChildren(sortedPandas)[0])[0];
    assert.equal(hardest?.kind === 'instance' && hardest.instance.instance_id, 'pandas-dev__pandas-4243');
    const sortMs = Date.now() - t;

    t = Date.now();
    await vscode.commands.executeCommand('sweGym.filter', 'needle-in-the-haystack');
    const repos = api.tree.getChildren(dataset).filter((n) => n.kind === 'repo');
    assert.equal(repos.length, 1);
    const found = api.tree.getChildren(repos[0]);
    assert.deepEqual(found.map((n) => (n.kind === 'instance' ? n.instance.instance_id : n.kind)), ['pandas-dev__pandas-31337']);
    const filterMs = Date.now() - t;
    // Figures for the log only; speed is judged by bench/, not by a timed test.
    console.log(`    66,894 rows: load ${loadMs} ms, expand ${expandMs} ms, sort ${sortMs} ms, text filter ${filterMs} ms`);
  });
});
