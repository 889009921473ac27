/**
 * Issue 10: an agent's reward card shows what a person's run card shows: the FAIL_TO_PASS /
 * PASS_TO_PASS counts and the rules' label (it showed the rule-set id and no counts). Both come
 * from one count of the evaluation (groupCounts), so the card, the trajectory's reward record and
 * the instance's run history agree. The model is a real HTTP server on 127.0.0.1 speaking the
 * Chat Completions protocol from a script (no LLM can run here).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import type { InstanceRef } from '../../../src/extension/datasets/datasetStore';
import type { ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeServer } from '../../support/fakeOpenAIServer';
import { getApi, git, setSetting } from './helpers';

const ID = 'swe-gym-studio__confini-7';
const MODEL = 'fake-coder-reward';

describe('the reward card of an agent run (confini sample, scripted model on 127.0.0.1)', function () {
  this.timeout(240_000);
  let api: SweGymApi;
  let ref: InstanceRef;
  let server: FakeServer;

  before(async () => {
    api = await getApi();
    const found = api.datasets.find(ID);
    assert.ok(found, `${ID} is not in the samples`);
    ref = found;
    server = await startFakeOpenAIServer(byTurn(solveScript(ref.instance.patch)));
    await setSetting('agent.baseUrl', server.baseURL);
    await setSetting('agent.model', MODEL);
  });

  after(async () => {
    for (const s of api?.agents.liveSessions() ?? []) s.control('cancel');
    if (api?.devContainers.isRunning(ID)) await api.devContainers.stop(ID).catch(() => undefined);
    await server?.close();
    for (const k of ['agent.baseUrl', 'agent.model']) await setSetting(k, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows FAIL_TO_PASS / PASS_TO_PASS counts and the rules label, as the run history records the same run', async () => {
    const ws = api.devContainers.isRunning(ID) ? api.devContainers.workspaceDir(ID) : undefined;
    if (ws) {
      git(ws, ['checkout', '--', '.']);
      git(ws, ['clean', '-fdq']);
    }
    const started = (await vscode.commands.executeCommand('sweGym.agent.start', ID, undefined, {})) as { rolloutId: string } | undefined;
    assert.ok(started?.rolloutId, api.notices.at(-1));
    const result = await api.agents.whenDone(started.rolloutId);
    assert.ok(result);
    assert.equal(result.exitReason, 'finished', result.message);
    assert.equal(result.resolved, true, result.reward?.test_output.slice(-1500));

    const record = api.state.get(ID).history?.find((r) => r.agent?.rolloutId === started.rolloutId);
    assert.ok(record?.failToPass && record.passToPass && record.rules, JSON.stringify(record));
    assert.equal(record.failToPass.total, ref.instance.FAIL_TO_PASS.length);
    assert.equal(record.passToPass.total, ref.instance.PASS_TO_PASS.length);

    // The card's model: the same counts and the same label as the person-style run record.
    const card = api.agents.session(started.rolloutId)?.view.reward;
    assert.ok(card, 'the view has a reward');
    assert.deepEqual(card.failToPass, record.failToPass);
    assert.deepEqual(card.passToPass, record.passToPass);
    assert.equal(card.rules, record.rules);
    assert.notEqual(card.rules, 'swe-gym', 'a label, not the rule-set id');

    // The trajectory keeps them too, with real types: a rollout reopened from its file shows the same card.
    assert.ok(result.trajectoryPath);
    const closed = JSON.parse(fs.readFileSync(result.trajectoryPath, 'utf8')) as ClosedTrajectory;
    assert.equal(closed.reward?.status, 'resolved');
    assert.equal(closed.reward?.rules, 'swe-gym');
    assert.equal(closed.reward?.rules_label, record.rules);
    assert.deepEqual(closed.reward?.fail_to_pass, record.failToPass);
    assert.deepEqual(closed.reward?.pass_to_pass, record.passToPass);
  });
});
