import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runtime } from '../support/docker';
import { assistantTurns, byTurn, solveScript, startFakeOpenAIServer } from '../support/fakeOpenAIServer';
import { samples } from '../support/samples';

// Run by scripts/test-slurm.sh (SLURM_CONF set). The model is the test's OpenAI-protocol server on
// 127.0.0.1 (see fakeOpenAIServer.ts): the cluster's one node is this machine, so its tasks reach it.
const CLI = path.resolve(__dirname, '../../src/cli/index.js');
const KEY = 'sk-slurm-rollout-key-must-not-leak-77f1';
// A --header value may be a credential too (an Authorization header): it travels like the key.
const HEADER_SECRET = 'Bearer hdr-secret-must-not-leak-5c2e';
const IDS = ['swe-gym-studio__argsy-9', 'swe-gym-studio__textkit-12'];

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, OPENAI_API_KEY: KEY, SWE_GYM_SLURM_POLL_MS: '500' }, maxBuffer: 64 * 1024 * 1024, timeout: 280_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

test('rollout --executor slurm: two shards gathered into one run folder whose run.json, summary and trajectories are a local run\'s', async () => {
  const ds = await samples();
  const insts = ds.instances.filter((i) => IDS.includes(i.instance_id));
  // Each instance's gold patch, picked by the problem statement in the conversation.
  const server = await startFakeOpenAIServer((req) => {
    const text = JSON.stringify(req.body.messages ?? []);
    const inst = insts.find((i) => text.includes(JSON.stringify(i.problem_statement.slice(0, 120)).slice(1, -1)));
    if (!inst) return { content: 'Which task?', toolCalls: [{ name: 'finish', arguments: {} }] };
    // Call ids by turn (not by the server's request count), so concurrent runs see the same bytes.
    const reply = byTurn(solveScript(inst.patch))(req, []);
    return 'toolCalls' in reply && reply.toolCalls ? { ...reply, toolCalls: reply.toolCalls.map((c, k) => ({ ...c, id: `call_${assistantTurns(req)}_${k}` })) } : reply;
  });
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-slurm-rollout-'));
  try {
    const args = (where: string, extra: string[]) => ['rollout', '--dataset', 'samples', '--instances', ...IDS, '--model', 'scripted', '--base-url', server.baseURL, '--temperature', '0', '--max-steps', '20', '--out', path.join(out, where), '--run-id', 'same', '--json', '--header', `Authorization=${HEADER_SECRET}`, '--header', 'X-Trace=visible', ...extra];
    const [local, slurm] = await Promise.all([cli(args('local', [])), cli(args('slurm', ['--executor', 'slurm', '--array-size', '2']))]);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(slurm.code, 0, slurm.stderr);
    assert.match(slurm.stderr, /Submitted Slurm array job \d+: 2 shard\(s\) of 2 instance\(s\)/);
    const localDir = path.join(out, 'local', 'same');
    const slurmDir = path.join(out, 'slurm', 'same');

    // The --json report: a local run's keys and rows, plus the job.
    const lr = JSON.parse(local.stdout) as { rollouts: { trajectory: string }[] };
    const sr = JSON.parse(slurm.stdout) as { rollouts: { trajectory: string }[]; slurm: { job_ids: string[]; failed_shards: unknown[] } };
    assert.deepEqual(sr.slurm.failed_shards, []);
    const rel = (dir: string) => (r: { trajectory: string }) => ({ ...r, trajectory: path.relative(dir, r.trajectory) });
    assert.deepEqual(sr.rollouts.map(rel(slurmDir)), lr.rollouts.map(rel(localDir)));

    // run.json and summary.json: the same but for times and where the run folder is.
    const { created_at: _a, ...localRun } = readJson(path.join(localDir, 'run.json'));
    const { created_at: _b, ...slurmRun } = readJson(path.join(slurmDir, 'run.json'));
    assert.deepEqual(slurmRun, localRun);
    const summary = (dir: string) => {
      const s = readJson(path.join(dir, 'summary.json')) as { rollouts: { duration_ms?: number; trajectory: string }[] };
      return { ...s, rollouts: s.rollouts.map(({ duration_ms: _d, ...r }) => rel(dir)(r)) };
    };
    assert.deepEqual(summary(slurmDir), summary(localDir));
    assert.equal((summary(slurmDir) as unknown as { status: string }).status, 'finished');

    // Trajectories: the same files beside run.json (the Slurm run keeps its scripts and logs in slurm/).
    const files = (dir: string) => fs.readdirSync(dir).filter((f) => f !== 'slurm').sort();
    assert.deepEqual(files(slurmDir), files(localDir));
    assert.deepEqual(files(slurmDir), ['run.json', 'summary.json', ...IDS.flatMap((id) => [`${id}_0.json`, `${id}_0.jsonl`])]);
    // What readers of a run folder make of it: export gives the same predictions.
    const exported = await Promise.all([localDir, slurmDir].map((dir) => cli(['export', '--run', dir, '--format', 'predictions', '--output', path.join(dir, '..', 'preds.jsonl')])));
    for (const e of exported) assert.equal(e.code, 0, e.stderr);
    const preds = fs.readFileSync(path.join(out, 'slurm', 'preds.jsonl'), 'utf8');
    assert.equal(preds, fs.readFileSync(path.join(out, 'local', 'preds.jsonl'), 'utf8'));
    assert.deepEqual(preds.trim().split('\n').map((l) => (JSON.parse(l) as { model_patch: string }).model_patch), IDS.map((id) => insts.find((i) => i.instance_id === id)?.patch));

    // The key and the header values went to the tasks through the environment, never into the job's files.
    for (const f of fs.readdirSync(slurmDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const bytes = fs.readFileSync(path.join(f.parentPath, f.name));
      assert.ok(!bytes.includes(KEY), `${f.name} holds the API key`);
      assert.ok(!bytes.includes('hdr-secret-must-not-leak'), `${f.name} holds a --header value`);
    }
    const job = readJson(path.join(slurmDir, 'slurm', 'job.json')) as { command: string[]; model_headers?: string[] };
    assert.deepEqual(job.model_headers, ['Authorization', 'X-Trace'], 'job.json names the headers, without their values');
    assert.ok(!job.command.includes('--header'), job.command.join(' '));
    // ...and every model request of both runs, the shards' included, carried them.
    assert.ok(server.requests.length > 0);
    for (const r of server.requests) assert.deepEqual([r.headers.authorization, r.headers['x-trace']], [HEADER_SECRET, 'visible'], `request ${r.index}`);
    const left = (await runtime.listOurContainers()).filter((c) => (c.labels['io.swe-gym-studio.session'] ?? '').startsWith('same'));
    assert.deepEqual(left, [], 'no container left behind');
  } finally {
    await server.close();
    fs.rmSync(out, { recursive: true, force: true });
  }
});
