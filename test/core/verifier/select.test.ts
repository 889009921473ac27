// `swe-gym select` as a user runs it: the real CLI, the real `openai` client, and a real HTTP
// server speaking the chat-completions protocol with log-probabilities standing in for the
// verifier model (test/support/fakeOpenAIServer.ts explains why: no model runs here). The run's
// trajectories are written by us in our own format, with the rewards a run would have recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import type { Selection } from '../../../src/core/verifier/bestOfN';
import { startFakeOpenAIServer, type FakeReply, type FakeRequest } from '../../support/fakeOpenAIServer';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: '' } }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

function trajectory(instance: string, index: number, resolved: boolean, extra: Partial<ClosedTrajectory> = {}): ClosedTrajectory {
  const mark = `MARK-${instance}-${index}`;
  return {
    format: TRAJECTORY_FORMAT,
    rollout_id: `rollout-${instance}-${index}`,
    run_id: 'run-select',
    instance_id: instance,
    index,
    model: 'policy',
    template: 'default',
    config: {},
    started_at: '2026-11-30T00:00:00.000Z',
    finished_at: '2026-11-30T00:01:00.000Z',
    exit_reason: 'finished',
    steps: 1,
    usage: { prompt_tokens: 0, completion_tokens: 0, estimated: false },
    cost_usd: 0,
    duration_ms: 60_000,
    messages: [
      { role: 'system', content: 'You are an agent.' },
      { role: 'user', content: `Fix the bug in ${instance}.` },
      { role: 'assistant', content: 'Editing.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'execute_bash', arguments: '{"command":"sed -i s/a/b/ x.py"}' } }] },
      { role: 'tool', content: 'OBSERVATION:\nsed -i s/a/b/ x.py', tool_call_id: 'c1', name: 'execute_bash' },
    ],
    tools: [],
    step_records: [],
    patch: `diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b  # ${mark}\n`,
    reward: { status: resolved ? 'resolved' : 'unresolved', resolved, rules: 'swe-gym', strict_resolved: resolved, test_output: '', apply_output: '', skipped_install: false, eval_run_id: 'e', duration_ms: 1 },
    environment: { container: 'fresh', startedClean: true, counted: true },
    events_file: `${instance}_${index}.jsonl`,
    ...extra,
  };
}

/** P(YES) the scripted verifier gives each rollout, by the mark in its patch. */
const P_YES: Record<string, number> = { 'A-0': 0.2, 'A-1': 0.9, 'A-2': 0.5, 'B-0': 0.6, 'B-1': 0.6, 'C-0': 0.3, 'C-1': 0.7 };

function verifierReply(req: FakeRequest): FakeReply {
  const user = String(req.body.messages?.find((m) => m.role === 'user')?.content ?? '');
  const key = /MARK-(\w+-\d+)/.exec(user)?.[1] ?? '';
  const p = P_YES[key] ?? 0.5;
  // A-1 spreads YES over two spellings: both count.
  const top = key === 'A-1' ? [{ token: 'YES', logprob: Math.log(0.6) }, { token: ' Yes', logprob: Math.log(0.3) }, { token: 'NO', logprob: Math.log(0.1) }] : [{ token: 'YES', logprob: Math.log(p) }, { token: 'NO', logprob: Math.log(1 - p) }, { token: 'Maybe', logprob: -9 }];
  const answer = (top[0] as { token: string; logprob: number }).logprob >= Math.log(0.5) ? top[0] : top[1];
  return { content: answer?.token ?? 'YES', finishReason: 'length', logprobs: [{ token: answer?.token ?? 'YES', logprob: answer?.logprob ?? 0, top_logprobs: top }] };
}

async function runDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-select-'));
  const all = [trajectory('A', 0, false), trajectory('A', 1, true), trajectory('A', 2, false), trajectory('B', 0, false), trajectory('B', 1, false), trajectory('C', 0, true), trajectory('C', 1, false)];
  // Not counted (a dev container that started edited): never a candidate.
  all.push(trajectory('A', 3, true, { environment: { container: 'dev', startedClean: false, counted: false } }));
  for (const t of all) await fs.writeFile(path.join(dir, `${t.instance_id}_${t.index}.json`), JSON.stringify(t));
  await fs.writeFile(path.join(dir, 'run.json'), '{"run_id":"run-select"}');
  return dir;
}

test('select: the verifier\'s P(YES) picks one rollout per instance; best-of-N beside pass@N and mean; a tie is named; scores written to the run', async () => {
  const dir = await runDir();
  const server = await startFakeOpenAIServer((req) => verifierReply(req));
  try {
    const r = await cli(['select', '--run', dir, '--verifier-model', 'verifier-7b', '--base-url', server.baseURL, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const sel = JSON.parse(r.stdout) as Selection;
    assert.equal(server.requests.length, 7, 'the uncounted rollout is not scored');
    for (const q of server.requests) {
      assert.equal(q.body.model, 'verifier-7b');
      assert.equal(q.body.logprobs, true);
      assert.equal(q.body.max_tokens, 1);
      assert.ok(Number(q.body.top_logprobs) >= 2);
    }
    const byId = Object.fromEntries(sel.instances.map((i) => [i.instance_id, i]));
    assert.equal(byId.A?.picked, 1);
    assert.equal(byId.A?.picked_resolved, true);
    assert.ok(Math.abs((byId.A?.rollouts[1]?.score ?? 0) - 0.9) < 1e-9, 'both spellings of YES count');
    assert.ok(Math.abs((byId.A?.rollouts[0]?.score ?? 0) - 0.2) < 1e-9);
    assert.equal(byId.B?.picked, 0);
    assert.deepEqual(byId.B?.tied, [0, 1]);
    assert.match(byId.B?.message ?? '', /tie at 0\.6000 between rollouts #1, #2: picked #1 \(the first\)/);
    assert.match(r.stderr, /note: B: tie at 0\.6000/);
    assert.equal(byId.C?.picked, 1, 'the verifier can be wrong: C picks its unresolved rollout');
    assert.equal(byId.C?.picked_resolved, false);
    assert.deepEqual(sel.summary, { instances: 3, rollouts: 7, mean_success: 2 / 7, pass_at_n: 2 / 3, best_of_n: 1 / 3, unscored: 0 });
    const written = JSON.parse(await fs.readFile(path.join(dir, 'selection.json'), 'utf8')) as Selection;
    assert.deepEqual(written.summary, sel.summary);

    const table = await cli(['select', '--run', dir, '--verifier-model', 'verifier-7b', '--base-url', server.baseURL]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /best-of-N 33\.3%, pass@N 66\.7%, mean 28\.6%/);
    assert.match(table.stdout, /A\s+1\s+0\.9000\s+1\s+picked/);

    // The scored run is still a run: export reads it with the scores file beside the trajectories.
    const exported = await cli(['export', '--run', dir, '--format', 'predictions', '--output', path.join(dir, 'preds.jsonl')]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal((await fs.readFile(path.join(dir, 'preds.jsonl'), 'utf8')).trim().split('\n').length, 3, 'one prediction per instance');
  } finally {
    await server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('select: an endpoint without log-probabilities, or without YES/NO among them, is a clear error', async () => {
  const dir = await runDir();
  const bare = await startFakeOpenAIServer([{ content: 'YES', finishReason: 'length' }]);
  try {
    const r = await cli(['select', '--run', dir, '--verifier-model', 'verifier-7b', '--base-url', bare.baseURL]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /warning: A_0: the verifier's reply \("YES"\) has no log-probabilities: the endpoint must support `logprobs`/);
    assert.match(r.stderr, /error: the verifier scored none of the 7 rollout\(s\)/);
  } finally {
    await bare.close();
  }
  // Partly unscored: those rollouts are left out of the choice, and it says so.
  const odd = await startFakeOpenAIServer((req) => {
    const reply = verifierReply(req);
    const user = String(req.body.messages?.find((m) => m.role === 'user')?.content ?? '');
    return user.includes('MARK-A-1') ? { content: 'Sure', finishReason: 'length', logprobs: [{ token: 'Sure', logprob: -0.1, top_logprobs: [{ token: 'Sure', logprob: -0.1 }, { token: 'I', logprob: -3 }] }] } : reply;
  });
  try {
    const r = await cli(['select', '--run', dir, '--verifier-model', 'verifier-7b', '--base-url', odd.baseURL, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const sel = JSON.parse(r.stdout) as Selection;
    const a = sel.instances.find((i) => i.instance_id === 'A');
    assert.equal(a?.picked, 2);
    assert.match(a?.rollouts[1]?.error ?? '', /neither YES nor NO is among the verifier's top 2 first tokens \("Sure", "I"\)/);
    assert.match(a?.message ?? '', /1 rollout\(s\) without a score left out of the choice/);
    assert.equal(sel.summary.unscored, 1);
  } finally {
    await odd.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
