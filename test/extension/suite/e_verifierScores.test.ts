/**
 * Issue 12 item 5 in VS Code: Score Rollouts with a Verifier puts best-of-N scores in the agent
 * run table. The rollouts are trajectories written by us in our format with the rewards a run
 * records, entered in the run table as ended rollouts would be (running real rollouts adds nothing
 * here: the rollouts are tested in d_agent/e_agentReward). The verifier is a real HTTP server on
 * 127.0.0.1 speaking the Chat Completions protocol with log-probabilities (no model runs here).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SweGymApi } from '../../../src/extension/api';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { InstanceSelection, Selection } from '../../../src/core/verifier/bestOfN';
import type { AgentRunRow } from '../../../src/shared/agentView';
import { startFakeOpenAIServer, type FakeReply, type FakeRequest, type FakeServer } from '../../support/fakeOpenAIServer';
import { getApi, setSetting } from './helpers';

const ID = 'swe-gym-studio__statlite-15';
/** P(YES) by rollout index; #3 started in an edited dev container (not counted: never scored). */
const P_YES = [0.2, 0.9, 0.5, 0.99];
const RESOLVED = [false, true, false, true];

function trajectory(index: number): ClosedTrajectory {
  const resolved = RESOLVED[index] === true;
  return {
    format: TRAJECTORY_FORMAT,
    rollout_id: `verifier-test-${index}`,
    run_id: `run-verifier-${index}`,
    instance_id: ID,
    index,
    model: 'policy',
    template: 'default',
    config: {},
    started_at: `2026-11-30T00:0${index}:00.000Z`,
    finished_at: `2026-11-30T00:0${index}:30.000Z`,
    exit_reason: 'finished',
    steps: 1,
    usage: { prompt_tokens: 10, completion_tokens: 5, estimated: false },
    cost_usd: 0,
    duration_ms: 30_000,
    messages: [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: `Fix the bug in ${ID}.` },
      { role: 'assistant', content: `Attempt MARK-${index}.`, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'execute_bash', arguments: '{"command":"true"}' } }] },
      { role: 'tool', content: 'OBSERVATION:\ntrue', tool_call_id: 'c1', name: 'execute_bash' },
    ],
    tools: [],
    step_records: [],
    patch: `diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b  # MARK-${index}\n`,
    reward: { status: resolved ? 'resolved' : 'unresolved', resolved, rules: 'swe-gym', strict_resolved: resolved, test_output: '', apply_output: '', skipped_install: false, eval_run_id: 'e', duration_ms: 1 },
    environment: index === 3 ? { container: 'dev', startedClean: false, counted: false } : { container: 'fresh', startedClean: true, counted: true },
    events_file: `${ID}_${index}.jsonl`,
  };
}

describe('Score Rollouts with a Verifier: best-of-N scores in the agent run table (statlite sample, scripted verifier on 127.0.0.1)', function () {
  this.timeout(120_000);
  let api: SweGymApi;
  let server: FakeServer;
  let dir: string;
  let withLogprobs = true;

  function verifierReply(req: FakeRequest): FakeReply {
    const user = String(req.body.messages?.find((m) => m.role === 'user')?.content ?? '');
    const p = P_YES[Number(/MARK-(\d)/.exec(user)?.[1] ?? -1)] ?? 0.5;
    if (!withLogprobs) return { content: p >= 0.5 ? 'YES' : 'NO' };
    const top = [
      { token: 'YES', logprob: Math.log(p) },
      { token: 'NO', logprob: Math.log(1 - p) },
    ];
    return { content: p >= 0.5 ? 'YES' : 'NO', finishReason: 'length', logprobs: [{ ...(p >= 0.5 ? top[0] : top[1])!, top_logprobs: top }] };
  }

  before(async () => {
    api = await getApi();
    server = await startFakeOpenAIServer((req) => verifierReply(req));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-verifier-'));
    for (let i = 0; i < P_YES.length; i++) {
      const t = trajectory(i);
      const file = path.join(dir, `${ID}_${i}.json`);
      fs.writeFileSync(file, JSON.stringify(t));
      const row: AgentRunRow = {
        rolloutId: t.rollout_id,
        runId: t.run_id,
        instanceId: ID,
        index: i,
        model: t.model,
        startedAt: t.started_at,
        state: 'ended',
        where: i === 3 ? 'dev' : 'own',
        exitReason: 'finished',
        steps: 1,
        promptTokens: 10,
        completionTokens: 5,
        costUsd: 0,
        resolved: RESOLVED[i] ?? null,
        counted: i !== 3,
        trajectoryPath: file,
      };
      await api.agents.runs.upsert(row);
    }
    await setSetting('agent.verifierModel', 'fake-judge');
    await setSetting('agent.verifierBaseUrl', server.baseURL);
  });

  after(async () => {
    await server?.close();
    for (const k of ['agent.verifierModel', 'agent.verifierBaseUrl']) await setSetting(k, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scores every counted rollout, picks the highest, keeps the scores on the rows; a verifier without log-probabilities is named on every row', async () => {
    const out = (await vscode.commands.executeCommand('sweGym.agent.scoreRollouts', ID)) as { selection: InstanceSelection; summary: Selection['summary'] } | undefined;
    assert.ok(out, api.notices.at(-1));
    assert.equal(out.selection.picked, 1);
    assert.equal(out.selection.picked_resolved, true);
    assert.equal(out.summary.rollouts, 3, 'the rollout that started in an edited dev container is not a candidate');
    assert.equal(out.summary.best_of_n, 1);
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests.every((r) => r.body.model === 'fake-judge' && (r.body as { logprobs?: boolean }).logprobs === true));

    const rows = api.agents.runsView(ID).rows;
    const byIndex = (i: number) => rows.find((r) => r.index === i)?.verifier;
    for (const i of [0, 1, 2]) {
      const v = byIndex(i);
      assert.ok(v, `rollout #${i} has a score`);
      assert.equal(v.model, 'fake-judge');
      assert.ok(Math.abs((v.score ?? -1) - (P_YES[i] ?? 0)) < 1e-6, `#${i}: ${v.score}`);
      assert.equal(v.picked, i === 1);
    }
    assert.equal(byIndex(3), undefined, 'a rollout not counted gets no score');

    // The same rows again with a verifier endpoint that returns no log-probabilities.
    withLogprobs = false;
    const none = (await vscode.commands.executeCommand('sweGym.agent.scoreRollouts', ID)) as { selection: InstanceSelection } | undefined;
    assert.ok(none, api.notices.at(-1));
    assert.equal(none.selection.picked, null);
    assert.match(none.selection.message ?? '', /no rollout could be scored/);
    for (const r of api.agents.runsView(ID).rows.filter((x) => x.index < 3)) {
      assert.equal(r.verifier?.score, null);
      assert.equal(r.verifier?.picked, false);
      assert.match(r.verifier?.error ?? '', /no log-probabilities/);
    }
  });
});
