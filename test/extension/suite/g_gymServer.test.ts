/**
 * Start Gym Server in VS Code (issue 12 item 4): the server started by the command, a real client
 * driving a sample over HTTP from outside the extension's code, the live sessions view, pause /
 * step once / resume / stop from the view, and no container left when the server stops. Real
 * containers, real grading; no model is involved (the client is the agent).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { GymNode } from '../../../src/extension/gym/gymSessionsView';
import { patchToEditorCalls } from '../../support/fakeOpenAIServer';
import { docker, getApi, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';

type Json = Record<string, unknown>;
let requestId = 70_000;

describe('Start Gym Server: a client drives a sample over HTTP, the live view pauses and steps it (textkit sample)', function () {
  this.timeout(240_000);
  let api: SweGymApi;
  let url = '';
  let token = '';
  let containerSession = '';

  async function call(method: string, path: string, body?: unknown, bearer = token): Promise<[number, Json]> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', 'User-Agent': 'gym-ext-test/1' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return [res.status, (await res.json()) as Json];
  }

  const rows = () => api.gymView.getChildren().filter((n): n is Extract<GymNode, { kind: 'session' }> => n.kind === 'session');
  const row = (sid: string) => {
    const n = rows().find((r) => r.info.session_id === sid);
    return n ? api.gymView.getTreeItem(n) : undefined;
  };
  /** The session's row in the agent run table (the same file our rollouts' rows are in). */
  const tableRow = (sid: string) => api.agents.runs.rows(ID).find((r) => r.external?.sessionId === sid);
  const ours = () => docker('ps', '-aq', '--filter', `label=io.swe-gym-studio.session=${containerSession}`).out.split('\n').filter(Boolean);

  before(async () => {
    api = await getApi();
  });

  after(async () => {
    await vscode.commands.executeCommand('sweGym.gym.stop');
  });

  it('serves a client with the token from SecretStorage, lists its session live, holds its steps while paused, lets one through, and leaves no container when stopped', async () => {
    const started = (await vscode.commands.executeCommand('sweGym.gym.start', { port: 0, quiet: true })) as { url: string } | undefined;
    assert.ok(started?.url, api.notices.at(-1));
    url = started.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback only');
    token = await api.gym.token();
    assert.ok(token.length >= 24);
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('sweGym')).includes(token), 'the token is in no setting');
    assert.equal((await call('GET', '/v1/health', undefined, 'not-the-token-1234'))[0], 401, 'a wrong token is refused');
    const [hs, health] = await call('GET', '/v1/health');
    assert.equal(hs, 200);
    containerSession = String(health.container_session);
    assert.equal(api.gymView.getChildren()[0]?.kind, 'server', 'the view shows the server');

    const before = api.agents.runs.stats(ID);
    const [cs, created] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: ID, model: 'outside-model' });
    assert.equal(cs, 201, JSON.stringify(created));
    const sid = String(created.session_id);
    // A row of the agent run table from the start, marked as driven from outside, counted as a fresh container's rollout is.
    const firstRow = await waitFor('the run table row', () => tableRow(sid));
    assert.deepEqual(
      [firstRow.state, firstRow.model, firstRow.external, firstRow.where, firstRow.counted, firstRow.owner, firstRow.resolved],
      ['running', 'outside-model', { via: 'gym', client: 'gym-ext-test/1', sessionId: sid }, 'own', true, api.agents.runs.owners.self, null],
    );
    const first = await waitFor('the session row', () => row(sid));
    assert.equal(first.label, ID);
    assert.match(String(first.description), /^0 steps · ready · gym-ext-test\/1$/, String(first.description));
    assert.equal(ours().length, 1, 'one container for the session');

    const [s1, o1] = await call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'echo one' }, usage: { prompt_tokens: 300, completion_tokens: 40 } });
    assert.equal(s1, 200, JSON.stringify(o1));
    assert.match(String(o1.observation), /one/);
    await waitFor('the row to count the step', () => /^1 step · ready · /.test(String(row(sid)?.description)));
    await waitFor('the run table row to count the step and the tokens the client reported', () => tableRow(sid)?.steps === 1 && tableRow(sid)?.promptTokens === 300 && tableRow(sid)?.completionTokens === 40);

    // Paused from the view: the client's step waits until a person lets it through.
    assert.deepEqual(await vscode.commands.executeCommand('sweGym.gym.pauseSession', sid), { state: 'paused', steps: 1 });
    assert.equal(row(sid)?.contextValue, 'gymSession.paused', 'the row offers step and resume');
    let settled = false;
    const held = call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'echo two' } }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(settled, false, 'the step waits while the session is paused');
    await vscode.commands.executeCommand('sweGym.gym.stepSession', { kind: 'session', info: { session_id: sid } });
    const [s2, o2] = await held;
    assert.equal(s2, 200, JSON.stringify(o2));
    assert.match(String(o2.observation), /two/);
    await waitFor('one step to go through, then the session holds again', () => /^2 steps · paused · /.test(String(row(sid)?.description)), 10_000);
    settled = false;
    const next = call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'echo three' } }).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(settled, false, 'the next step waits again');
    await vscode.commands.executeCommand('sweGym.gym.resumeSession', sid);
    assert.match(String((await next)[1].observation), /three/);

    // The session in the agent's live view (a click on its row): the client's steps as they ran,
    // and the view's own Pause / Step / Resume hold and release the client's calls.
    const watched = (await vscode.commands.executeCommand('sweGym.gym.watchSession', sid)) as { rolloutId?: string };
    const panel = await waitFor('the agent view', () => api.agentPanels.get(ID));
    assert.ok(watched.rolloutId);
    assert.equal(panel.shown?.rolloutId, watched.rolloutId, 'the view shows the gym session');
    assert.equal(tableRow(sid)?.rolloutId, watched.rolloutId, 'the run table row is that rollout');
    assert.equal(await api.agents.open(ID, watched.rolloutId), panel.shown, 'a click on the row shows the session live');
    const view = () => panel.shown?.view;
    const done = () => view()?.steps.filter((x) => x.phase === 'done').length;
    // Three steps done and the fourth waiting for the client (a busy card, as a model's would be).
    await waitFor('the webview to render the three steps', () => done() === 3 && panel.lastRendered?.rolloutId === watched.rolloutId && (panel.lastRendered?.steps ?? 0) >= 3 && panel.lastRendered?.seq === view()?.lastSeq, 30_000);
    assert.equal(view()?.live, true, 'live: the view offers its controls');
    assert.match(JSON.stringify(view()?.steps[2]), /three/, 'step 3 carries its observation');
    const fromView = (action: 'pause' | 'step' | 'resume') => panel.rpc.handle({ type: 'request', id: ++requestId, method: 'control', params: { rolloutId: String(watched.rolloutId), action } });
    await fromView('pause');
    await waitFor('the row to say paused', () => /^3 steps · paused · /.test(String(row(sid)?.description)));
    settled = false;
    const fromOutside = call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'echo four' } }).finally(() => (settled = true));
    await waitFor('the view to show the client\'s action held before it runs', () => view()?.state === 'paused' && view()?.pausedAt === 'before_action' && /echo four/.test(JSON.stringify(view()?.pendingAction)), 15_000);
    await waitFor('the row to say a step waits', () => / · paused \(a step waits\) · /.test(String(row(sid)?.description)));
    await waitFor('the run table row to say paused', () => tableRow(sid)?.state === 'paused');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(settled, false, 'the outside call waits while the person holds the session in the live view');
    await fromView('step');
    const [s4, o4] = await fromOutside;
    assert.equal(s4, 200, JSON.stringify(o4));
    assert.match(String(o4.observation), /four/);
    await waitFor('the view to render step 4, paused again', () => done() === 4 && view()?.state === 'paused' && panel.lastRendered?.seq === view()?.lastSeq, 15_000);
    await waitFor('the row to count it, held again', () => /^4 steps · paused · /.test(String(row(sid)?.description)));
    // The client reads only what its calls return: a message or an edited observation would be lost, so both are refused.
    assert.equal(view()?.external, 'gym client gym-ext-test/1');
    assert.throws(() => panel.shown?.addNote('look at wrap.py'), /driven from outside \(gym client gym-ext-test\/1\): a message would never reach it/);
    await fromView('resume');
    await waitFor('the row to say ready', () => /^4 steps · ready · /.test(String(row(sid)?.description)));

    // The client solves it and grades it through the server.
    const inst = api.datasets.find(ID)?.instance;
    assert.ok(inst);
    for (const c of patchToEditorCalls(inst.patch)) {
      const [s, o] = await call('POST', `/v1/sessions/${sid}/step`, { name: c.name, arguments: c.arguments });
      assert.equal(s, 200, JSON.stringify(o));
    }
    const [es, evaluation] = await call('POST', `/v1/sessions/${sid}/evaluate`);
    assert.equal(es, 200, JSON.stringify(evaluation));
    assert.equal(evaluation.resolved, true, JSON.stringify(evaluation));
    await waitFor('the row to show the grade', () => / · ended · resolved · /.test(String(row(sid)?.description)));
    await waitFor('the live view to show the reward', () => view()?.reward !== undefined && view()?.state === 'ended' && panel.lastRendered?.seq === view()?.lastSeq, 30_000);
    assert.equal(view()?.exit?.resolved, true, JSON.stringify(view()?.exit));
    const graded = await waitFor('the run table row to carry the reward', () => (tableRow(sid)?.resolved === true ? tableRow(sid) : undefined));
    assert.deepEqual([graded.state, graded.rewardStatus, graded.runError], ['ended', 'resolved', undefined]);
    assert.ok(graded.trajectoryPath && fs.existsSync(graded.trajectoryPath), 'the trajectory the session wrote');
    const after = api.agents.runs.stats(ID);
    assert.deepEqual([after.rewarded - before.rewarded, after.resolved - before.resolved], [1, 1], 'counted in the success rate as a fresh rollout is');
    await panel.rpc.handle({ type: 'request', id: ++requestId, method: 'openTrajectory', params: { rolloutId: graded.rolloutId } });
    await waitFor('the row to open its trajectory', () => vscode.window.activeTextEditor?.document.uri.fsPath === graded.trajectoryPath);

    // A second session, stopped from the view: its container goes, the client is told.
    const [, second] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: ID, client: 'my-scaffold' });
    const sid2 = String(second.session_id);
    await waitFor('the second row', () => / · my-scaffold$/.test(String(row(sid2)?.description)));
    await vscode.commands.executeCommand('sweGym.gym.stopSession', sid2);
    assert.equal(row(sid2), undefined);
    const [gs, gone] = await call('POST', `/v1/sessions/${sid2}/step`, { name: 'execute_bash', arguments: { command: 'true' } });
    assert.equal(gs, 410, JSON.stringify(gone));
    assert.match(String(gone.error), /stopped from VS Code/);
    await waitFor('the stopped session\'s row to end without a reward', () => tableRow(sid2)?.state === 'ended');
    assert.deepEqual([tableRow(sid2)?.resolved, tableRow(sid2)?.runError, tableRow(sid2)?.model], [null, undefined, 'external (gym)']);
    assert.equal(api.agents.runs.stats(ID).rewarded, after.rewarded, 'no reward, not counted');

    // A third, left running: stopping the server removes its container and closes the port.
    const [, third] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: ID });
    assert.ok(third.session_id);
    assert.equal(ours().length, 1, JSON.stringify(ours()));
    assert.equal(await vscode.commands.executeCommand('sweGym.gym.stop'), true);
    assert.deepEqual(ours(), [], 'no container left behind');
    assert.equal(tableRow(String(third.session_id))?.state, 'ended', 'the server\'s stop ends its sessions\' rows');
    // Once the server has forgotten it, the row opens from the event log it wrote.
    const recorded = await api.agents.open(ID, graded.rolloutId);
    assert.equal(recorded.view.live, false);
    assert.equal(recorded.view.exit?.resolved, true);
    assert.equal(api.gym.running, undefined);
    assert.deepEqual(api.gymView.getChildren(), [], 'the view falls back to its Start button');
    await assert.rejects(fetch(`${url}/v1/health`), 'the port is closed');
  });
});
