/**
 * Agents in the extension, in a real VS Code with real containers. The model is the one stand-in:
 * a real HTTP server on 127.0.0.1 speaking the Chat Completions protocol (streaming, tool calls)
 * from a script, reached by the real `openai` client through sweGym.agent.baseUrl — no LLM can run
 * here. The webview's requests are sent through the panel's own protocol endpoint (the UI test
 * clicks the real buttons).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AgentPanel } from '../../../src/extension/agentView/agentPanel';
import type { AgentSession } from '../../../src/extension/agent/agentSession';
import type { SweGymApi } from '../../../src/extension/api';
import type { InstanceRef } from '../../../src/extension/datasets/datasetStore';
import type { AgentRequests } from '../../../src/shared/protocol';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeRequest, type FakeScript, type FakeServer } from '../../support/fakeOpenAIServer';
import { docker, getApi, git, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__confini-7';
const KEY = `sk-studio-test-${randomBytes(8).toString('hex')}`;
const MODEL = 'fake-coder-7b';

let nextRequestId = 90_000;
/** A request as the webview sends it, through the panel's protocol endpoint (validation included). */
async function fromWebview<M extends keyof AgentRequests & string>(panel: AgentPanel, method: M, params: AgentRequests[M]['params']): Promise<void> {
  await panel.rpc.handle({ type: 'request', id: nextRequestId++, method, params });
}

function agentContainers(api: SweGymApi): string[] {
  const r = docker('ps', '-aq', '--filter', `label=io.swe-gym-studio.session=${api.sessionId}`, '--filter', 'label=io.swe-gym-studio.purpose=agent');
  return r.out ? r.out.split('\n') : [];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

function messagesOf(req: FakeRequest | undefined) {
  return req?.body.messages ?? [];
}

describe('agents in the dev container (confini sample, scripted model on 127.0.0.1)', function () {
  this.timeout(180_000);
  let api: SweGymApi;
  let ref: InstanceRef;
  let server: FakeServer;
  let script: FakeScript = () => ({ content: 'no script' });
  let ws = '';
  let editedRollout: AgentSession | undefined;

  before(async () => {
    api = await getApi();
    const found = api.datasets.find(ID);
    assert.ok(found, `${ID} is not in the samples`);
    ref = found;
    server = await startFakeOpenAIServer((req, prev) => script(req, prev), { apiKey: KEY });
    await setSetting('agent.baseUrl', server.baseURL);
    await setSetting('agent.model', MODEL);
    await setSetting('agent.prices', { [MODEL]: { inputPerMillion: 1, outputPerMillion: 2 } });
    assert.equal(await vscode.commands.executeCommand('sweGym.agent.setApiKey', KEY), true);
  });

  after(async () => {
    for (const s of api?.agents.liveSessions() ?? []) s.control('cancel');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await server?.close();
    for (const k of ['agent.baseUrl', 'agent.model', 'agent.prices']) await setSetting(k, undefined);
    await vscode.commands.executeCommand('sweGym.agent.clearApiKey');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('solves the task: the live view fills step by step, the files change on the host and in the editor, the reward resolves', async () => {
    script = byTurn(solveScript(ref.instance.patch));
    // Paused at the start until the view has loaded, so it gets the rollout live rather than as a snapshot.
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { startPaused: true })) as { rolloutId: string } | undefined;
    assert.ok(started?.rolloutId, api.notices.at(-1));
    // The start launched the dev container first.
    assert.equal(api.devContainers.isRunning(ID), true);
    ws = api.devContainers.workspaceDir(ID) as string;
    const session = api.agents.session(started.rolloutId);
    assert.ok(session);
    const panel = await waitFor('the agent view to load', () => (api.agentPanels.get(ID)?.isReady ? api.agentPanels.get(ID) : undefined), 60_000);
    await waitFor('the pause at the start', () => session.view.state === 'paused');
    await fromWebview(panel, 'control', { rolloutId: session.rolloutId, action: 'resume' });
    const result = await api.agents.whenDone(started.rolloutId);
    assert.ok(result);
    assert.equal(result.exitReason, 'finished', result.message);

    // The view model: one card per model turn, with thought, action, observation, figures, diff.
    const v = session.view;
    const turns = solveScript(ref.instance.patch).length;
    assert.equal(v.steps.length, turns);
    assert.equal(v.state, 'ended');
    assert.equal(v.model, MODEL);
    assert.equal(v.where, 'dev');
    const [first] = v.steps;
    assert.ok(first);
    assert.equal(first.thought, 'Let me look at the repository first.');
    assert.equal(first.toolCalls[0]?.name, 'execute_bash');
    assert.match(first.observations[0]?.text ?? '', /confini/);
    for (const st of v.steps) {
      assert.equal(st.phase, 'done');
      assert.ok((st.usage?.promptTokens ?? 0) > 0, `step ${st.step} has token figures`);
      assert.ok((st.costUsd ?? 0) > 0, `step ${st.step} has a cost from the price setting`);
      assert.ok(st.durationMs !== undefined);
    }
    const lastEdit = v.steps[turns - 3];
    assert.match(lastEdit?.diff?.patch ?? '', /_strip_inline_comment/, 'the workspace diff after the last edit step');
    assert.ok(v.totals.costUsd > 0);
    assert.equal(v.reward?.resolved, true, JSON.stringify(v.reward));
    assert.equal(v.exit?.reason, 'finished');

    // The webview got the events and rendered every step.
    assert.ok(panel.eventsPosted > turns, `events posted: ${panel.eventsPosted}`);
    await waitFor('the webview to report every step rendered', () => panel.lastRendered?.rolloutId === v.rolloutId && panel.lastRendered.steps === turns && panel.lastRendered.seq === v.lastSeq, 20_000);

    // The agent edited the user's workspace: on the host, and in the editor (followEdits opened it).
    const file = path.join(ws, 'confini', 'parser.py');
    assert.match(fs.readFileSync(file, 'utf8'), /def _strip_inline_comment/);
    const editor = await waitFor('the edited file open in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === file));
    await waitFor('the editor to show the last edit', () => editor.document.getText() === fs.readFileSync(file, 'utf8') && !editor.document.isDirty, 15_000);

    // The exact request, on demand: what was sent, the key redacted; the key itself came from SecretStorage.
    const req = JSON.parse(session.requestJson(2).json) as { url: string; headers: Record<string, string>; body: { model: string; tools: unknown[]; messages: unknown[] } };
    assert.equal(req.body.model, MODEL);
    assert.equal(req.body.tools.length, 3);
    assert.equal(req.body.messages.length, 4);
    assert.equal(req.headers.authorization, '[redacted]');
    assert.match(req.url, /\/chat\/completions$/);
    assert.equal(server.requests[0]?.headers.authorization, `Bearer ${KEY}`);

    // The reward reached the instance's status, the run table and the tree row.
    assert.equal(api.status.statusOf(ID), 'resolved');
    const agentRun = api.state.get(ID).history?.[0];
    assert.equal(agentRun?.agent?.rolloutId, v.rolloutId);
    // The agent's run is recorded as a person's is: FAIL_TO_PASS / PASS_TO_PASS counts and the rule label, not the rule-set id.
    assert.ok(agentRun?.failToPass && agentRun.passToPass, JSON.stringify(agentRun));
    assert.equal(agentRun.failToPass.passed, agentRun.failToPass.total);
    assert.ok(agentRun.failToPass.total > 0 && agentRun.passToPass.total > 0);
    assert.notEqual(agentRun.rules, 'swe-gym', 'a label, not the id');
    assert.ok((agentRun.tests ?? []).length > 0, 'per-test statuses for the Test Explorer');
    const runs = api.agents.runsView(ID);
    assert.equal(runs.rows[0]?.rolloutId, v.rolloutId);
    assert.equal(runs.rows[0]?.exitReason, 'finished');
    assert.equal(runs.rows[0]?.steps, turns);
    assert.equal(runs.rows[0]?.resolved, true);
    assert.deepEqual([runs.stats.rewarded, runs.stats.resolved, runs.stats.passAtK['1']], [1, 1, 1]);
    const node = api.tree.nodeFor(ID);
    assert.ok(node);
    const item = api.tree.getTreeItem(node);
    assert.match(String(item.description), /agents 1\/1/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /success rate 100% · pass@1 100%/);

    // The trajectory is on disk; the key is nowhere in what was written.
    assert.ok(result.trajectoryPath && fs.existsSync(result.trajectoryPath));
    const runDir = process.env.SWE_GYM_TEST_RUN_DIR ?? '';
    const written = [...filesUnder(path.dirname(result.trajectoryPath)), ...filesUnder(path.join(runDir, 'user-data', 'logs')), path.join(runDir, 'user-data', 'User', 'settings.json')];
    assert.ok(written.length > 3);
    for (const f of written) assert.ok(!fs.readFileSync(f, 'utf8').includes(KEY), `the API key leaked into ${f}`);
  });

  it('pause, edit the next action, edit its observation and a file by hand, resume: the model sees the edits', async () => {
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq']);
    script = byTurn([
      { content: 'I will leave a note.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo original > /testbed/agent_note.txt && cat /testbed/agent_note.txt' } }] },
      { content: 'Done.', toolCalls: [{ name: 'finish', arguments: {} }] },
    ]);
    const before = server.requests.length;
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { startPaused: true, reward: false })) as { rolloutId: string } | undefined;
    assert.ok(started, api.notices.at(-1));
    const session = api.agents.session(started.rolloutId) as AgentSession;
    const v = session.view;
    const panel = await waitFor('the agent view to show the new rollout', () => (api.agentPanels.get(ID)?.shown === session ? api.agentPanels.get(ID) : undefined));
    await waitFor('a pause before the first model request', () => v.state === 'paused' && v.pausedAt === 'before_model');
    assert.equal(server.requests.length, before, 'nothing was asked while paused');

    // "Next action": ask the model, stop before its action runs.
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'stepToAction' });
    await waitFor('a pause before the action', () => v.state === 'paused' && v.pausedAt === 'before_action' && v.pendingAction);
    assert.equal(v.pendingAction?.name, 'execute_bash');
    const edited = JSON.stringify({ command: 'echo edited > /testbed/agent_note.txt && cat /testbed/agent_note.txt' });
    await fromWebview(panel, 'editAction', { rolloutId: v.rolloutId, name: 'execute_bash', arguments: edited });
    assert.equal(v.pendingAction?.arguments, edited);
    assert.match(v.pendingAction?.editedFrom?.arguments ?? '', /echo original/);

    // Step: the edited action runs, then it pauses before the next model request.
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'step' });
    await waitFor('a pause after step 1', () => v.state === 'paused' && v.pausedAt === 'before_model' && v.step === 1);
    assert.equal(fs.readFileSync(path.join(ws, 'agent_note.txt'), 'utf8'), 'edited\n');
    const step1 = v.steps[0];
    assert.ok(step1);
    assert.match(step1.observations[0]?.text ?? '', /edited/);
    assert.ok(step1.toolCalls[0]?.editedFrom, 'the step records that its action was edited');
    const callId = step1.toolCalls[0]?.id ?? '';

    // While paused: the observation is edited, a file is changed by hand, a note is added.
    await fromWebview(panel, 'editObservation', { rolloutId: v.rolloutId, toolCallId: callId, content: 'OBSERVATION:\nedited by the test' });
    assert.equal(step1.observations[0]?.edited, true);
    fs.writeFileSync(path.join(ws, 'HAND_EDIT.md'), 'written by hand while the agent was paused\n');
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'resume' });
    const result = await api.agents.whenDone(v.rolloutId);
    assert.equal(result?.exitReason, 'finished', result?.message);
    assert.equal(result?.resolved, null, 'started without a reward');

    // What the model was sent next: the edited call, the edited observation, and the hand edit.
    const second = messagesOf(server.requests.at(-1));
    const assistant = second.find((m) => m.role === 'assistant') as { tool_calls?: { function: { arguments: string } }[] } | undefined;
    assert.equal(assistant?.tool_calls?.[0]?.function.arguments, edited);
    assert.equal(second.find((m) => m.role === 'tool')?.content, 'OBSERVATION:\nedited by the test');
    const human = second.filter((m) => m.role === 'user').at(-1);
    assert.match(String(human?.content), /HAND_EDIT\.md/);
    assert.ok(step1.notes.some((n) => n.kind === 'human_step' && n.files?.includes('HAND_EDIT.md')), JSON.stringify(step1.notes));
    assert.ok(step1.notes.some((n) => n.kind === 'action_edited'));
    assert.equal(session.observationText(1, callId), 'OBSERVATION:\nedited by the test');
    editedRollout = session;
  });

  it('forks from step 1 into a container of its own, replaying the edited step, and leaves no container', async () => {
    assert.ok(editedRollout, 'needs the rollout of the previous test');
    const panel = api.agentPanels.get(ID) as AgentPanel;
    await fromWebview(panel, 'fork', { rolloutId: editedRollout.rolloutId, step: 1 });
    const fork = await waitFor('the fork to be shown', () => (panel.shown !== editedRollout ? panel.shown : undefined));
    const v = fork.view;
    assert.equal(v.where, 'own');
    assert.deepEqual(v.forkOf, { rolloutId: editedRollout.rolloutId, step: 1 });
    await waitFor('the fork to pause after the replayed step', () => v.state === 'paused' && v.step === 1, 60_000);
    assert.equal(agentContainers(api).length, 1, 'the fork runs in a container of its own');
    assert.match(v.steps[0]?.observations[0]?.text ?? '', /edited/, 'the replayed step ran the edited action');
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'resume' });
    const result = await api.agents.whenDone(v.rolloutId);
    assert.equal(result?.exitReason, 'finished', result?.message);
    assert.equal(v.steps.length, 2);
    assert.deepEqual(agentContainers(api), []);
    const rows = api.agents.runsView(ID).rows;
    assert.equal(rows.length, 3);
    assert.equal(rows.find((r) => r.rolloutId === v.rolloutId)?.forkOf?.step, 1);
  });

  it('a key the endpoint refuses ends the rollout at once: an error of the run, pointing to Set API Key, never graded or counted', async () => {
    await vscode.commands.executeCommand('sweGym.agent.setApiKey', 'sk-wrong');
    try {
      const before = server.requests.length;
      const figures = api.agents.runsView(ID).stats;
      const verdicts = api.state.get(ID).history?.length ?? 0;
      // Rewarded, in the dev container the first test left solved: graded, it would count as Resolved.
      const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { reward: true })) as { rolloutId: string } | undefined;
      assert.ok(started, api.notices.at(-1));
      const result = await api.agents.whenDone(started.rolloutId);
      assert.equal(result?.exitReason, 'auth_error');
      assert.equal(server.requests.length, before + 1, 'no retry after a 401');
      const v = api.agents.session(started.rolloutId)?.view;
      assert.match(v?.exit?.message ?? '', /refused the request \(401/);
      assert.match(v?.exit?.message ?? '', /SWE-Gym: Set API Key…/, 'an extension user is told the command, not an environment variable');
      assert.doesNotMatch(v?.exit?.message ?? '', /OPENAI_API_KEY/);
      await assertRunError(started.rolloutId, figures, verdicts);
    } finally {
      await vscode.commands.executeCommand('sweGym.agent.setApiKey', KEY);
    }
  });

  /** The rollout ended as an error of the run: not graded, out of every figure, shown as an error, its last card still. */
  async function assertRunError(rolloutId: string, figuresBefore: ReturnType<typeof api.agents.runsView>['stats'], verdictsBefore: number): Promise<void> {
    const result = await api.agents.whenDone(rolloutId);
    assert.equal(result?.runError, true);
    assert.equal(result?.reward, null, 'not graded');
    assert.equal(result?.resolved, null);
    const v = api.agents.session(rolloutId)?.view;
    assert.ok(v);
    assert.equal(v.exit?.runError, true);
    assert.equal(v.reward, undefined);
    assert.equal(v.rewarding, false);
    const runs = api.agents.runsView(ID);
    const row = runs.rows.find((r) => r.rolloutId === rolloutId);
    assert.equal(row?.runError, result?.message);
    assert.equal(row?.resolved, null);
    assert.deepEqual([runs.stats.rewarded, runs.stats.resolved, runs.stats.passAtK], [figuresBefore.rewarded, figuresBefore.resolved, figuresBefore.passAtK], 'the figures did not move');
    assert.equal(runs.stats.runErrors, figuresBefore.runErrors + 1);
    assert.equal(api.state.get(ID).history?.length ?? 0, verdictsBefore, 'no verdict reached the instance');
    const node = api.tree.nodeFor(ID);
    assert.ok(node);
    const tooltip = (api.tree.getTreeItem(node).tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, new RegExp(`${runs.stats.runErrors} never reached the model \\(errors of the run, not counted\\)`));
    // The webview rendered the end, and no step card still spins or says "thinking…".
    const panel = api.agentPanels.get(ID) as AgentPanel;
    await waitFor('the view to render the end with no busy step', () => panel.lastRendered?.rolloutId === rolloutId && panel.lastRendered.seq === v.lastSeq && panel.lastRendered.busySteps === 0, 20_000);
  }

  it('an endpoint where nothing listens: the retries and the end name the URL and its setting; an error of the run, never graded or counted', async () => {
    const dead = await startFakeOpenAIServer([{ content: 'never sent' }]);
    await dead.close();
    const figures = api.agents.runsView(ID).stats;
    const verdicts = api.state.get(ID).history?.length ?? 0;
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { baseUrl: dead.baseURL, maxRetries: 1, reward: true })) as { rolloutId: string } | undefined;
    assert.ok(started, api.notices.at(-1));
    const result = await api.agents.whenDone(started.rolloutId);
    assert.equal(result?.exitReason, 'model_error', result?.message);
    assert.equal(result?.message, `The model server is unreachable: connection refused at ${dead.baseURL} (gave up after 2 attempts). Is it running, and is the URL right? The URL is set by the setting sweGym.agent.baseUrl.`);
    const v = api.agents.session(started.rolloutId)?.view;
    const retry = v?.steps[0]?.notes.find((n) => n.kind === 'retry');
    assert.match(retry?.text ?? '', new RegExp(`^Attempt 1 failed \\(connection refused at ${dead.baseURL.replace(/[.]/g, '\\.')}\\); retrying in`));
    await assertRunError(started.rolloutId, figures, verdicts);
  });

  it('stop mid-answer: the last card stops; paused time is left out of durations; Show diff shows the rollout\'s patch, not the workspace', async () => {
    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fdq']);
    script = byTurn([
      { content: 'A note of my own.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'echo from-the-rollout > /testbed/ROLLOUT_ONLY.md' } }] },
      { kind: 'stall', content: 'Thinking about what' },
    ]);
    const t0 = Date.now();
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, { startPaused: true, reward: false })) as { rolloutId: string } | undefined;
    assert.ok(started, api.notices.at(-1));
    const session = api.agents.session(started.rolloutId) as AgentSession;
    const v = session.view;
    const panel = await waitFor('the agent view to show the new rollout', () => (api.agentPanels.get(ID)?.shown === session ? api.agentPanels.get(ID) : undefined));
    await waitFor('a pause before the first model request', () => v.state === 'paused' && v.pausedAt === 'before_model');
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'stepToAction' });
    await waitFor('a pause before step 1\'s action', () => v.state === 'paused' && v.pausedAt === 'before_action');
    // A person looks at the action for 5 s: that is not the rollout's time.
    const pausedMs = 5000;
    await new Promise((r) => setTimeout(r, pausedMs));
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'resume' });
    await waitFor('step 2 streaming', () => v.steps[1]?.thought.includes('Thinking'), 30_000);
    await waitFor('the view to render step 2 busy', () => panel.lastRendered?.rolloutId === v.rolloutId && (panel.lastRendered.busySteps ?? 0) === 1, 20_000);
    await fromWebview(panel, 'control', { rolloutId: v.rolloutId, action: 'stop' });
    const result = await api.agents.whenDone(v.rolloutId);
    const wallMs = Date.now() - t0;
    assert.equal(result?.exitReason, 'stopped', result?.message);
    assert.equal(result?.runError, false, 'the model answered once: a real rollout');
    assert.match(result?.patch ?? '', /ROLLOUT_ONLY\.md/);
    // The answer cut off by the stop is not recorded as one (no turn, no automatic reply).
    assert.ok(!result?.messages.some((m) => m.role === 'assistant' && String(m.content).includes('Thinking about')), 'the cut-off stream became an answer');
    assert.deepEqual(v.steps[1]?.notes.map((n) => n.kind) ?? [], []);
    const step1 = v.steps[0];
    assert.ok(step1?.durationMs !== undefined && step1.durationMs < pausedMs, `step 1 took ${step1?.durationMs} ms with a ${pausedMs} ms pause inside it`);
    assert.ok((v.exit?.durationMs ?? Infinity) <= wallMs - pausedMs, `the rollout took ${v.exit?.durationMs} ms of ${wallMs} ms, ${pausedMs} ms of them paused`);
    assert.equal(v.steps[1]?.phase, 'done');
    await waitFor('the view to render the stop with no busy step', () => panel.lastRendered?.rolloutId === v.rolloutId && panel.lastRendered.seq === v.lastSeq && panel.lastRendered.busySteps === 0, 20_000);

    // The workspace no longer holds the rollout's change; Show diff still shows it (and nothing else).
    fs.rmSync(path.join(ws, 'ROLLOUT_ONLY.md'));
    fs.writeFileSync(path.join(ws, 'LATER_BY_HAND.md'), 'the person, after the rollout\n');
    await fromWebview(panel, 'showDiff', { rolloutId: v.rolloutId });
    const shown = await waitFor('the rollout\'s diff to open', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'swe-gym-rollout' && d.uri.path.startsWith(`/${v.rolloutId}/after/`)));
    assert.equal(shown.getText(), 'from-the-rollout\n');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.path.endsWith('LATER_BY_HAND.md')), 'the workspace\'s own change is not in the rollout\'s diff');
    fs.rmSync(path.join(ws, 'LATER_BY_HAND.md'));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
