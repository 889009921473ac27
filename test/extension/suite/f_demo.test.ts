import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import * as vscode from 'vscode';
import { loadRecordedRows, replayRow } from '../../../src/core/agent/replay';
import { parseTextToolCalls } from '../../../src/core/agent/model/textToolCalls';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import type { StampedDemoEvent } from '../../../src/core/demo/demoEvents';
import { exportRun } from '../../../src/core/trajectory/exportRows';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { SweGymApi } from '../../../src/extension/api';
import type { SessionView } from '../../../src/shared/instancePage';
import { closeForm, getApi, replaceAndSave, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__moneta-34';

describe('a human demonstration on a sample (moneta): save, terminal, hidden tests, reveal, crash and resume, finish, export, replay', function () {
  this.timeout(600_000);
  let api: SweGymApi;
  let ws: string;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demos-'));
  const events = () => (api.demos.current?.recorder.history ?? []) as readonly StampedDemoEvent[];
  const steps = (source: string) => events().filter((e) => e.type === 'demo_step' && e.source === source);

  before(async () => {
    api = await getApi();
    await setSetting('demo.outputDir', out);
    await setSetting('demo.annotator', 'Test Annotator');
    const view = (await vscode.commands.executeCommand('sweGym.launch', ID)) as SessionView | undefined;
    assert.equal(view?.state, 'running', api.notices.at(-1));
    ws = view.workspaceDir as string;
  });

  after(async () => {
    if (api?.demos.current) await api.demos.discard().catch(() => undefined);
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await setSetting('demo.outputDir', undefined);
    await setSetting('demo.annotator', undefined);
  });

  it('records an editor save, a sed -i in the container terminal, a hidden-test run and a reveal; the status bar shows it', async () => {
    const eventsPath = (await vscode.commands.executeCommand('sweGym.demo.start', ID)) as string | undefined;
    assert.ok(eventsPath && fs.existsSync(eventsPath), api.notices.at(-1));
    assert.match(eventsPath, /Test_Annotator/);
    const item = api.demoStatusBar.item;
    await waitFor('the status bar item', () => /^\$\(record\) Demo \d\d:\d\d · 0 steps$/.test(item.text));

    // The fix, typed in the editor: each file of the gold patch edited through a document and saved.
    await vscode.commands.executeCommand('sweGym.demo.addNote', 'The fix goes into the parser.');
    const gold = api.datasets.find(ID)?.instance.patch ?? '';
    for (const file of parsePatch(gold)) {
      const rel = (file.newFileName ?? '').replace(/^b\//, '');
      const abs = path.join(ws, rel);
      const before = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : '';
      const after = applyPatch(before, file);
      assert.ok(typeof after === 'string', `the gold patch applies to ${rel}`);
      await replaceAndSave(abs, after, { show: true });
    }
    await waitFor('the save step', () => steps('save').length >= 1, 30_000);
    const saved = steps('save')[0];
    assert.ok(saved?.type === 'demo_step' && saved.note === 'The fix goes into the parser.');
    assert.ok(saved.actions.every((a) => a.name === 'str_replace_editor'), JSON.stringify(saved.actions.map((a) => a.arguments.slice(0, 80))));

    // Commands typed in the instance's terminal (our pseudoterminal sees them).
    const terminal = await waitFor('the container terminal', () => vscode.window.terminals.find((t) => t.name === `SWE-Gym: ${ID}`));
    terminal.show();
    terminal.sendText("printf 'x marks\\n' > notes.txt");
    // A person types the next command after the prompt is back (and its step recorded): the state
    // after a command is read when it ends, so a command typed ahead would be seen in the earlier step.
    await waitFor('the first terminal step', () => steps('terminal').length >= 1, 60_000);
    terminal.sendText("sed -i 's/x marks/y marks/' notes.txt && cat notes.txt");
    await waitFor('two terminal steps', () => steps('terminal').length >= 2, 60_000);
    const sed = steps('terminal')[1];
    assert.ok(sed?.type === 'demo_step');
    const call = sed.actions[sed.actions.length - 1];
    assert.equal(call?.arguments, JSON.stringify({ command: "sed -i 's/x marks/y marks/' notes.txt && cat notes.txt" }));
    assert.match(call?.observation ?? '', /^OBSERVATION:\nsed -i .*\r\ny marks\[Python Interpreter: .*\]\nroot@openhands-workspace:\/testbed # \n\[Command finished with exit code 0\]$/s);
    assert.deepEqual(Object.keys(sed.files), ['notes.txt']);

    await vscode.commands.executeCommand('sweGym.runTests', ID);
    await waitFor('the test run in the demonstration', () => events().some((e) => e.type === 'demo_test_run'), 60_000);
    await vscode.commands.executeCommand('sweGym.revealGold', ID);
    await waitFor('the reveal', () => events().some((e) => e.type === 'demo_reveal' && e.what === 'gold_patch'));
    assert.ok((api.demos.current?.saveLatencies.length ?? 0) >= 1);
    assert.match(item.text, /^\$\(record\) Demo \d\d:\d\d · \d+ steps$/);
    await vscode.commands.executeCommand('sweGym.demo.pause');
    assert.match(item.text, /^\$\(debug-pause\) Demo .* · paused$/);
    await vscode.commands.executeCommand('sweGym.demo.resume');
    assert.match(item.text, /^\$\(record\)/);
  });

  it('a crash mid-demonstration keeps every finished step, and the demonstration resumes', async () => {
    const rec = api.demos.current?.recorder;
    assert.ok(rec);
    const kept = rec.stepCount;
    const eventsPath = rec.eventsPath;
    api.demos.detach();
    fs.appendFileSync(eventsPath, '{"type":"demo_step","step":99,"actio');
    assert.equal(api.demos.interrupted().length, 1);
    await vscode.commands.executeCommand('sweGym.demo.resume', ID);
    const resumed = api.demos.current?.recorder;
    assert.ok(resumed, api.notices.at(-1));
    // Every step finished before the crash is kept as it was; the torn line is gone.
    assert.ok(resumed.stepCount >= kept);
    const before = resumed.history.filter((e) => e.type === 'demo_step').slice(0, kept);
    assert.deepEqual(before.map((e) => (e.type === 'demo_step' ? e.step : 0)), Array.from({ length: kept }, (_, i) => i + 1));
    assert.ok(!fs.readFileSync(eventsPath, 'utf8').includes('"step":99'));
    assert.ok(resumed.revealed.includes('gold_patch'));
  });

  it('finishes resolved; the default export leaves the revealed demonstration out, the SFT export with it validates, and a replay reproduces patch and reward', async () => {
    const t = (await vscode.commands.executeCommand('sweGym.demo.finish')) as ClosedTrajectory | undefined;
    assert.ok(t, api.notices.at(-1));
    // The difficulty questions open after every finish; closed unanswered, they store nothing and the demonstration stays saved.
    await waitFor('the difficulty questions', () => api.annotations.formStep === 'difficulty', 30_000);
    await closeForm(api);
    assert.equal(api.annotations.mine(ID), undefined);
    assert.equal(t.reward?.resolved, true, t.reward?.test_output.slice(-1500));
    assert.equal(t.model, 'human');
    assert.equal(t.demonstration?.annotator, 'Test Annotator');
    assert.equal(t.demonstration?.test_runs.length, 1);
    assert.equal(api.demos.current, undefined);
    const runDir = api.demos.runDir();
    const plain = await exportRun(runDir, 'sft');
    assert.equal(plain.written, 0);
    assert.deepEqual(plain.skipped.map((s) => s.reason), ['saw the gold patch or the test names']);
    const sft = await exportRun(runDir, 'sft', { includeRevealed: true, outFile: path.join(out, 'sft.jsonl') });
    assert.equal(sft.written, 1);
    const line = JSON.parse(fs.readFileSync(sft.file, 'utf8').trim()) as { messages: { role: string; content: string }[] };
    assert.deepEqual(
      line.messages.map((m) => m.role),
      t.messages.map((m) => (m.role === 'tool' ? 'user' : m.role)),
    );
    for (const m of line.messages.filter((x) => x.role === 'assistant')) assert.equal(parseTextToolCalls(m.content, t.tools, 'v').toolCalls.length, 1, m.content.slice(0, 200));

    const ds = await loadDataset('samples');
    const [row] = await loadRecordedRows(path.join(runDir, `${ID}_0.json`));
    assert.ok(row);
    const replay = await replayRow(api.runtime(), ds, row, { allowPull: false, sessionId: api.sessionId });
    assert.equal(replay.result.patch, t.patch);
    assert.equal(replay.result.resolved, true);
    assert.deepEqual(replay.mismatches, []);
  });
});
