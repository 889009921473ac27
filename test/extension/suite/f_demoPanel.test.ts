import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { SweGymApi } from '../../../src/extension/api';
import type { DemoPanel } from '../../../src/extension/demo/demoPanel';
import type { TrajectoryPanel } from '../../../src/extension/trajectoryView/trajectoryPanel';
import type { DemoTimelineItem } from '../../../src/shared/demoPanel';
import type { SessionView } from '../../../src/shared/instancePage';
import type { DemoRequests, TrajectoryRequests } from '../../../src/shared/protocol';
import { getApi, git, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__moneta-34';

let nextRequestId = 98_000;
/** A request as the webview sends it (the panel's own checks and handlers run). */
async function demo<M extends keyof DemoRequests & string>(p: DemoPanel, method: M, params: DemoRequests[M]['params']): Promise<void> {
  await p.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}
async function traj<M extends keyof TrajectoryRequests & string>(p: TrajectoryPanel, method: M, params: TrajectoryRequests[M]['params']): Promise<void> {
  await p.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}

describe('the demonstration panel (moneta sample): live steps and notes, controls, finish, the step view, continue from a step', function () {
  this.timeout(600_000);
  let api: SweGymApi;
  let ws: string;
  let panel: DemoPanel;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demo-panel-'));
  const steps = () => (panel.state().recording?.timeline ?? []).filter((x): x is Extract<DemoTimelineItem, { kind: 'step' }> => x.kind === 'step');

  before(async () => {
    api = await getApi();
    await setSetting('demo.outputDir', out);
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
    // An earlier suite may have left its work in this instance's workspace: start from the base.
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq']);
    // Its documents may still be open on the old text: read again from the disk.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && d.uri.fsPath.startsWith(ws))) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    if (api?.demos.current) await api.demos.discard().catch(() => undefined);
    for (const r of api?.agents.runs.rows(ID) ?? []) if (r.state === 'running' || r.state === 'paused') api.agents.session(r.rolloutId)?.control('cancel');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await setSetting('demo.outputDir', undefined);
  });

  it('starts from the panel, shows each step as it is recorded with its note, edits a past note, pauses and resumes', async () => {
    const ref = api.datasets.find(ID);
    assert.ok(ref);
    panel = api.demoPanels.show(ref);
    await waitFor('the panel webview', () => panel.isReady, 60_000);
    assert.equal(panel.state().recording, null);
    assert.equal(panel.state().launched, true);

    await demo(panel, 'start', {});
    await waitFor('the recording', () => api.demos.current?.instanceId === ID, 30_000);
    assert.equal(panel.state().recording?.state, 'recording');
    assert.ok(api.demoStatusBar.item.command === 'sweGym.demo.showPanel');

    // The note box: it waits for the next step, then goes with it.
    await demo(panel, 'setNote', { text: '  The parser drops the last field.  ' });
    assert.equal(panel.state().recording?.pendingNote, 'The parser drops the last field.');

    const gold = ref.instance.patch;
    for (const file of parsePatch(gold)) {
      const rel = (file.newFileName ?? '').replace(/^b\//, '');
      const abs = path.join(ws, rel);
      const after = applyPatch(fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : '', file);
      assert.ok(typeof after === 'string');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(abs));
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), after);
      assert.ok(await vscode.workspace.applyEdit(edit));
      if (!(await doc.save()) && doc.isDirty) {
        // A loaded host now and then answers false and leaves the buffer dirty (see f_demo); a person saves again.
        await new Promise((r) => setTimeout(r, 1000));
        await doc.save();
      }
    }
    await waitFor('the saved step in the panel', () => steps().length >= 1, 30_000);
    const first = steps()[0];
    assert.ok(first);
    assert.equal(first.source, 'save');
    assert.equal(first.note, 'The parser drops the last field.');
    assert.equal(panel.state().recording?.pendingNote, null);
    const files = parsePatch(gold).map((f) => (f.newFileName ?? '').replace(/^b\//, ''));
    assert.ok(first.actions.every((a) => a.tool === 'str_replace_editor' && files.some((f) => a.label.endsWith(` ${f}`))), JSON.stringify(first.actions));
    assert.ok(first.actions.every((a) => a.observation.length > 0 && a.observation.length < 700));

    // A past step's note, changed from its box.
    await demo(panel, 'setStepNote', { step: 1, text: 'The fix: keep the last field when splitting.' });
    assert.equal(steps()[0]?.note, 'The fix: keep the last field when splitting.');

    await demo(panel, 'pause', {});
    assert.equal(panel.state().recording?.state, 'paused');
    assert.equal(api.demos.current?.recorder.state, 'paused');
    await demo(panel, 'resume', {});
    assert.equal(panel.state().recording?.state, 'recording');
    assert.deepEqual(
      // (A gold reveal from an earlier suite on this instance shows too, as 'before this demonstration started'.)
      panel.state().recording?.timeline.map((x) => x.kind).filter((k) => k === 'pause' || k === 'resume'),
      ['pause', 'resume'],
    );
  });

  it('finishes from the panel (graded), lists it, opens it in the step view with its notes and reward, and continues from step 1 by hand', async () => {
    await demo(panel, 'finish', {});
    await waitFor('the finished demonstration', () => panel.state().finished.length === 1 && !api.demos.current, 300_000);
    const row = panel.state().finished[0];
    assert.ok(row);
    assert.equal(row.resolved, true, api.notices.at(-1));
    assert.equal(panel.state().recording, null);
    const t = JSON.parse(fs.readFileSync(row.file, 'utf8')) as ClosedTrajectory;
    const firstTurn = t.messages.find((m) => m.role === 'assistant');
    assert.equal(firstTurn?.content, 'The fix: keep the last field when splitting.');

    // A file the panel does not list is refused (the webview's messages are not trusted).
    const stray = path.join(out, 'elsewhere.json');
    fs.writeFileSync(stray, JSON.stringify(t));
    await demo(panel, 'openSteps', { file: stray });
    assert.equal(api.trajectoryPanels.isOpen(ID), false);

    await demo(panel, 'openSteps', { file: row.file });
    const tp = await waitFor('the step view', () => api.trajectoryPanels.get(ID), 30_000);
    await waitFor('the step view webview', () => tp.isReady, 60_000);
    const s = await tp.state();
    assert.equal(s.selected?.row.rolloutId, t.rollout_id);
    assert.equal(s.selected?.row.scaffold, 'human demonstration');
    assert.equal(s.selected?.row.grade?.resolved, true);
    assert.equal(s.selected?.view.steps[0]?.thought, 'The fix: keep the last field when splitting.');
    assert.equal(s.selected?.view.steps.length, t.steps);
    assert.ok(s.selected?.view.steps[0]?.observations[0]?.text);

    // Continue from step 1 by hand: the dev container goes back to the base, step 1 is replayed into it.
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq']);
    await traj(tp, 'continueFrom', { rolloutId: t.rollout_id, step: 1, by: 'hand' });
    const fork = await waitFor('the continuation', () => api.agents.runs.rows(ID).find((r) => r.forkOf?.rolloutId === t.rollout_id && r.forkOf.step === 1), 60_000);
    const result = await api.agents.whenDone(fork.rolloutId);
    assert.equal(result?.exitReason, 'replay_exhausted', `${result?.exitReason}: ${result?.message ?? ''} ${api.notices.at(-1) ?? ''}`);
    assert.notEqual(git(ws, ['status', '--porcelain']), '', 'step 1 of the demonstration is in the workspace again');
  });
});
