// The rollout, export and replay commands as a user runs them: a child process, the real CLI,
// real containers, and the fake chat-completions server (see test/support/fakeOpenAIServer.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StampedEvent } from '../../../src/core/agent/events';
import { readTrajectoryEvents } from '../../../src/core/trajectory/readTrajectory';
import { reapOurContainers } from '../../../src/core/runtime/reaper';
import { byTurn, solveScript, startFakeOpenAIServer } from '../../support/fakeOpenAIServer';
import { runtime } from '../../support/docker';
import { samples } from '../../support/samples';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const KEY = 'sk-cli-key-must-not-leak-41d2';
const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('swe-gym rollout --json (2 rollouts, 2 workers), then export in the three formats; the key is in no file', async () => {
  const inst = (await samples()).instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(inst);
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-cli-'));
  const server = await startFakeOpenAIServer(byTurn(solveScript(inst.patch)), { apiKey: KEY });
  try {
    const r = await cli(['rollout', '--dataset', 'samples', '--instances', inst.instance_id, '--model', 'scripted', '--base-url', server.baseURL, '--n', '2', '--workers', '2', '--max-steps', '20', '--temperature', '0', '--out', out, '--json'], {
      OPENAI_API_KEY: KEY,
    });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { run_id: string; rollouts: { instance_id: string; index: number; resolved: boolean; exit_reason: string; steps: number; trajectory: string }[] };
    assert.deepEqual(Object.keys(result), ['run_id', 'rollouts']);
    assert.match(result.run_id, /^scripted_maxiter_20_t0_/);
    assert.deepEqual(
      result.rollouts.map((x) => [x.instance_id, x.index, x.resolved, x.exit_reason]),
      [
        [inst.instance_id, 0, true, 'finished'],
        [inst.instance_id, 1, true, 'finished'],
      ],
    );
    for (const x of result.rollouts) assert.deepEqual(Object.keys(x), ['instance_id', 'index', 'resolved', 'exit_reason', 'steps', 'trajectory']);
    const runDir = path.join(out, result.run_id);
    assert.equal(path.dirname(result.rollouts[0]?.trajectory ?? ''), runDir);
    const summary = JSON.parse(await fs.readFile(path.join(runDir, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.instances[0].pass_at_k, { '1': 1, '2': 1 });

    const rows = await cli(['export', '--run', runDir, '--format', 'swe-gym', '--json']);
    assert.equal(rows.code, 0, rows.stderr);
    const rowFile = JSON.parse(rows.stdout).file as string;
    const rowLines = (await fs.readFile(rowFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rowLines.map((l) => l.instance_id), [`${inst.instance_id}_0`, `${inst.instance_id}_1`]);
    const sft = await cli(['export', '--run', runDir, '--format', 'sft', '--per-instance', '2', '--json']);
    assert.equal(JSON.parse(sft.stdout).written, 2);
    const sftOne = await cli(['export', '--run', runDir, '--format', 'sft', '--output', path.join(out, 'one.jsonl')]);
    assert.match(sftOne.stdout, /1 sft line\(s\) written .* \(1 left out: 1 over the cap of 1 per instance\)/);
    const pred = await cli(['export', '--run', runDir, '--format', 'predictions', '--json']);
    const preds = (await fs.readFile(JSON.parse(pred.stdout).file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(preds, [{ instance_id: inst.instance_id, model_name_or_path: 'scripted', model_patch: inst.patch }]);
    // The exported predictions grade like any others.
    const graded = await cli(['eval', '--dataset', 'samples', '--predictions', JSON.parse(pred.stdout).file, '--out', path.join(out, 'eval'), '--json']);
    assert.equal(JSON.parse(graded.stdout).resolved, 1, graded.stderr);

    const bad = await cli(['export', '--run', runDir, '--format', 'csv']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format takes one of swe-gym, sft, predictions/);
    const hits = (await fs.readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    for (const f of hits) assert.ok(!(await fs.readFile(path.join(f.parentPath, f.name))).includes(KEY), `${f.name} holds the API key`);
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('the CLI killed with SIGKILL mid-rollout leaves a JSONL that parses up to the last finished step (prompts from a SWE-Gym row)', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-kill-'));
  const server = await startFakeOpenAIServer((req) => {
    const turns = (req.body.messages ?? []).filter((m) => m.role === 'assistant').length;
    return turns < 2 ? { toolCalls: [{ name: 'execute_bash', arguments: { command: `echo step ${turns + 1}` } }] } : { kind: 'stall', content: 'Thinking' };
  });
  try {
    const child = spawn(process.execPath, [CLI, 'rollout', '--dataset', 'samples', '--instances', 'swe-gym-studio__textkit-12', '--model', 'scripted', '--base-url', server.baseURL, '--no-reward', '--template', FIXTURE, '--out', out], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let jsonl = '';
    const deadline = Date.now() + 30_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'the rollout reached its third model request');
      const runs = await fs.readdir(out).catch(() => []);
      const dir = runs[0] ? path.join(out, runs[0]) : '';
      const log = dir ? (await fs.readdir(dir)).find((f) => f.endsWith('.jsonl')) : undefined;
      if (log) {
        jsonl = path.join(dir, log);
        if ((await fs.readFile(jsonl, 'utf8')).includes('"type":"step_started","step":3')) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const { events } = await readTrajectoryEvents(jsonl);
    const kinds = events.map((e: StampedEvent) => `${e.type}${'step' in e ? ` ${e.step}` : ''}`);
    assert.equal(kinds[0], 'rollout_started');
    assert.ok(kinds.includes('step_finished 1') && kinds.includes('step_finished 2'), kinds.join(', '));
    assert.ok(!kinds.includes('finished'));
    const obs = events.filter((e) => e.type === 'observation');
    assert.match(obs[1]?.type === 'observation' ? obs[1].content : '', /^OBSERVATION:\necho step 2\r\nstep 2\[Python/);
    // --template ROW: the row's system prompt and tools, its task framing with this instance at /testbed.
    const row = JSON.parse(await fs.readFile(FIXTURE, 'utf8'));
    const first = server.requests[0]?.body;
    assert.equal(first?.messages?.[0]?.content, row.messages[0].content);
    assert.deepEqual(first?.tools, row.tools);
    assert.match(String(first?.messages?.[1]?.content), /^<uploaded_files>\n\/testbed\n<\/uploaded_files>\nA Python code repository is in the directory \/testbed\./);
    // The killed CLI's container is an orphan once its heartbeat goes stale (a short stale time
    // here, limited to this run's session so nobody else's container is judged by it).
    const [runId] = await fs.readdir(out);
    const alive = await reapOurContainers(runtime, { orphansOnly: true, purpose: 'agent', sessionId: runId });
    assert.deepEqual(alive, [], 'not a leftover while its last heartbeat is fresh');
    await new Promise((r) => setTimeout(r, 1500));
    const reaped = await reapOurContainers(runtime, { orphansOnly: true, purpose: 'agent', sessionId: runId, staleAfterMs: 1000 });
    assert.ok(reaped.some((c) => c.labels['io.swe-gym-studio.instance'] === 'swe-gym-studio__textkit-12'), 'the orphaned agent container was found');
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('Ctrl+C on `swe-gym rollout` exits 130, says "cancelled, 1 of 2 done" and leaves a summary marked cancelled', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-sigint-'));
  // The first rollout finishes at once; the second's model never answers, so it is in flight at the cancel.
  let answered = 0;
  const server = await startFakeOpenAIServer(() => (answered++ === 0 ? { toolCalls: [{ name: 'finish', arguments: {} }] } : { kind: 'stall', content: 'Thinking' }));
  try {
    const child = spawn(process.execPath, [CLI, 'rollout', '--dataset', 'samples', '--instances', 'swe-gym-studio__textkit-12', '--model', 'scripted', '--base-url', server.baseURL, '--n', '2', '--workers', '1', '--no-reward', '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!(server.requests.length >= 2 && /\[1\/2\]/.test(stderr))) {
      assert.ok(Date.now() < deadline, `the second rollout reached the model; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /cancelled, 1 of 2 done/);
    assert.equal(stdout, '', 'no results table for a cancelled run');
    const [runId] = await fs.readdir(out);
    const summary = JSON.parse(await fs.readFile(path.join(out, runId ?? '', 'summary.json'), 'utf8'));
    assert.equal(summary.status, 'cancelled');
    assert.equal(summary.completed, 1);
    assert.equal(summary.total, 2);
    assert.deepEqual(summary.rollouts.map((r: { index: number }) => r.index), [0]);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: runId }), [], 'the cancelled rollout removed its container');
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
});
