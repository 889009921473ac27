import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { SessionView } from '../../../src/shared/instancePage';
import { gitDirOf } from '../../../src/core/devcontainer/workspaceLayout';
import { containerExists, docker, getApi, git, setSetting, waitFor } from './helpers';

const SOURCE_ID = 'swe-gym-studio__textkit-12';
const ID = 'swe-gym-studio__textkit-12-early';
const REPO_ROOT = path.resolve(__dirname, '../../../..');

describe('an early launch: the terminal before the files reach the editor, both kept in step', function () {
  this.timeout(300_000);
  let api: SweGymApi;
  let file: string;
  let containerId: string | undefined;

  before(async () => {
    api = await getApi();
    const line = fs.readFileSync(path.join(REPO_ROOT, 'samples', 'samples.jsonl'), 'utf8').split('\n').find((l) => l.includes(`"${SOURCE_ID}"`));
    assert.ok(line, `${SOURCE_ID} is not in the samples`);
    const dir = fs.mkdtempSync(path.join(process.env.SWE_GYM_TEST_RUN_DIR ?? '/tmp', 'early-'));
    fs.cpSync(path.join(REPO_ROOT, 'samples', 'tasks', 'textkit'), path.join(dir, 'tasks', 'textkit'), { recursive: true });
    file = path.join(dir, 'textkit-early.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ ...JSON.parse(line), instance_id: ID })}\n`);
    const opened = (await vscode.commands.executeCommand('sweGym.openDataset', file)) as { instances: number } | undefined;
    assert.equal(opened?.instances, 1, api.notices.at(-1));
    await setSetting('workspace.earlyPrompt', true);
  });

  after(async () => {
    await setSetting('workspace.earlyPrompt', undefined);
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
    await api?.datasets.remove(file);
  });

  it('gives the terminal while the files are copied, takes its edits to the folder, grades every edit and keeps the workspace', async () => {
    let copyingWhenTerminal: boolean | undefined;
    const launched = vscode.commands.executeCommand('sweGym.launch', ID, file) as Thenable<SessionView | undefined>;
    const terminal = await waitFor(
      'the container terminal',
      () => {
        const t = vscode.window.terminals.find((x) => x.name === `SWE-Gym: ${ID}`);
        if (t) copyingWhenTerminal ??= api.devContainers.copyingToEditor(ID);
        return t;
      },
      120_000,
    );
    assert.equal(copyingWhenTerminal, true, 'the terminal opens before the files reach the editor');
    // Typed at once, while the folder may still be filling.
    terminal.sendText('echo typed-early > made_early.txt');
    const view = await launched;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    containerId = view.containerId as string;
    const ws = view.workspaceDir as string;
    assert.equal(api.devContainers.copyingToEditor(ID), false);
    assert.equal(api.state.get(ID).session?.synced, true);
    // The folder is in the window, complete: the repository at the base commit, nothing after it.
    await waitFor('the workspace folder in the window', () => vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === ws));
    assert.ok(fs.existsSync(path.join(ws, 'textkit', 'align.py')));
    assert.equal(git(ws, ['rev-parse', 'HEAD']), api.datasets.find(ID)?.instance.base_commit);
    assert.equal(git(ws, ['tag', '--list']), '');
    // The container's /testbed is its own: no mount of the folder there.
    const mounts = JSON.parse(docker('inspect', '--format', '{{json .Mounts}}', containerId).out) as { Destination: string }[];
    assert.ok(!mounts.some((m) => m.Destination === '/testbed'), JSON.stringify(mounts));
    // The terminal's edit comes to the folder; a host edit goes into the container.
    const early = path.join(ws, 'made_early.txt');
    await waitFor('the terminal edit on the host', () => fs.existsSync(early) && fs.readFileSync(early, 'utf8') === 'typed-early\n', 30_000);
    fs.writeFileSync(path.join(ws, 'made_on_host.txt'), 'host\n');
    const ref = api.datasets.find(ID);
    assert.ok(ref);
    const patch = await api.devContainers.candidate(ref);
    for (const f of ['made_early.txt', 'made_on_host.txt']) assert.ok(patch.includes(`+++ b/${f}`), `${f} in the graded patch:\n${patch}`);
    assert.equal(docker('exec', containerId, 'cat', '/testbed/made_on_host.txt').out, 'host');
    // Stop takes the container's last edits to the folder, which is kept.
    docker('exec', containerId, 'sh', '-c', 'echo last > /testbed/made_last.txt');
    await vscode.commands.executeCommand('sweGym.stop', ID);
    assert.equal(containerExists(containerId), false);
    assert.equal(fs.readFileSync(path.join(ws, 'made_last.txt'), 'utf8'), 'last\n');
    assert.ok(fs.existsSync(path.join(gitDirOf(ws), 'HEAD')));
  });
});
