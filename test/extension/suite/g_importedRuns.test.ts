/**
 * Bring your own scaffold in VS Code (issue 12 items 1-2): Open Trajectories… on a folder of other
 * scaffolds' runs (the fixtures the core tests use: SWE-Gym rows, OpenHands, SWE-agent,
 * mini-swe-agent 1 and 1.1, SFT text, ATIF, plus a corrupt file and a tampered run), the runs in
 * the tree under their instance, kept across a reload, the step view, Compute diffs / Replay and
 * Grade in real containers of the textkit sample. No mock: real files, real Docker, real harness.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { ImportOutcome } from '../../../src/extension/trajectories/importTrajectories';
import { ImportedRunStore } from '../../../src/extension/trajectories/importedRunStore';
import { importTrajectories } from '../../../src/extension/trajectories/importTrajectories';
import type { TrajectoryPanel } from '../../../src/extension/trajectoryView/trajectoryPanel';
import type { ChildNode, InstanceNode } from '../../../src/extension/tree/instanceTree';
import { Logger } from '../../../src/extension/util/logger';
import type { TrajectoryRequests } from '../../../src/shared/protocol';
import { gradeDisagreement, type ImportedRunRow } from '../../../src/shared/trajectoryView';
import { ATIF_USAGE, makeImportFolder } from '../../support/importFolder';
import { getApi, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';

let nextRequestId = 97_000;
/** A request as the webview sends it; the reply is what the webview would get. */
async function fromWebview<M extends keyof TrajectoryRequests & string>(panel: TrajectoryPanel, method: M, params: TrajectoryRequests[M]['params']): Promise<void> {
  await panel.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}

describe('imported runs of other scaffolds (textkit sample, real containers)', function () {
  this.timeout(240_000);
  let api: SweGymApi;
  let dir = '';
  let outcome: ImportOutcome;
  const rowOf = (format: string, file?: string) => {
    const r = api.importedRuns.runsOf(ID).find((x) => x.format === format && (!file || x.sourceFile.includes(file)));
    assert.ok(r, `no imported ${format} run ${file ?? ''}`);
    return r;
  };
  const childItems = () => {
    const node = api.tree.nodeFor(ID) as InstanceNode;
    return (api.tree.getChildren(node) as ChildNode[]).map((c) => api.tree.getTreeItem(c));
  };
  const ourContainers = async () => (await api.runtime().listOurContainers({ sessionId: api.sessionId, instanceId: ID })).length;

  before(async () => {
    api = await getApi();
    await api.ready;
    await api.importedRunsReady;
    dir = makeImportFolder();
  });

  after(async () => {
    for (const r of api?.importedRuns.all() ?? []) await api.importedRuns.remove(r.rolloutId);
    api?.trajectoryPanels.get(ID)?.panel.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Open Trajectories… on a folder: every format under its instance, the corrupt file reported with its path and skipped, kept across a reload', async () => {
    outcome = (await vscode.commands.executeCommand('sweGym.openTrajectories', dir)) as ImportOutcome;
    assert.equal(outcome.cancelled, false);
    assert.equal(outcome.imported.length, 8, JSON.stringify(outcome.failures));
    assert.deepEqual(outcome.instances, [ID]);
    assert.equal(outcome.failures.length, 1, JSON.stringify(outcome.failures));
    assert.equal(outcome.failures[0]?.file, path.join(dir, 'broken', 'garbage.json'));
    assert.match(api.notices.at(-1) ?? '', /1 file or entry skipped, e\.g\. .*garbage\.json/);

    const rows = api.importedRuns.runsOf(ID);
    assert.deepEqual([...new Set(rows.map((r) => r.format))].sort(), ['atif', 'mini-swe-agent', 'openhands-v0', 'sft-text', 'swe-agent', 'swe-gym-row']);
    // In the tree: the instance's row opens onto its runs, each saying scaffold, model, exit status, steps, the recorded result.
    const instanceItem = api.tree.getTreeItem(api.tree.nodeFor(ID) as InstanceNode);
    assert.equal(instanceItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const items = childItems();
    assert.equal(items.length, 8);
    for (const r of rows) {
      const item = items.find((i) => i.id === `imported:${r.rolloutId}`);
      assert.ok(item, r.rolloutId);
      assert.equal(item.label, r.scaffold);
      const description = String(item.description);
      assert.ok(description.includes(r.model) && description.includes(`${r.steps} step`), description);
      if (r.exitStatus) assert.ok(description.includes(r.exitStatus), description);
      assert.equal(r.recordedResolved, true, `${r.format}: the fixtures all record resolved`);
      assert.ok(description.includes('resolved (recorded)'), description);
      assert.equal(item.contextValue, 'importedRun');
    }
    // What a reloaded window reads: the index and the trajectories in the extension's storage.
    const channel = vscode.window.createOutputChannel('imported-runs-test', { log: true });
    const again = new ImportedRunStore(api.importedRuns.dir, new Logger(channel));
    await again.load();
    assert.deepEqual(again.runsOf(ID).map((r) => r.rolloutId).sort(), rows.map((r) => r.rolloutId).sort());
    const t = await again.trajectory(rowOf('swe-agent').rolloutId);
    assert.equal(t.imported?.format, 'swe-agent');
    again.dispose();
    channel.dispose();
  });

  it('opens in the step view (thought, action, observation, tokens where recorded); Compute diffs replays it in a fresh container: a diff after every step, no step different', async () => {
    const row = rowOf('openhands-v0');
    const panel = (await vscode.commands.executeCommand('sweGym.trajectory.open', row.rolloutId)) as TrajectoryPanel;
    await waitFor('the trajectory view to load', () => panel.isReady, 60_000);
    let s = await panel.state();
    assert.equal(s.selected?.row.rolloutId, row.rolloutId);
    const view = s.selected?.view;
    assert.ok(view);
    assert.equal(view.steps.length, row.steps);
    assert.ok(view.steps.some((st) => st.thought.trim()), 'no thought shown');
    // Every action with its recorded observation (a finish call records none).
    assert.ok(view.steps.every((st) => st.toolCalls.every((c) => c.name === 'finish' || st.observations.some((o) => o.toolCallId === c.id))), 'an action without its observation');
    assert.ok(view.steps.some((st) => st.toolCalls.some((c) => c.name === 'str_replace_editor')));
    assert.ok(view.steps.some((st) => st.observations.some((o) => o.text.includes('textkit'))));
    assert.equal(s.selected?.diffs, null, 'the OpenHands file carries no per-step diffs');
    assert.equal(s.runs.length, 8);
    assert.ok(view.steps.every((st) => !st.usage && !st.costUsd), 'tokens shown where the file records none');
    // Tokens and cost where the file records them (the ATIF copy, at its first step).
    await fromWebview(panel, 'select', { rolloutId: rowOf('atif').rolloutId });
    const atif = (await panel.state()).selected?.view;
    assert.deepEqual(atif?.steps[0]?.usage, { promptTokens: ATIF_USAGE.prompt_tokens, completionTokens: ATIF_USAGE.completion_tokens });
    assert.equal(atif?.steps[0]?.costUsd, ATIF_USAGE.cost_usd);
    assert.deepEqual(atif?.totals, { promptTokens: ATIF_USAGE.prompt_tokens, completionTokens: ATIF_USAGE.completion_tokens, costUsd: ATIF_USAGE.cost_usd });
    // Every format's run in the view: the task with the issue, its seven steps, each action with
    // the observation its file records (the first step lists the repository).
    const issue = api.datasets.find(ID)?.instance.problem_statement.slice(0, 60) ?? '';
    assert.ok(issue);
    for (const r of api.importedRuns.runsOf(ID)) {
      const what = `${r.format} (${path.basename(path.dirname(r.sourceFile))})`;
      await fromWebview(panel, 'select', { rolloutId: r.rolloutId });
      const sel = (await panel.state()).selected;
      assert.ok(sel, what);
      assert.equal(sel.row.rolloutId, r.rolloutId, what);
      assert.ok(sel.task.text.includes(issue), `${what}: the task does not carry the issue`);
      assert.equal(sel.view.steps.length, 7, what);
      for (const st of sel.view.steps) {
        assert.ok(st.toolCalls.length, `${what}: step ${st.step} has no action`);
        for (const c of st.toolCalls) assert.ok(c.name === 'finish' || st.observations.some((o) => o.toolCallId === c.id && o.text.trim()), `${what}: step ${st.step}'s ${c.name} has no observation`);
      }
      assert.ok(sel.view.steps[0]?.observations.some((o) => o.text.includes('pyproject.toml')), `${what}: step 1 does not show the listing`);
    }
    await panel.select(row.rolloutId);

    const before = await ourContainers();
    const started = Date.now();
    await fromWebview(panel, 'replay', { rolloutId: row.rolloutId, reward: false });
    console.log(`      compute diffs (replay without reward): ${Date.now() - started} ms`);
    s = await panel.state();
    assert.equal(s.busy, null);
    assert.equal(s.selected?.diffs, 'replay', api.notices.at(-1));
    const steps = s.selected?.view.steps ?? [];
    assert.ok(steps.every((st) => st.diff), 'a step without its diff');
    const last = steps.at(-1)?.diff;
    assert.match(last?.patch ?? '', /^\+\+\+ b\/textkit\/align\.py$/m);
    assert.equal(steps[0]?.diff?.patch.trim(), '', 'the first step (a listing) changed nothing');
    const rp = s.selected?.replay;
    assert.ok(rp);
    assert.equal(rp.counts.different, 0, JSON.stringify(rp.steps.filter((x) => x.verdict === 'different')));
    assert.ok(rp.counts.same + rp.counts.noise > 0);
    assert.equal(rp.firstDivergence, null);
    assert.deepEqual(rp.patch, { same: true, onlyRecorded: [], onlyReplayed: [] });
    assert.equal(api.importedRuns.row(row.rolloutId)?.replay?.counts.different, 0);
    await waitFor('the replay container to be gone', async () => (await ourContainers()) === before);
  });

  it('Grade: a recorded resolved run grades resolved; a run whose file says resolved and whose patch fixes nothing is flagged in the tree and the view; Replay names its first divergence', async () => {
    const good = rowOf('swe-gym-row', `${path.sep}swe-gym${path.sep}`);
    const grade = (await vscode.commands.executeCommand('sweGym.trajectory.grade', good.rolloutId)) as ImportedRunRow['grade'];
    assert.equal(grade?.status, 'resolved', JSON.stringify(grade));
    assert.equal(gradeDisagreement(api.importedRuns.row(good.rolloutId) as ImportedRunRow), null);

    const bad = rowOf('swe-gym-row', 'tampered');
    const panel = api.trajectoryPanels.get(ID) as TrajectoryPanel;
    await fromWebview(panel, 'select', { rolloutId: bad.rolloutId });
    await fromWebview(panel, 'grade', { rolloutId: bad.rolloutId });
    let s = await panel.state();
    assert.equal(s.selected?.row.grade?.status, 'unresolved', JSON.stringify(s.selected?.row.grade));
    assert.equal(gradeDisagreement(s.selected?.row as ImportedRunRow), 'resolved-not-reproduced');
    const item = childItems().find((i) => i.id === `imported:${bad.rolloutId}`);
    assert.ok(item);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(String(item.description), /not reproduced/);
    assert.match(String((item.tooltip as vscode.MarkdownString).value), /the file says resolved; our grade says not/);
    const goodItem = childItems().find((i) => i.id === `imported:${good.rolloutId}`);
    assert.equal((goodItem?.iconPath as vscode.ThemeIcon).id, 'pass');

    await fromWebview(panel, 'replay', { rolloutId: bad.rolloutId, reward: false });
    s = await panel.state();
    const rp = s.selected?.replay;
    assert.ok(rp, api.notices.at(-1));
    assert.equal(rp.firstDivergence?.step, 6, JSON.stringify(rp.steps.map((x) => [x.step, x.verdict])));
    assert.equal(rp.counts.different, 1);
    const diverged = rp.steps.find((x) => x.verdict === 'different');
    assert.match(diverged?.recorded ?? '', / M textkit\/width\.py/);
    assert.match(diverged?.replayed ?? '', / M textkit\/align\.py/);
    // The replayed patch is the real fix, the recorded one is not: compared by changed lines.
    assert.equal(rp.patch?.same, false);
    assert.ok(rp.patch?.onlyRecorded.some((l) => l.includes('not a fix')));
  });
  it('Cancel in the view stops a Grade and a Replay mid-way: the request ends as cancelled, naming it; the container is gone; nothing half-done is kept', async () => {
    // A run with a final patch (the SFT text form records none, so its grade would fail at once).
    const row = rowOf('swe-agent');
    const panel = api.trajectoryPanels.get(ID) as TrajectoryPanel;
    await fromWebview(panel, 'select', { rolloutId: row.rolloutId });
    // What the webview is sent back (the host's one post function), to read the cancelled request's reply.
    const replies: { id: number; ok: boolean; error?: { message: string; code: string } }[] = [];
    const rpc = panel.rpc as unknown as { post: (m: { type: string }) => unknown };
    const post = rpc.post;
    rpc.post = (m) => {
      if (m.type === 'reply') replies.push(m as unknown as (typeof replies)[number]);
      return post(m);
    };
    const busyMessages: string[] = [];
    let cancelAt: RegExp | undefined;
    let cancelled: Promise<void> | undefined;
    // The Cancel button's request, sent the moment the view is told the work reached `cancelAt`.
    const watch = api.importedActions.onDidChangeBusy((id) => {
      const message = api.importedActions.busyOf(id)?.message;
      if (id !== ID || !message) return;
      busyMessages.push(message);
      if (cancelAt?.test(message) && !cancelled) cancelled = fromWebview(panel, 'cancel', { rolloutId: row.rolloutId });
    });
    try {
      const before = await ourContainers();
      for (const [method, params, at, named] of [
        ['grade', { rolloutId: row.rolloutId }, undefined, /^The grade was cancelled|^Evaluation of .* was cancelled/],
        ['replay', { rolloutId: row.rolloutId, reward: true }, /: Step 2 of \d+$/, /^The replay was cancelled$/],
      ] as const) {
        busyMessages.length = 0;
        cancelled = undefined;
        cancelAt = at;
        const id = nextRequestId;
        const running = fromWebview(panel, method, params as never);
        if (!at) {
          await waitFor(`the ${method}'s container`, async () => (await ourContainers()) > before, 120_000);
          assert.ok((await panel.state()).busy, `the view shows the ${method} running`);
          cancelled = fromWebview(panel, 'cancel', { rolloutId: row.rolloutId });
        }
        await running;
        assert.ok(cancelled, `the ${method} ended before it was cancelled: ${busyMessages.join(' | ')}`);
        await cancelled;
        const reply = replies.find((r) => r.id === id);
        assert.equal(reply?.ok, false, `the ${method} was not cancelled: ${JSON.stringify(reply)}`);
        assert.equal(reply?.error?.code, 'cancelled', JSON.stringify(reply));
        assert.match(reply?.error?.message ?? '', named);
        if (at) {
          // Cut at step 2: no later step began, and the hidden tests never ran.
          assert.ok(!busyMessages.some((m) => /Step [3-9] of|hidden tests/.test(m)), busyMessages.join(' | '));
        }
        const s = await panel.state();
        assert.equal(s.busy, null);
        await waitFor(`the ${method}'s container to be gone`, async () => (await ourContainers()) === before, 60_000);
        // Nothing half-written: no grade, no replay, no diffs kept for the run.
        assert.equal(api.importedRuns.row(row.rolloutId)?.grade, undefined);
        assert.equal(api.importedRuns.row(row.rolloutId)?.replay, undefined);
        assert.deepEqual(await api.importedRuns.extras(row.rolloutId), {});
        assert.equal(s.selected?.diffs, null);
        assert.equal(s.selected?.replay, null);
      }
    } finally {
      watch.dispose();
      rpc.post = post;
    }
  });

  it('a SWE-agent run recorded with its diff tool, opened as a single file: the diff after every step comes from the file, without Compute diffs or a container', async () => {
    const before = await ourContainers();
    const withDiffs = path.join(__dirname, '../../../../test/fixtures/trajectories/formats-with-diffs/swe-agent/swe-gym-studio__textkit-12.traj');
    const out = (await vscode.commands.executeCommand('sweGym.openTrajectories', withDiffs)) as ImportOutcome;
    assert.equal(out.imported.length, 1, JSON.stringify(out.failures));
    const row = rowOf('swe-agent', 'formats-with-diffs');
    const panel = (await vscode.commands.executeCommand('sweGym.trajectory.open', row.rolloutId)) as TrajectoryPanel;
    await waitFor('the trajectory view to load', () => panel.isReady, 60_000);
    await fromWebview(panel, 'select', { rolloutId: row.rolloutId });
    const s = await panel.state();
    assert.equal(s.selected?.diffs, 'file');
    const steps = s.selected?.view.steps ?? [];
    assert.equal(steps.length, 7);
    assert.equal(steps[0]?.diff?.patch, '', 'the listing changed nothing');
    assert.match(steps[2]?.diff?.patch ?? '', /^\+\+\+ b\/textkit\/align\.py$/m);
    assert.ok((steps[3]?.diff?.stats.added ?? 0) > (steps[2]?.diff?.stats.added ?? 0), 'the diff grows with the edits');
    assert.deepEqual(await api.importedRuns.extras(row.rolloutId), {}, 'nothing was computed');
    assert.equal(await ourContainers(), before);
  });

  it('a folder of 300 run files streams in (timed), and a cancel stops after the current run, keeping what was imported', async () => {
    const many = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-many-'));
    const channel = vscode.window.createOutputChannel('imported-runs-many', { log: true });
    const store = new ImportedRunStore(path.join(many, '.store'), new Logger(channel));
    try {
      const row = fs.readFileSync(path.join(dir, 'swe-gym', 'rows.jsonl'), 'utf8');
      for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(many, `run-${String(i).padStart(3, '0')}.jsonl`), row.replace('"swe-gym-studio__textkit-12_0"', `"swe-gym-studio__textkit-12_${i}"`));
      let started = Date.now();
      const all = await importTrajectories(many, api.datasets, store);
      const ms = Date.now() - started;
      console.log(`      300 run files imported in ${ms} ms (${(ms / 300).toFixed(1)} ms a run)`);
      assert.equal(all.imported.length, 300);
      assert.equal(all.failures.length, 0);
      assert.equal(store.runsOf(ID).length, 300);

      const again = new ImportedRunStore(path.join(many, '.store-2'), new Logger(channel));
      const abort = new AbortController();
      started = Date.now();
      const cut = await importTrajectories(many, api.datasets, again, { signal: abort.signal, onProgress: (m) => m.startsWith('50 read') && abort.abort() });
      assert.equal(cut.cancelled, true);
      assert.equal(cut.imported.length, 50);
      assert.equal(again.runsOf(ID).length, 50);
      const reread = new ImportedRunStore(path.join(many, '.store-2'), new Logger(channel));
      await reread.load();
      assert.equal(reread.runsOf(ID).length, 50, 'what was imported before the cancel is kept');
      for (const s of [again, reread]) s.dispose();
    } finally {
      store.dispose();
      channel.dispose();
      fs.rmSync(many, { recursive: true, force: true });
    }
  });
});
