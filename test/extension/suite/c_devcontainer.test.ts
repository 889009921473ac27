import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { InstanceRef } from '../../../src/extension/datasets/datasetStore';
import type { SessionView } from '../../../src/shared/instancePage';
import type { RunRecord } from '../../../src/shared/runRecord';
import { parseFilePatches } from '../../../src/shared/patchStats';
import { gitDirOf } from '../../../src/core/devcontainer/workspaceLayout';
import { containerExists, docker, getApi, git, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';

/** Containers of this window's session (other engineers' tests may use the same samples). */
function ourContainers(api: SweGymApi, instanceId: string, purpose?: string): string[] {
  const filters = ['--filter', `label=io.swe-gym-studio.session=${api.sessionId}`, '--filter', `label=io.swe-gym-studio.instance=${instanceId}`];
  if (purpose) filters.push('--filter', `label=io.swe-gym-studio.purpose=${purpose}`);
  const r = docker('ps', '-aq', ...filters);
  return r.out ? r.out.split('\n') : [];
}

describe('launch, edit, run hidden tests, stop (textkit sample)', function () {
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
  });

  after(async () => {
    // Never leave a container behind, whatever failed above.
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    if (containerId && containerExists(containerId)) docker('rm', '-f', containerId);
  });

  it('launches: workspace folder, container with the folder at /testbed, terminal, status bar', async () => {
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    containerId = view.containerId as string;
    assert.ok(ws.startsWith(process.env.SWE_GYM_TEST_WORKSPACES ?? ''), ws);
    assert.ok(fs.existsSync(path.join(ws, 'textkit', 'align.py')));
    assert.equal(docker('inspect', '--format', '{{.State.Status}}', containerId).out, 'running');
    const mounts = JSON.parse(docker('inspect', '--format', '{{json .Mounts}}', containerId).out) as { Source: string; Destination: string }[];
    assert.ok(mounts.some((m) => m.Source === ws && m.Destination === '/testbed'), JSON.stringify(mounts));
    // The repository metadata is mounted from outside the folder the window opens.
    assert.ok(mounts.some((m) => m.Source === gitDirOf(ws) && m.Destination === '/testbed/.git'), JSON.stringify(mounts));
    assert.deepEqual(fs.readdirSync(path.join(ws, '.git')), []);
    await waitFor('the workspace folder in the window', () => vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === ws));
    await waitFor('the container terminal', () => vscode.window.terminals.find((t) => t.name === `SWE-Gym: ${ID}`));
    assert.equal(api.devContainers.active, ID);
    assert.match(api.statusBar.item.text, new RegExp(ID));
  });

  it('the terminal runs inside the container at /testbed', async () => {
    const terminal = vscode.window.terminals.find((t) => t.name === `SWE-Gym: ${ID}`);
    assert.ok(terminal);
    terminal.sendText('echo "$PWD $(hostname)" > made_in_terminal.txt');
    const file = path.join(ws, 'made_in_terminal.txt');
    const text = await waitFor('the file written by the terminal', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim(), 30_000);
    assert.equal(text, `/testbed ${containerId.slice(0, 12)}`);
    fs.rmSync(file);
  });

  it('an edit in the workspace is seen in the container, and the reverse', async () => {
    fs.writeFileSync(path.join(ws, 'from_host.txt'), 'written on the host\n');
    assert.equal(docker('exec', containerId, 'cat', '/testbed/from_host.txt').out, 'written on the host');
    const r = docker('exec', containerId, 'sh', '-c', 'mkdir -p /testbed/made && echo "written in the container" > /testbed/made/from_container.txt');
    assert.equal(r.code, 0, r.out);
    const back = path.join(ws, 'made', 'from_container.txt');
    assert.equal(fs.readFileSync(back, 'utf8'), 'written in the container\n');
    // Files made in the container stay editable on the host.
    fs.appendFileSync(back, 'edited on the host\n');
    assert.equal(docker('exec', containerId, 'cat', '/testbed/made/from_container.txt').out, 'written in the container\nedited on the host');
    fs.rmSync(path.join(ws, 'from_host.txt'));
    fs.rmSync(path.join(ws, 'made'), { recursive: true });
  });

  it('the workspace git history ends at the base commit: no later commit, ref, tag, reflog or object', () => {
    const base = ref.instance.base_commit;
    assert.equal(git(ws, ['rev-parse', 'HEAD']), base);
    const image = api.devContainers.view(ID).image as string;
    // The image itself carries the fix (a later commit, a tag and a branch): find their ids there.
    const future = docker('run', '--rm', '--entrypoint', 'sh', image, '-c', 'cd /testbed && git rev-parse v0.2.0^{commit} release/0.2 "v0.2.0^{commit}~1" "v0.2.0:textkit/align.py"');
    assert.equal(future.code, 0, future.out);
    const futureIds = future.out.split('\n').map((s) => s.trim()).filter(Boolean);
    assert.equal(futureIds.length, 4);
    for (const id of futureIds) {
      assert.throws(() => git(ws, ['cat-file', '-e', id]), `object ${id} from after the base commit is in the workspace`);
    }
    assert.equal(git(ws, ['tag', '--list']), '');
    const refs = git(ws, ['for-each-ref', '--format=%(refname) %(objectname)']).split('\n');
    assert.deepEqual(refs, [`refs/heads/main ${base}`]);
    for (const line of git(ws, ['reflog', '--all', '--format=%H']).split('\n').filter(Boolean)) assert.equal(line, base);
    for (const c of git(ws, ['rev-list', '--all']).split('\n')) assert.equal(git(ws, ['merge-base', '--is-ancestor', c, base]), '');
    // Every stored object (loose or packed) is reachable from the base commit.
    const stored = git(ws, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)']).split('\n').length;
    const reachable = git(ws, ['rev-list', '--all', '--objects']).split('\n').length;
    assert.equal(stored, reachable);
    assert.equal(git(ws, ['status', '--porcelain']), '');
  });

  it('an untouched workspace is not resolved (empty patch)', async () => {
    const record = (await vscode.commands.executeCommand('sweGym.runTests', ID)) as RunRecord | undefined;
    assert.ok(record, api.notices.at(-1));
    assert.equal(record.resolved, false);
    assert.equal(record.status, 'empty_patch');
    assert.equal(api.status.statusOf(ID), 'failed');
    assert.deepEqual(ourContainers(api, ID, 'eval'), []);
  });

  it('an edit that does not fix the bug is graded unresolved, with per-test results in the Test Explorer', async () => {
    fs.appendFileSync(path.join(ws, 'textkit', 'align.py'), '\n# looked at this, changed nothing\n');
    const record = (await vscode.commands.executeCommand('sweGym.runTests', ID)) as RunRecord | undefined;
    assert.ok(record, api.notices.at(-1));
    assert.equal(record.status, 'unresolved', record.error);
    assert.equal(record.failToPass?.passed, 0);
    assert.equal(record.failToPass?.total, ref.instance.FAIL_TO_PASS.length);
    assert.equal(record.passToPass?.passed, ref.instance.PASS_TO_PASS.length);
    const outcomes = api.hiddenTests.outcomes(ID);
    assert.equal(outcomes.filter((o) => o.id.includes('/FAIL_TO_PASS/')).every((o) => o.outcome === 'failed'), true);
    assert.equal(outcomes.filter((o) => o.id.includes('/PASS_TO_PASS/')).every((o) => o.outcome === 'passed'), true);
    // Names stay hidden until revealed.
    assert.ok(outcomes.every((o) => o.label.startsWith('hidden test')), outcomes[0]?.label);
    git(ws, ['checkout', '--', 'textkit/align.py']);
  });

  it('the gold patch applied in the workspace is resolved, and Test Explorer shows every test passed', async () => {
    git(ws, ['apply', '-'], ref.instance.patch);
    const record = (await vscode.commands.executeCommand('sweGym.runTests', ID)) as RunRecord | undefined;
    assert.ok(record, api.notices.at(-1));
    assert.equal(record.status, 'resolved', record.error);
    assert.equal(record.resolved, true);
    assert.deepEqual(record.failToPass, { passed: ref.instance.FAIL_TO_PASS.length, total: ref.instance.FAIL_TO_PASS.length });
    assert.equal(api.status.statusOf(ID), 'resolved');
    const outcomes = api.hiddenTests.outcomes(ID);
    assert.equal(outcomes.length, ref.instance.FAIL_TO_PASS.length + ref.instance.PASS_TO_PASS.length);
    assert.ok(outcomes.every((o) => o.outcome === 'passed'), JSON.stringify(outcomes.filter((o) => o.outcome !== 'passed')));
    assert.equal(api.state.get(ID).history?.length, 3);
    // The hidden test patch never entered the workspace.
    const changed = [...git(ws, ['diff', '--name-only', 'HEAD']).split('\n'), ...git(ws, ['ls-files', '--others', '--exclude-standard']).split('\n')].filter(Boolean).sort();
    assert.deepEqual(changed, parseFilePatches(ref.instance.patch).map((f) => f.path).sort());
    await vscode.commands.executeCommand('sweGym.revealTests', ID);
    assert.ok(api.hiddenTests.outcomes(ID).some((o) => o.label === ref.instance.FAIL_TO_PASS[0]));
  });

  it('shows the diff against the base commit, and against the gold patch once revealed', async () => {
    const files = await vscode.commands.executeCommand('sweGym.showDiff', ID);
    assert.ok(typeof files === 'number' && files >= 1, String(files));
    await waitFor('a diff editor tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff || /base ↔ your changes/.test(t.label)));
    await vscode.commands.executeCommand('sweGym.showGoldDiff', ID);
    assert.match(api.notices.at(-1) ?? '', /Reveal the gold patch/);
    await vscode.commands.executeCommand('sweGym.revealGold', ID);
    const goldFiles = await vscode.commands.executeCommand('sweGym.showGoldDiff', ID);
    assert.ok(typeof goldFiles === 'number' && goldFiles >= 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the instance page completes its ready handshake', async () => {
    await vscode.commands.executeCommand('sweGym.openInstance', ID);
    await waitFor('the page to say ready', () => api.panels.isReady(ID), 30_000);
    // The page stays open: closing a webview while its stylesheet and font are still loading
    // stalls code-server's resource service worker, and the next webview opened (the agent view
    // in d_agent) then waits about 30 s for its first resource.
  });

  it('cancelling a run stops it and leaves no evaluation container', async () => {
    const controller = new AbortController();
    const running = api.evaluation.run(ref, { signal: controller.signal });
    await waitFor('the evaluation to start', () => /container|patch|tests/i.test(api.busy.get(ID)?.message ?? ''), 60_000);
    controller.abort();
    const record = await running;
    assert.equal(record.status, 'cancelled');
    await waitFor('no evaluation container', () => ourContainers(api, ID, 'eval').length === 0, 30_000);
    assert.equal(api.status.statusOf(ID), 'resolved', 'a cancelled run does not change the verdict');
  });

  it('a workspace deleted under the running instance is reported clearly', async () => {
    const moved = `${ws}.moved`;
    fs.renameSync(ws, moved);
    try {
      assert.equal(api.devContainers.view(ID).state, 'broken');
      await vscode.commands.executeCommand('sweGym.runTests', ID);
      assert.match(api.notices.at(-1) ?? '', /workspace folder .* was deleted/);
    } finally {
      fs.renameSync(moved, ws);
    }
    assert.equal(api.devContainers.view(ID).state, 'running');
  });

  it('stop and remove leaves no container behind and keeps the workspace', async () => {
    await vscode.commands.executeCommand('sweGym.stop', ID);
    assert.equal(containerExists(containerId), false);
    assert.deepEqual(ourContainers(api, ID), []);
    assert.equal(api.devContainers.isRunning(ID), false);
    assert.equal(api.state.get(ID).session, undefined);
    assert.ok(fs.existsSync(path.join(gitDirOf(ws), 'HEAD')));
    assert.equal(api.statusBar.item.text.includes(ID), false);
  });
});

describe('bad inputs give clear messages and break nothing', function () {
  this.timeout(120_000);
  const OTHER = 'swe-gym-studio__confini-7';

  afterEach(async () => {
    await setSetting('docker.socketPath', undefined);
    await setSetting('images.template', undefined);
    await setSetting('images.allowPull', undefined);
  });

  it('Docker not reachable', async () => {
    const api = await getApi();
    await setSetting('docker.socketPath', '/tmp/swe-gym-no-docker-here.sock');
    const result = await vscode.commands.executeCommand('sweGym.launch', OTHER);
    assert.equal(result, undefined);
    assert.match(api.notices.at(-1) ?? '', /swe-gym-no-docker-here\.sock/);
    assert.equal(api.devContainers.isRunning(OTHER), false);
    assert.equal(api.busy.get(OTHER), undefined);
  });

  it('an image that is not there and may not be pulled', async () => {
    const api = await getApi();
    await setSetting('images.template', 'swe-gym-studio/no-such-image:{id_swegym}');
    await setSetting('images.allowPull', false);
    await vscode.commands.executeCommand('sweGym.launch', OTHER);
    assert.match(api.notices.at(-1) ?? '', /swe-gym-studio\/no-such-image:swe-gym-studio_s_confini-7.*not present locally/);
    assert.equal(api.devContainers.isRunning(OTHER), false);
  });

  it('an image that cannot be pulled', async () => {
    const api = await getApi();
    await setSetting('images.template', 'swe-gym-studio/no-such-image:{id_swegym}');
    await vscode.commands.executeCommand('sweGym.launch', OTHER);
    assert.match(api.notices.at(-1) ?? '', /no-such-image/);
    assert.equal(api.devContainers.isRunning(OTHER), false);
    assert.equal(fs.existsSync(path.join(process.env.SWE_GYM_TEST_WORKSPACES ?? '/nonexistent', OTHER)), false);
    assert.deepEqual(ourContainers(api, OTHER), []);
  });
});
