import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import { closeForm, getApi, setSetting, waitFor } from './helpers';

const IDS = ['swe-gym-studio__confini-7', 'swe-gym-studio__dateranges-21', 'swe-gym-studio__statlite-15'];

/** The gold patch written into the workspace, as a person's saved edits land there. */
function writeGold(api: SweGymApi, id: string, ws: string): void {
  for (const file of parsePatch(api.datasets.find(id)?.instance.patch ?? '')) {
    const abs = path.join(ws, (file.newFileName ?? '').replace(/^b\//, ''));
    const after = applyPatch(fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : '', file);
    assert.ok(typeof after === 'string');
    fs.writeFileSync(abs, after);
  }
}

describe('a demonstration campaign on the samples: from the tree’s filter (a bad list file refused), the next instance prepared ahead, finish → next, skip with a reason, progress, stop', function () {
  this.timeout(600_000);
  let api: SweGymApi;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-campaign-'));
  // Workspaces of its own: other suites leave these instances' workspaces, and a kept one is not prepared again.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-campaign-ws-'));

  before(async () => {
    api = await getApi();
    await setSetting('demo.outputDir', out);
    await setSetting('demo.annotator', 'Cam Paign');
    await setSetting('workspace.root', root);
  });

  after(async () => {
    api?.tree.setFilter({ ...api.tree.filter, repos: new Set() });
    await api?.campaigns.stop().catch(() => undefined);
    if (api?.demos.current) await api.demos.discard().catch(() => undefined);
    for (const id of IDS) if (api?.devContainers.isRunning(id)) await api.devContainers.stop(id).catch(() => undefined);
    await setSetting('demo.outputDir', undefined);
    await setSetting('demo.annotator', undefined);
    await setSetting('workspace.root', undefined);
    const folders = vscode.workspace.workspaceFolders ?? [];
    const mine = folders.map((f, i) => (f.uri.fsPath.startsWith(root) && i > 0 ? i : -1)).filter((i) => i > 0);
    for (const i of mine.reverse()) vscode.workspace.updateWorkspaceFolders(i, 1);
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('works through the queue: the first instance recorded, the second ready ahead, its launch only starting a container; skips keep their reason', async () => {
    const bad = path.join(out, 'bad.txt');
    fs.writeFileSync(bad, `${IDS[0]}\nswe-gym-studio__nope-1\n`);
    assert.equal(await vscode.commands.executeCommand('sweGym.campaign.start', { listFile: bad }), undefined);
    assert.match(api.notices.at(-1) ?? '', /1 of 2 ids are not in the open datasets: swe-gym-studio__nope-1 \(line 2\)\. Nothing was started\./);

    // The queue is what the tree shows: filtered to three repositories, in its order.
    api.tree.setFilter({ ...api.tree.filter, repos: new Set(['swe-gym-studio/statlite', 'swe-gym-studio/confini', 'swe-gym-studio/dateranges']) });
    assert.deepEqual(api.tree.shownInstances(), IDS);
    const file = (await vscode.commands.executeCommand('sweGym.campaign.start', { fromTree: true })) as string | undefined;
    assert.equal(file, path.join(out, 'Cam_Paign', 'campaign.json'), api.notices.at(-1));
    const bar = api.campaignStatusBar.item;
    assert.match(bar.text, /Campaign 1 of 3/);
    assert.match(JSON.parse(fs.readFileSync(file, 'utf8')).picked_by.description, /repos: .*statlite.* — 3 of [\d,]+ instances/);
    assert.equal(api.demos.current?.instanceId, IDS[0], 'the first instance is launched and recorded');

    // While the person works on the first, the second's workspace is made, with no container of its own.
    await waitFor('the next instance prepared', () => api.campaigns.nextState() === 'ready', 240_000);
    assert.match(bar.text, /Campaign 1 of 3 \$\(check\)/);
    const nextWs = api.campaigns.workspaceDirOf(IDS[1]!);
    assert.ok(fs.existsSync(nextWs));
    assert.deepEqual(await api.runtime().listOurContainers({ instanceId: IDS[1] }), [], 'preparing leaves no container');

    // Finish (Next while recording): graded, recorded in the campaign, the next one offered.
    writeGold(api, IDS[0]!, api.devContainers.workspaceDir(IDS[0]!)!);
    await vscode.commands.executeCommand('sweGym.campaign.next');
    // The difficulty questions come between the finish and the offer (dismissed here: the offer follows either way).
    await waitFor('the questions', () => api.annotations.formStep !== undefined, 60_000);
    assert.equal(api.campaigns.lastOffer, undefined, 'no offer while the questions are open');
    await closeForm(api);
    await waitFor('the offer of the next instance', () => api.campaigns.lastOffer !== undefined, 60_000);
    const done = api.campaigns.campaign?.items[0];
    assert.equal(done?.state, 'done');
    assert.equal(done?.resolved, true, api.notices.at(-1));
    assert.ok(done?.demonstration && fs.existsSync(done.demonstration) && path.dirname(done.demonstration) === path.join(out, 'Cam_Paign'), 'the demonstration is in the annotator’s campaign folder');
    assert.match(bar.text, /Campaign 2 of 3/);

    // Next (the offer taken): the prepared instance is only started.
    await vscode.commands.executeCommand('sweGym.campaign.next');
    assert.equal(api.demos.current?.instanceId, IDS[1], api.notices.at(-1));
    assert.deepEqual(api.campaigns.handovers.at(-1) && { id: api.campaigns.handovers.at(-1)?.instanceId, prefetched: api.campaigns.handovers.at(-1)?.prefetched }, { id: IDS[1], prefetched: true });
    assert.equal(api.devContainers.isRunning(IDS[0]!), false, 'the finished instance’s container is stopped');

    // Skip, with a reason: the recording is discarded and the last instance opened.
    assert.equal(await vscode.commands.executeCommand('sweGym.campaign.skip', '  '), undefined);
    assert.match(api.notices.at(-1) ?? '', /Say why the instance is skipped/);
    assert.ok(api.demoPanels.isOpen(IDS[1]!), 'the recorded instance has its demonstration panel');
    await vscode.commands.executeCommand('sweGym.campaign.skip', 'the issue is unclear');
    assert.equal(api.demos.current?.instanceId, IDS[2], api.notices.at(-1));
    // The skipped instance's panel (its recording discarded) is closed; the next one's is open.
    assert.equal(api.demoPanels.isOpen(IDS[1]!), false, 'the skipped instance’s demonstration panel stays open');
    assert.ok(api.demoPanels.isOpen(IDS[2]!));
    assert.match(bar.text, /Campaign 3 of 3/);
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as { items: { state: string; reason?: string }[] };
    assert.deepEqual(onDisk.items.map((x) => [x.state, x.reason]), [['done', undefined], ['skipped', 'the issue is unclear'], ['pending', undefined]]);

    // Stop, then resume from the file (as after a reload): the same place in the queue.
    await vscode.commands.executeCommand('sweGym.campaign.stop');
    assert.equal(api.campaigns.campaign, undefined);
    await vscode.commands.executeCommand('sweGym.campaign.start', { existing: 'resume' });
    assert.equal(api.campaigns.progress()?.text, '3 of 3', api.notices.at(-1));
    assert.equal(api.demos.current?.instanceId, IDS[2]);
    await vscode.commands.executeCommand('sweGym.campaign.stop');
    assert.equal(bar.text === '' || !api.campaigns.campaign, true);
  });
});
