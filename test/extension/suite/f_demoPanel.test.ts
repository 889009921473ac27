import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import { readDraftsFile } from '../../../src/core/annotations/annotationDrafts';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { SweGymApi } from '../../../src/extension/api';
import type { DemoPanel } from '../../../src/extension/demo/demoPanel';
import type { TrajectoryPanel } from '../../../src/extension/trajectoryView/trajectoryPanel';
import type { DemoTimelineItem } from '../../../src/shared/demoPanel';
import type { SessionView } from '../../../src/shared/instancePage';
import type { DemoRequests, TrajectoryRequests } from '../../../src/shared/protocol';
import { answerFormStep, closeForm, getApi, git, replaceAndSave, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__moneta-34';

let nextRequestId = 98_000;
/** A request as the webview sends it (the panel's own checks and handlers run). */
async function demo<M extends keyof DemoRequests & string>(p: DemoPanel, method: M, params: DemoRequests[M]['params']): Promise<void> {
  await p.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}
async function traj<M extends keyof TrajectoryRequests & string>(p: TrajectoryPanel, method: M, params: TrajectoryRequests[M]['params']): Promise<void> {
  await p.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}

describe('the demonstration panel (moneta sample): live steps and notes, controls, finish, the step view, continue from a step, an interrupted one', function () {
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
    git(ws, ['clean', '-fdq', '-e', '.vscode']);
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
      await replaceAndSave(abs, after);
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
    // The difficulty questions open after the finish. One answer, then closed as Escape does:
    // nothing is stored, the answer is kept, and sweGym.annotate reaches the form later (below).
    await answerFormStep(api, 'difficulty', 2);
    await waitFor('the second question', () => api.annotations.formStep === 'underspecified');
    await closeForm(api);
    assert.equal(api.annotations.mine(ID), undefined);
    await waitFor('the answer kept as a draft', () => api.annotations.draft(ID)?.difficulty === '1-4 hours');
    // Kept on disk beside the annotator's annotations: a reloaded window's form starts on it.
    const draftsFile = api.annotations.draftsFile();
    assert.equal(path.dirname(draftsFile), path.dirname(api.annotations.storeFile()));
    assert.deepEqual(readDraftsFile(draftsFile).drafts[ID], { difficulty: '1-4 hours' });
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
    assert.ok(s.selected?.view.steps[0]?.observations[0]?.text);
    // Named for what it shows; its steps are the recording steps the panel counted (each with all its
    // tool calls), not the trajectory's one-call turns; the grade is the one taken at finish.
    assert.equal(tp.panel.title, `Demonstration: ${ID}`);
    assert.equal(s.selected?.view.steps.length, row.steps);
    assert.deepEqual(s.selected?.view.steps.map((x) => x.step), Array.from({ length: row.steps }, (_, i) => i + 1));
    assert.equal(s.selected?.view.steps.reduce((n, x) => n + x.toolCalls.length, 0), t.steps - 1, 'every call but the closing finish');
    assert.ok(t.steps - 1 > row.steps, 'the save became more than one call, so the two counts differ in the file');
    assert.deepEqual(s.selected?.demonstration?.finishGrade, { status: t.reward?.status, resolved: true });
    // It is a demonstration, not an imported run: the tree does not list it under the instance.
    const node = api.tree.nodeFor(ID);
    assert.ok(node);
    assert.ok(!api.tree.getChildren(node).some((c) => c.kind === 'child' && c.id === `imported:${t.rollout_id}`), 'the demonstration is listed as an imported run in the tree');

    // Continue from step 1 by hand: the dev container goes back to the base, step 1 (every call of
    // it: the view's step is a recording step) is replayed into it.
    // (.vscode is the launch's own folder, mounted read-only into the container: git clean once failed on it with EBUSY.)
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq', '-e', '.vscode']);
    const callsOfStep1 = t.demonstration?.recorded_step_calls?.[0];
    assert.ok(callsOfStep1 && callsOfStep1 === s.selected?.view.steps[0]?.toolCalls.length);
    await traj(tp, 'continueFrom', { rolloutId: t.rollout_id, step: 1, by: 'hand' });
    const fork = await waitFor('the continuation', () => api.agents.runs.rows(ID).find((r) => r.forkOf?.rolloutId === t.rollout_id && r.forkOf.step === callsOfStep1), 60_000);
    const result = await api.agents.whenDone(fork.rolloutId);
    assert.equal(result?.exitReason, 'replay_exhausted', `${result?.exitReason}: ${result?.message ?? ''} ${api.notices.at(-1) ?? ''}`);
    assert.notEqual(git(ws, ['status', '--porcelain']), '', 'step 1 of the demonstration is in the workspace again');

    // The closed questions, reached later from sweGym.annotate: they start on the kept answer and go with the demonstration.
    const annotating = vscode.commands.executeCommand('sweGym.annotate', ID) as Thenable<{ difficulty: string; demonstration?: { file: string } } | undefined>;
    await answerFormStep(api, 'difficulty', 0);
    await answerFormStep(api, 'underspecified', 0);
    await answerFormStep(api, 'false_negative', 0);
    await answerFormStep(api, 'notes', 0);
    const a = await annotating;
    assert.equal(a?.difficulty, '1-4 hours', api.notices.at(-1));
    assert.equal(a?.demonstration?.file, row.file);
    assert.equal(api.annotations.draft(ID), undefined);
    assert.equal(readDraftsFile(draftsFile).drafts[ID], undefined, 'the answered draft is still on disk');
  });

  it('an interrupted demonstration shows its steps from the log before Resume; Resume takes it up in the same log; Discard deletes it', async () => {
    // A change in the workspace before the start: a new demonstration records it as its first step.
    fs.writeFileSync(path.join(ws, 'INTERRUPTED.md'), 'kept across the interruption\n');
    await demo(panel, 'start', {});
    const rec = await waitFor('the new recording', () => api.demos.current?.recorder, 30_000);
    await waitFor('its first step', () => (panel.state().recording?.steps ?? 0) >= 1, 30_000);
    const eventsPath = rec.eventsPath;
    const stepsBefore = rec.stepCount;
    // The host lets go without ending it, as a crash or a reload does.
    api.demos.detach();
    const i = panel.state().interrupted;
    assert.equal(panel.state().recording, null);
    assert.equal(i?.eventsPath, eventsPath);
    assert.equal(i.steps, stepsBefore);
    assert.deepEqual(i.timeline.filter((x) => x.kind === 'step').map((x) => (x.kind === 'step' ? x.step : 0)), Array.from({ length: stepsBefore }, (_, n) => n + 1));
    assert.ok(i.actions >= stepsBefore);

    await demo(panel, 'start', {});
    await waitFor('the resumed recording', () => api.demos.current?.instanceId === ID, 30_000);
    assert.equal(panel.state().interrupted, null);
    assert.equal(panel.state().recording?.eventsPath, eventsPath);
    assert.equal(panel.state().recording?.steps, stepsBefore);

    api.demos.detach();
    assert.ok(panel.state().interrupted);
    await vscode.commands.executeCommand('sweGym.demo.discard', true, ID);
    assert.equal(panel.state().interrupted, null);
    assert.equal(api.demos.interrupted().length, 0);
    assert.ok(!fs.existsSync(eventsPath), 'the discarded log is still on disk');
    assert.ok(!fs.existsSync(eventsPath.replace(/\.jsonl$/, '.files')), 'the discarded log’s stored contents are still on disk');
  });
});
