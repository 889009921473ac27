import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { SweGymApi } from '../../../src/extension/api';
import type { SessionView } from '../../../src/shared/instancePage';
import { answerFormStep, getApi, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__argsy-9';

/** Types the gold patch into the workspace as a person's edits would land there. */
function writeGold(api: SweGymApi, ws: string): void {
  for (const file of parsePatch(api.datasets.find(ID)?.instance.patch ?? '')) {
    const abs = path.join(ws, (file.newFileName ?? '').replace(/^b\//, ''));
    const after = applyPatch(fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : '', file);
    assert.ok(typeof after === 'string');
    fs.writeFileSync(abs, after);
  }
}

describe('finish → annotate: SWE-bench Verified’s questions after a demonstration, stored per annotator, on the page, tooltip and sort', function () {
  this.timeout(600_000);
  let api: SweGymApi;
  let ws: string;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-annotate-'));

  before(async () => {
    api = await getApi();
    await setSetting('demo.outputDir', out);
    await setSetting('demo.annotator', 'Ann Otator');
  });

  after(async () => {
    if (api?.demos.current) await api.demos.discard().catch(() => undefined);
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    api?.tree.setFilter({ ...api.tree.filter, sort: 'dataset' });
    await setSetting('demo.outputDir', undefined);
    await setSetting('demo.annotator', undefined);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('finishing a demonstration asks the questions; the answers are stored with the demonstration, shown and sortable', async () => {
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    assert.ok(await vscode.commands.executeCommand('sweGym.demo.start', ID), api.notices.at(-1));
    writeGold(api, ws);
    const finishing = vscode.commands.executeCommand('sweGym.demo.finish') as Thenable<ClosedTrajectory | undefined>;
    // A quick fix: the recorded time suggests the first bucket, which the person keeps.
    await answerFormStep(api, 'difficulty', 0);
    await answerFormStep(api, 'underspecified', 1);
    await answerFormStep(api, 'false_negative', 2);
    await answerFormStep(api, 'notes', 0);
    const t = await finishing;
    assert.equal(t?.reward?.resolved, true, api.notices.at(-1));
    await waitFor('the form to close', () => api.annotations.formStep === undefined);

    const mine = await waitFor('the stored answers', () => api.annotations.mine(ID));
    assert.deepEqual([mine.annotator, mine.difficulty, mine.underspecified, mine.false_negative, mine.notes], ['Ann Otator', '<15 min fix', 1, 2, '']);
    assert.equal(mine.demonstration?.resolved, true);
    assert.ok(mine.demonstration && fs.existsSync(mine.demonstration.file), 'the answers name the closed demonstration');
    const file = path.join(out, 'Ann_Otator', 'annotations.json');
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).annotations[ID].false_negative, 2, 'on disk, in the annotator’s folder beside the demonstration');

    // Another annotator's file in the same output root is read too.
    fs.mkdirSync(path.join(out, 'Bo'));
    fs.writeFileSync(path.join(out, 'Bo', 'annotations.json'), JSON.stringify({ format: 'swe-gym-studio/annotations@1', annotator: 'Bo', annotations: { 'swe-gym-studio__confini-7': { instance_id: 'swe-gym-studio__confini-7', annotator: 'Bo', difficulty: '>4 hours', underspecified: 3, false_negative: 3, notes: 'needs the spec', annotated_at: '2026-11-30T08:00:00.000Z' } } }));
    api.annotations.reload();

    // Tree: the row's description and tooltip.
    const item = api.tree.getTreeItem(api.tree.nodeFor(ID)!);
    assert.match(String(item.description), /✎ <15m/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /Ann Otator: \\?<15 min fix · issue 1\/3 · tests 2\/3/);
    // The annotated sort (its order is checked in test/extension/unit/treeSort) re-sorts on new answers.
    api.tree.setFilter({ ...api.tree.filter, sort: 'annotatedHardest' });
    assert.match(api.tree.describeFilter() ?? '', /Annotated difficulty: hardest first/);

    // The page's annotation section shows both people's answers for their instances.
    await vscode.commands.executeCommand('sweGym.openInstance', ID);
    const panel = await waitFor('the page', () => api.panels.get(ID));
    const state = panel.pageState();
    assert.deepEqual(state.annotations?.map((a) => [a.annotator, a.mine, a.difficulty, a.underspecified, a.falseNegative]), [['Ann Otator', true, '<15 min fix', 1, 2]]);
    assert.equal(api.panels.show(api.datasets.find('swe-gym-studio__confini-7')!).pageState().annotations?.[0]?.annotator, 'Bo');

    // Scripted answers are checked like a file's; a bad one is refused and changes nothing.
    const before = fs.readFileSync(file, 'utf8');
    assert.equal(await vscode.commands.executeCommand('sweGym.annotate', ID, { difficulty: 'a week', underspecified: 0, false_negative: 0 }), undefined);
    assert.match(api.notices.at(-1) ?? '', /difficulty must be one of/);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  });
});
