/**
 * Faithful forks and counted rollouts in the extension (issue 9 items 13 and 10), in a real VS
 * Code with real containers. The model is the one stand-in: a real HTTP server on 127.0.0.1
 * speaking the Chat Completions protocol from a script (no LLM can run here).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentPanel } from '../../../src/extension/agentView/agentPanel';
import type { AgentSession } from '../../../src/extension/agent/agentSession';
import type { SweGymApi } from '../../../src/extension/api';
import { readTrajectoryEvents } from '../../../src/core/trajectory/readTrajectory';
import type { AgentRequests } from '../../../src/shared/protocol';
import { byTurn, startFakeOpenAIServer, type FakeReply, type FakeScript, type FakeServer } from '../../support/fakeOpenAIServer';
import { getApi, git, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__confini-7';
const KEY = `sk-studio-test-${randomBytes(8).toString('hex')}`;
const MODEL = 'fake-forker';

let nextRequestId = 95_000;
async function fromWebview<M extends keyof AgentRequests & string>(panel: AgentPanel, method: M, params: AgentRequests[M]['params']): Promise<void> {
  await panel.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}

describe('faithful forks and counted rollouts (confini sample, scripted model on 127.0.0.1)', function () {
  this.timeout(240_000);
  let api: SweGymApi;
  let server: FakeServer;
  let script: FakeScript = () => ({ content: 'no script' });
  let ws = '';

  before(async () => {
    api = await getApi();
    server = await startFakeOpenAIServer((req, prev) => script(req, prev), { apiKey: KEY });
    await setSetting('agent.baseUrl', server.baseURL);
    await setSetting('agent.model', MODEL);
    assert.equal(await vscode.commands.executeCommand('sweGym.agent.setApiKey', KEY), true);
  });

  after(async () => {
    for (const s of api?.agents.liveSessions() ?? []) s.control('cancel');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await server?.close();
    for (const k of ['agent.baseUrl', 'agent.model']) await setSetting(k, undefined);
    await vscode.commands.executeCommand('sweGym.agent.clearApiKey');
  });

  async function start(options: { startPaused?: boolean; reward?: boolean }): Promise<AgentSession> {
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, options)) as { rolloutId: string } | undefined;
    assert.ok(started?.rolloutId, api.notices.at(-1));
    ws = api.devContainers.workspaceDir(ID) as string;
    return api.agents.session(started.rolloutId) as AgentSession;
  }

  it('a rollout started in a dev container with changes is labelled, and its reward is left out of the figures', async () => {
    script = byTurn([{ toolCalls: [{ name: 'finish', arguments: {} }] }]);
    if (!api.devContainers.isRunning(ID)) await start({ reward: false }).then((s) => api.agents.whenDone(s.rolloutId));
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq']);
    const before = api.agents.runsView(ID).stats;
    fs.writeFileSync(path.join(ws, 'confini', 'parser.py'), '# left here by an earlier attempt\n', { flag: 'a' });
    const s = await start({ reward: true });
    const result = await api.agents.whenDone(s.rolloutId);
    assert.equal(result?.exitReason, 'finished', result?.message);
    assert.ok(result?.reward, 'it was rewarded (the workspace was graded)');
    assert.deepEqual(result.environment, { container: 'dev', startedClean: false, changedAtStart: ['confini/parser.py'], counted: false });
    assert.deepEqual(s.view.environment, result.environment, 'the view knows it');
    const row = api.agents.runsView(ID).rows.find((r) => r.rolloutId === s.rolloutId);
    assert.equal(row?.counted, false, 'the run table row says it is not counted');
    const after = api.agents.runsView(ID).stats;
    assert.deepEqual([after.rewarded, after.notCounted], [before.rewarded, before.notCounted + 1], 'the figures leave it out');
    git(ws, ['checkout', '--', '.']);
  });

  it('a fork carries the human steps before step k, flags replayed observations that differ, names its source, and runs in its own container', async () => {
    git(ws, ['clean', '-fdq']);
    const replies: FakeReply[] = [
      // `hostname` differs in every container: the fork's replay of this step must be flagged.
      { content: 'First a file.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo one > /testbed/one.txt && hostname' } }] },
      { content: 'What did the person write?', toolCalls: [{ name: 'execute_bash', arguments: { command: 'cat /testbed/HAND.md /testbed/one.txt' } }] },
      { toolCalls: [{ name: 'finish', arguments: {} }] },
    ];
    script = byTurn(replies);
    const source = await start({ startPaused: true, reward: false });
    const sv = source.view;
    const panel = await waitFor('the agent view to show the rollout', () => (api.agentPanels.get(ID)?.shown === source ? api.agentPanels.get(ID) : undefined), 60_000);
    await waitFor('the pause at the start', () => sv.state === 'paused');
    assert.equal(sv.environment?.counted, true, 'a clean workspace counts');
    await fromWebview(panel, 'control', { rolloutId: sv.rolloutId, action: 'step' });
    await waitFor('a pause after step 1', () => sv.state === 'paused' && sv.pausedAt === 'before_model' && sv.step === 1, 60_000);
    // A person edits a file by hand and leaves a note while it is paused after step 1.
    fs.writeFileSync(path.join(ws, 'HAND.md'), 'written by a person while paused\n');
    await fromWebview(panel, 'addNote', { rolloutId: sv.rolloutId, content: 'Look at HAND.md.' });
    await fromWebview(panel, 'control', { rolloutId: sv.rolloutId, action: 'resume' });
    const done = await api.agents.whenDone(sv.rolloutId);
    assert.equal(done?.exitReason, 'finished', done?.message);
    assert.match(sv.steps[1]?.observations[0]?.text ?? '', /written by a person while paused/);
    const sourceThirdRequest = server.requests.at(-1)?.body.messages ?? [];

    // Fork from step 2: steps 1 and 2 are replayed in a fresh container, with the person's step between them.
    await fromWebview(panel, 'fork', { rolloutId: sv.rolloutId, step: 2 });
    const fork = await waitFor('the fork to be shown', () => (panel.shown !== source ? panel.shown : undefined), 60_000);
    const v = fork.view;
    await waitFor('the fork to pause after the replayed steps', () => v.state === 'paused' && v.step === 2, 90_000);
    assert.equal(v.where, 'own', 'the fork runs in its own container (its pause hint says workspace edits do not reach it)');
    assert.deepEqual(v.forkOf, { rolloutId: sv.rolloutId, step: 2 }, 'the fork names its source');
    assert.deepEqual(v.environment, { container: 'fresh', startedClean: true, counted: true });
    const carried = v.steps[0]?.notes.filter((n) => n.kind === 'human_step') ?? [];
    assert.deepEqual(
      carried.map((n) => [n.fromSource, n.files]),
      [
        [true, []],
        [true, ['HAND.md']],
      ],
      'the note and the hand edit were carried into the fork after step 1',
    );
    assert.match(v.steps[1]?.observations[0]?.text ?? '', /written by a person while paused/, 'the hand edit was applied in the fork’s container before step 2 ran');
    assert.deepEqual(
      v.steps.map((st) => st.notes.filter((n) => n.kind === 'replay_mismatch').length),
      [1, 0],
      'step 1 (hostname) differs from the source and is flagged; step 2 is the same',
    );
    assert.match(v.steps[0]?.notes.find((n) => n.kind === 'replay_mismatch')?.text ?? '', new RegExp(`source rollout ${sv.rolloutId}`));

    // Going on: the model is sent what the source's model was sent, but for step 1's observation.
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'resume' });
    const result = await api.agents.whenDone(v.rolloutId);
    assert.equal(result?.exitReason, 'finished', result?.message);
    const forkRequest = server.requests.at(-1)?.body.messages ?? [];
    const roles = (ms: typeof forkRequest) => ms.map((m) => m.role);
    assert.deepEqual(roles(forkRequest), roles(sourceThirdRequest));
    for (const [i, m] of forkRequest.entries()) {
      if (i === 3) assert.notEqual(m.content, sourceThirdRequest[i]?.content, 'hostname differs');
      else if (m.role !== 'assistant') assert.deepEqual(m.content, sourceThirdRequest[i]?.content, `message ${i} (${m.role})`);
    }

    // The fork's event log names its source and keeps the carried steps and the flag.
    const { events } = await readTrajectoryEvents(result.eventsPath ?? '');
    const started = events.find((e) => e.type === 'rollout_started');
    assert.ok(started?.type === 'rollout_started');
    assert.deepEqual(started.forkOf, { rolloutId: sv.rolloutId, step: 2 });
    assert.equal(events.filter((e) => e.type === 'human_step' && e.carried).length, 2);
    assert.equal(events.filter((e) => e.type === 'replay_mismatch').length, 1);
  });
});
