import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { InstanceRef } from '../../../src/extension/datasets/datasetStore';
import type { SessionView } from '../../../src/shared/instancePage';
import { docker, getApi, git, waitFor } from './helpers';

// Its gold patch changes three files: one left as gold, one changed further, one reverted.
const ID = 'swe-gym-studio__dateranges-21';
const BASE_TITLE = `${ID}: base ↔ your changes`;
const GOLD_TITLE = `${ID}: gold ↔ your changes`;

interface DiffPair {
  original?: vscode.Uri;
  modified?: vscode.Uri;
}

/**
 * The file pairs of the open multi-diff editor titled so: what the extension gave VS Code, checked
 * against the tab VS Code shows (`title (N files)`). The tab's own input lists only loaded pairs.
 */
function openPairs(api: SweGymApi, title: string): DiffPair[] | undefined {
  const pairs = api.diffs.shown(title);
  if (!pairs) return undefined;
  const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === title || t.label.startsWith(`${title} (`));
  return tab?.label === `${title} (${pairs.length} file${pairs.length === 1 ? '' : 's'})` ? pairs : undefined;
}

/** For failure messages: what the tabs are. */
function describeTabs(): string {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .map((t) => `${t.label} [${t.input ? Object.keys(t.input as object).join(',') : 'no input'}]`)
    .join('; ');
}

async function waitForPairs(api: SweGymApi, what: string, check: (pairs: DiffPair[] | undefined) => boolean | undefined, title: string): Promise<DiffPair[]> {
  try {
    return await waitFor(what, () => {
      const pairs = openPairs(api, title);
      return check(pairs) ? pairs : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}; tabs: ${describeTabs()}`);
  }
}

function relPaths(pairs: DiffPair[], ws: string): string[] {
  return pairs.map((p) => path.relative(ws, (p.modified ?? p.original)?.path ?? '')).sort();
}

describe('diff views: within the workspace, links shown as links, no false renames, folded gold matches, kept fresh', function () {
  this.timeout(300_000);
  let api: SweGymApi;
  let ref: InstanceRef;
  let ws: string;
  let containerId: string;

  before(async () => {
    api = await getApi();
    const found = api.datasets.find(ID);
    assert.ok(found, `${ID} is not in the samples`);
    ref = found;
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    containerId = view.containerId as string;
    git(ws, ['apply', '-'], ref.instance.patch);
    fs.appendFileSync(path.join(ws, 'dateranges', 'ops.py'), '\n# my own addition\n');
    // Made in the container, as a solver would.
    assert.equal(docker('exec', containerId, 'ln', '-s', '/etc/shadow', '/testbed/leak').code, 0);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
  });

  it('Show diff lists each changed file once, not as a rename; a symlink shows its own text, read-only', async () => {
    const count = await vscode.commands.executeCommand('sweGym.showDiff', ID);
    assert.equal(count, 4, api.notices.at(-1));
    const pairs = await waitForPairs(api, 'the base diff editor', (p) => !!p, BASE_TITLE);
    assert.deepEqual(relPaths(pairs, ws), ['dateranges/__init__.py', 'dateranges/ops.py', 'dateranges/range.py', 'leak']);
    for (const p of pairs) {
      // VS Code marks a pair as renamed (base path struck through) when the two paths differ.
      if (p.original && p.modified) assert.equal(p.original.path, p.modified.path, `${p.modified.path} shown as a rename of ${p.original.path}`);
    }
    const leak = pairs.find((p) => p.modified?.path.endsWith('/leak'));
    assert.ok(leak?.modified);
    assert.equal(leak.original, undefined, 'a new file has no base side');
    const shown = await vscode.workspace.openTextDocument(leak.modified);
    assert.equal(shown.getText(), '/etc/shadow', 'the link text, never the target');
    assert.equal((await vscode.workspace.fs.stat(leak.modified)).permissions, vscode.FilePermission.Readonly);
    const shadowBefore = fs.readFileSync('/etc/shadow');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(leak.modified, Buffer.from('attacker::0:0:::::\n'))));
    assert.deepEqual(fs.readFileSync('/etc/shadow'), shadowBefore);
    // A regular file opens editable and saves to the workspace.
    const ops = pairs.find((p) => p.modified?.path.endsWith('/ops.py'))?.modified;
    assert.ok(ops);
    const doc = await vscode.workspace.openTextDocument(ops);
    assert.match(doc.getText(), /# my own addition/);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(ops, new vscode.Position(doc.lineCount, 0), '# saved from the diff view\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const saved = await doc.save();
    assert.ok(saved, `not saved: closed ${doc.isClosed}, dirty ${doc.isDirty}, version ${doc.version}; tabs: ${describeTabs()}`);
    assert.match(fs.readFileSync(path.join(ws, 'dateranges', 'ops.py'), 'utf8'), /# saved from the diff view\n$/);
    // Nothing outside a running workspace is served under the diff scheme.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(ops.with({ path: '/etc/passwd' }))), /not inside the workspace/);
  });

  it('paths a forged git in the container prints are refused, never opened', async () => {
    const evil = [
      'diff --git a/../../../root/.ssh/authorized_keys b/../../../root/.ssh/authorized_keys',
      '--- a/../../../root/.ssh/authorized_keys',
      '+++ b/../../../root/.ssh/authorized_keys',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      'diff --git a/etc/shadow b/etc/shadow',
      '--- a/etc/shadow',
      '+++ b/etc/shadow',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      '',
    ].join('\n');
    fs.writeFileSync(path.join(ws, '.evil.diff'), evil);
    const wrapper = `#!/bin/sh\ncase " $* " in *" diff "*"--cached"*) [ -n "$(echo "$*" | grep numstat)" ] || { cat /testbed/.evil.diff; exit 0; };; esac\nexec /usr/bin/git "$@"\n`;
    const put = docker('exec', containerId, 'sh', '-c', `ln -s /etc /testbed/etc && printf '%s' '${wrapper.replace(/'/g, `'\\''`)}' > /usr/local/bin/git && chmod +x /usr/local/bin/git`);
    assert.equal(put.code, 0, put.out);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const count = await vscode.commands.executeCommand('sweGym.showDiff', ID);
      assert.equal(count, 0, 'nothing of the forged patch is opened');
      assert.equal(openPairs(api, BASE_TITLE), undefined);
      assert.equal(api.diffs.lastRefused.length, 2, api.diffs.lastRefused.join('\n'));
      assert.match(api.diffs.lastRefused[0] ?? '', /authorized_keys.* climbs out with \.\./);
      assert.match(api.diffs.lastRefused[1] ?? '', /etc\/shadow lies under a link that leads to \/etc, outside the workspace/);
      // Asked for directly, the diff scheme refuses it too.
      const underLink = vscode.Uri.from({ scheme: 'swe-gym-file', path: path.join(ws, 'etc', 'shadow') });
      await assert.rejects(Promise.resolve(vscode.workspace.fs.readFile(underLink)), /leads to \/etc, outside the workspace/);
    } finally {
      docker('exec', containerId, 'rm', '-f', '/usr/local/bin/git', '/testbed/etc');
      fs.rmSync(path.join(ws, '.evil.diff'), { force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('an open diff drops a file reverted in the container', async () => {
    await vscode.commands.executeCommand('sweGym.showDiff', ID);
    await waitForPairs(api, 'the base diff with range.py', (pairs) => pairs?.some((p) => p.modified?.path.endsWith('/range.py')), BASE_TITLE);
    assert.equal(docker('exec', containerId, 'git', '-C', '/testbed', 'checkout', '--', 'dateranges/range.py').code, 0);
    const pairs = await waitForPairs(api, 'the diff to drop range.py', (now) => now && !now.some((p) => p.modified?.path.endsWith('/range.py')), BASE_TITLE);
    assert.deepEqual(relPaths(pairs, ws), ['dateranges/__init__.py', 'dateranges/ops.py', 'leak']);
    assert.deepEqual(api.diffs.openDiffTitles(), [BASE_TITLE]);
  });

  it('Compare with gold lists the differences first and folds files equal to the gold version to one line', async () => {
    await vscode.commands.executeCommand('sweGym.revealGold', ID);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const count = await vscode.commands.executeCommand('sweGym.showGoldDiff', ID);
    assert.equal(count, 4);
    const pairs = await waitForPairs(api, 'the gold diff editor', (p) => !!p, GOLD_TITLE);
    const names = pairs.map((p) => path.relative(ws, p.modified?.path ?? ''));
    // Differences (sorted) first, then the file already equal to gold.
    assert.deepEqual(names, ['dateranges/ops.py', 'dateranges/range.py', 'leak', 'dateranges/__init__.py']);
    for (const p of pairs) assert.equal(p.original?.path, p.modified?.path, 'no pair is shown as a rename');
    const same = pairs[3];
    assert.ok(same?.original && same.modified);
    assert.equal(same.modified.scheme, 'swe-gym');
    assert.equal((await vscode.workspace.openTextDocument(same.original)).getText(), 'dateranges/__init__.py: same as gold\n');
    assert.equal((await vscode.workspace.openTextDocument(same.modified)).getText(), 'dateranges/__init__.py: same as gold\n');
    const ops = pairs[0];
    assert.ok(ops?.original && ops.modified);
    const gold = (await vscode.workspace.openTextDocument(ops.original)).getText();
    const mine = (await vscode.workspace.openTextDocument(ops.modified)).getText();
    assert.equal(mine, `${gold}\n# my own addition\n# saved from the diff view\n`);
  });
});
