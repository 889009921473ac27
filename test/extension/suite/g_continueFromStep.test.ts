/**
 * Continue from Step in VS Code (issue 12 item 2), both ways, on a run recorded in SWE-Gym's
 * /workspace/<repo>__<version> layout: by hand (steps 1..N replayed in the instance's dev container,
 * whose workspace then holds step N's state), and by the model (a new rollout in a container of
 * its own, shown in the agent view as a fork at step N). Real containers, real grading; the model
 * is a real HTTP server on 127.0.0.1 speaking the Chat Completions protocol from a script (no LLM
 * can run here).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeServer } from '../../support/fakeOpenAIServer';
import { getApi, git, setSetting, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';
const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');

/** The recorded str_replace edits, by step. */
function recordedEdits(): Map<number, { old_str: string; new_str: string }> {
  const row = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { messages: { role: string; tool_calls?: { function: { name: string; arguments: string } }[] }[] };
  const out = new Map<number, { old_str: string; new_str: string }>();
  let step = 0;
  for (const m of row.messages) {
    if (m.role !== 'assistant') continue;
    step++;
    const args = JSON.parse(m.tool_calls?.[0]?.function.arguments ?? '{}') as { command?: string; old_str?: string; new_str?: string };
    if (args.command === 'str_replace' && args.old_str !== undefined && args.new_str !== undefined) out.set(step, { old_str: args.old_str, new_str: args.new_str });
  }
  return out;
}

describe('Continue from Step in VS Code (textkit sample, real containers, scripted model on 127.0.0.1)', function () {
  this.timeout(300_000);
  let api: SweGymApi;
  let server: FakeServer;

  before(async () => {
    api = await getApi();
    const ref = api.datasets.find(ID);
    assert.ok(ref);
    server = await startFakeOpenAIServer(byTurn(solveScript(ref.instance.patch)));
    await setSetting('agent.baseUrl', server.baseURL);
    await setSetting('agent.model', 'fake-continuer');
  });

  after(async () => {
    for (const s of api?.agents.liveSessions() ?? []) s.control('cancel');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await server?.close();
    for (const k of ['agent.baseUrl', 'agent.model']) await setSetting(k, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('by hand: refused with the reason while the dev container has changes (kept as they are); once discarded, steps 1..3 are replayed into it (3 steps): its workspace holds step 3\'s edits and not step 4\'s, and it is yours from there', async () => {
    const edits = recordedEdits();
    const step3 = edits.get(3);
    const step4 = edits.get(4);
    assert.ok(step3 && step4, 'the recording edits at steps 3 and 4');
    if (!api.devContainers.isRunning(ID)) assert.ok(await vscode.commands.executeCommand('sweGym.launch', ID), api.notices.at(-1));
    const ws = api.devContainers.workspaceDir(ID);
    assert.ok(ws);
    const align = path.join(ws, 'textkit', 'align.py');
    // A person's change (in the full run the workspace c_devcontainer kept also holds the gold patch).
    const mine = '\n# my own change, not to be replayed onto\n';
    fs.appendFileSync(align, mine);
    const kept = fs.readFileSync(align, 'utf8');
    const refusedRun = (await vscode.commands.executeCommand('sweGym.continueFromStep', FIXTURE, { step: 3, by: 'hand' })) as { rolloutId: string } | undefined;
    assert.ok(refusedRun?.rolloutId, api.notices.at(-1));
    const refused = await api.agents.whenDone(refusedRun.rolloutId);
    assert.equal(refused?.exitReason, 'cancelled', refused?.message);
    assert.match(refused.message ?? '', /^Refused: the container is not at the base commit \(changed: [^)]*textkit\/align\.py[^)]*\), so steps 1\.\.3 were not replayed onto those changes\. Discard them/);
    assert.equal(refused.steps, 0);
    assert.equal(fs.readFileSync(align, 'utf8'), kept, 'the person\'s changes are left as they were');

    git(ws, ['checkout', '--', '.']);
    git(ws, ['clean', '-fd']);
    assert.equal(git(ws, ['status', '--short']), '');
    const started = (await vscode.commands.executeCommand('sweGym.continueFromStep', FIXTURE, { step: 3, by: 'hand' })) as { rolloutId: string } | undefined;
    assert.ok(started?.rolloutId, api.notices.at(-1));
    const result = await api.agents.whenDone(started.rolloutId);
    assert.ok(result);
    assert.equal(result.exitReason, 'replay_exhausted', result.message);
    assert.equal(result.steps, 3, 'the 3 replayed steps, no step begun after them');
    assert.equal(result.resolved, null, 'by hand: nothing is graded until the person runs the tests');
    const session = api.agents.session(started.rolloutId);
    assert.equal(session?.init.where, 'dev');
    assert.equal(session?.view.forkOf?.step, 3);
    assert.deepEqual(session?.view.steps.map((st) => st.step), [1, 2, 3], 'the view shows no step 4');
    assert.ok(api.devContainers.isRunning(ID), 'the dev container is left running for the person');
    const now = fs.readFileSync(align, 'utf8');
    assert.ok(now.includes(step3.new_str), 'step 3\'s edit is in the workspace');
    assert.ok(now.includes(step4.old_str) && !now.includes(step4.new_str), 'step 4\'s edit is not');
    // (git() trims the leading blank of ' M'.)
    assert.equal(git(ws, ['status', '--short']), 'M textkit/align.py');
  });

  it('by the model: a new rollout in a container of its own, shown in the agent view as a fork at step 2, goes on and is graded; no container is left', async () => {
    const containers = async () => (await api.runtime().listOurContainers({ sessionId: api.sessionId, instanceId: ID })).length;
    const before = await containers();
    const requestsBefore = server.requests.length;
    const started = (await vscode.commands.executeCommand('sweGym.continueFromStep', FIXTURE, { step: 2, by: 'model' })) as { rolloutId: string } | undefined;
    assert.ok(started?.rolloutId, api.notices.at(-1));
    const session = api.agents.session(started.rolloutId);
    assert.equal(session?.init.where, 'own');
    await waitFor('the agent view to show the continuation', () => api.agentPanels.get(ID)?.shown?.rolloutId === started.rolloutId, 60_000);
    const result = await api.agents.whenDone(started.rolloutId);
    assert.ok(result);
    assert.equal(result.exitReason, 'finished', result.message);
    assert.equal(result.resolved, true, result.reward?.test_output.slice(-1500));
    assert.ok(result.steps > 2);
    // The model was asked only after the 2 replayed steps, in /testbed paths.
    const first = server.requests[requestsBefore]?.body as { messages: { role: string; content: unknown }[] } | undefined;
    assert.equal(first?.messages.filter((m) => m.role === 'assistant').length, 2);
    assert.ok(!JSON.stringify(first?.messages).includes('/workspace/swe-gym-studio__textkit__0.1'));
    const row = api.agents.runs.row(ID, started.rolloutId);
    assert.equal(row?.forkOf?.step, 2);
    assert.equal(row?.resolved, true);
    assert.equal(row?.where, 'own');
    await waitFor('the continuation\'s containers to be gone', async () => (await containers()) <= before, 60_000);
  });
});
