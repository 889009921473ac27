// The gym server as scaffolds use it: real HTTP, real containers, the hidden tests graded by the
// harness. Nothing stands in for anything here (no model is involved: the client is the agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { RunTable } from '../../../src/core/agent/runTable';
import type { GymRunRow } from '../../../src/core/gym/gymRunRow';
import { GymSessions } from '../../../src/core/gym/gymSessions';
import { startGymHttpServer } from '../../../src/core/gym/httpServer';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { patchToEditorCalls } from '../../support/fakeOpenAIServer';
import { runtime } from '../../support/docker';
import { samples } from '../../support/samples';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const CLIENT = path.join(__dirname, '../../../../test/fixtures/gym/gym_client.py');
const TOKEN = 'gym-test-token-5b1e77';

async function instance(id: string): Promise<TaskInstance> {
  const found = (await samples()).instances.find((i) => i.instance_id === id);
  assert.ok(found, id);
  return found;
}

function python(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

type Reply = [number, Record<string, unknown>];

test('a standard-library Python client solves a sample through `swe-gym serve`: session, steps, evaluate (resolved); the trajectory is ours; no container is left', async () => {
  const inst = await instance('swe-gym-studio__textkit-12');
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-serve-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--token', TOKEN, '--out', out, '--no-pull', '--idle-timeout', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      void exited.then((code) => reject(new Error(`serve exited (${code}) before printing its address: ${stderr}`)));
    });
    const { url, run_dir: runDir } = JSON.parse(first) as { url: string; run_dir: string };
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const actions = [
      { name: 'execute_bash', arguments: { command: 'cd /testbed && git rev-parse HEAD' }, thought: 'Where does the history end?' },
      { name: 'str_replace_editor', arguments: { command: 'view', path: '/testbed', view_range: [1, 2] } },
      { name: 'execute_bash', arguments: '{"command": ' },
      ...patchToEditorCalls(inst.patch).map((c) => ({ name: c.name, arguments: c.arguments })),
      { name: 'finish', arguments: {} },
    ];
    const plan = path.join(out, 'plan.json');
    await fs.writeFile(plan, JSON.stringify({ url, token: TOKEN, dataset: 'samples', instance_id: inst.instance_id, actions }));
    const r = await python([CLIENT, plan]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${stderr}`);
    const seen = JSON.parse(r.stdout) as { [k in 'health' | 'create' | 'evaluate' | 'trajectory' | 'delete' | 'after_delete']: Reply } & { steps: Reply[] };

    const [hs, health] = seen.health;
    assert.equal(hs, 200);
    assert.equal(health.status, 'ok');
    const [cs, created] = seen.create;
    assert.equal(cs, 201, JSON.stringify(created));
    assert.deepEqual((created.tools as { function: { name: string } }[]).map((t) => t.function.name), ['execute_bash', 'str_replace_editor', 'finish']);
    assert.ok((created.task as string).includes(inst.problem_statement.slice(0, 60)), 'the task text carries the issue');

    assert.equal(seen.steps.length, actions.length);
    for (const [status, body] of seen.steps) assert.equal(status, 200, JSON.stringify(body));
    const obs = seen.steps.map(([, b]) => b as { observation: string; exit_code?: number; done: boolean; error?: boolean });
    // The history was cut at the base commit, as in every solver container.
    assert.ok((obs[0]?.observation ?? '').startsWith(`OBSERVATION:\ncd /testbed && git rev-parse HEAD\r\n${inst.base_commit}`), obs[0]?.observation);
    assert.equal(obs[0]?.exit_code, 0);
    assert.equal(obs[1]?.observation, 'OBSERVATION:\nERROR:\nThe `view_range` parameter is not allowed when `path` points to a directory.', 'the bytes of our agent (and SWE-Gym)');
    assert.equal(obs[1]?.error, true);
    assert.match(obs[2]?.observation ?? '', /^OBSERVATION:\nERROR:\nThe tool call's arguments are not valid JSON/);
    assert.ok(obs.slice(0, -1).every((o) => !o.done));
    assert.deepEqual(obs.at(-1), { observation: 'OBSERVATION:\nThe task is finished.', done: true });

    const [es, evaluation] = seen.evaluate;
    assert.equal(es, 200, JSON.stringify(evaluation));
    assert.deepEqual(Object.keys(evaluation), ['instance_id', 'model_name_or_path', 'resolved', 'status', 'rules', 'strict_resolved', 'rules_disagree', 'error', 'output_dir', 'duration_ms'], 'the shape of `swe-gym eval --json`');
    assert.equal(evaluation.instance_id, inst.instance_id);
    assert.equal(evaluation.resolved, true, JSON.stringify(evaluation));
    assert.equal(evaluation.status, 'resolved');
    // As `swe-gym eval` gives it: the harness's files in output_dir (here beside the trajectory).
    const evalDir = String(evaluation.output_dir);
    assert.ok(evalDir.startsWith(runDir), evalDir);
    const report = JSON.parse(await fs.readFile(path.join(evalDir, 'report.json'), 'utf8')) as Record<string, { resolved?: boolean }>;
    assert.equal(report[inst.instance_id]?.resolved, true);
    assert.ok((await fs.readFile(path.join(evalDir, 'test_output.txt'), 'utf8')).length > 0);

    const [ts, trajectory] = seen.trajectory as [number, unknown] as [number, ClosedTrajectory];
    assert.equal(ts, 200);
    assert.equal(trajectory.format, TRAJECTORY_FORMAT);
    assert.equal(trajectory.steps, actions.length);
    assert.equal(trajectory.reward?.resolved, true);
    assert.equal(trajectory.messages[2]?.role, 'assistant');
    assert.equal(trajectory.messages[2]?.content, 'Where does the history end?');
    const onDisk = JSON.parse(await fs.readFile(path.join(runDir, `${inst.instance_id}_0.json`), 'utf8')) as ClosedTrajectory;
    assert.deepEqual(onDisk.messages, trajectory.messages);

    assert.equal(seen.delete[0], 200);
    assert.equal(seen.after_delete[0], 410);
    assert.match(String(seen.after_delete[1].error), /deleted/);

    const session = String(health.container_session);
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: session }), []);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fs.rm(out, { recursive: true, force: true });
  }
});

test('gym server: a token is required and checked, browsers are refused, two sessions run at once in separate containers, an idle one is reaped', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-serve-'));
  await assert.rejects(startGymHttpServer({ sessions: new GymSessions({ runtime, outDir: out }), host: '0.0.0.0', port: 0 }), /needs a token/);
  const sessions = new GymSessions({ runtime, outDir: out, idleTimeoutMs: 10_000, allowPull: false, maxSteps: 40 });
  const server = await startGymHttpServer({ sessions, port: 0, token: TOKEN });
  const call = async (method: string, p: string, body?: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }): Promise<Reply> => {
    const res = await fetch(server.url + p, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    return [res.status, (await res.json()) as Record<string, unknown>];
  };
  try {
    assert.equal((await call('GET', '/v1/health', undefined, {}))[0], 401);
    assert.equal((await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: 'x' }, { Authorization: 'Bearer wrong-token-000000' }))[0], 401);
    assert.equal((await call('GET', '/v1/health', undefined, { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' }))[0], 403);
    assert.equal((await call('GET', '/v1/health'))[0], 200);
    const [badStatus, bad] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: 'no-such-instance' });
    assert.equal(badStatus, 404);
    assert.match(String(bad.error), /no instance "no-such-instance"/);

    const [a, b] = await Promise.all([
      call('POST', '/v1/sessions', { dataset: 'samples', instance_id: 'swe-gym-studio__textkit-12' }),
      call('POST', '/v1/sessions', { dataset: 'samples', instance_id: 'swe-gym-studio__statlite-15' }),
    ]);
    assert.equal(a[0], 201, JSON.stringify(a[1]));
    assert.equal(b[0], 201, JSON.stringify(b[1]));
    const idA = String(a[1].session_id);
    const idB = String(b[1].session_id);
    assert.equal((await runtime.listOurContainers({ sessionId: sessions.containerSession })).length, 2);
    const [sa, sb] = await Promise.all([
      call('POST', `/v1/sessions/${idA}/step`, { name: 'execute_bash', arguments: { command: 'echo a > only_in_a.txt && hostname' } }),
      call('POST', `/v1/sessions/${idB}/step`, { name: 'execute_bash', arguments: { command: 'sleep 1; hostname' } }),
    ]);
    assert.equal(sa[1].exit_code, 0, JSON.stringify(sa));
    assert.equal(sb[1].exit_code, 0, JSON.stringify(sb));
    const host = (o: Record<string, unknown>) => String(o.observation).split('\r\n')[1];
    assert.notEqual(host(sa[1]), host(sb[1]), 'each session has its own container');
    const look = await call('POST', `/v1/sessions/${idB}/step`, { name: 'execute_bash', arguments: { command: 'cat only_in_a.txt' } });
    assert.notEqual(look[1].exit_code, 0, 'a file made in one session is not in the other');

    // B is left alone; A keeps working. B is reaped, A is not.
    const deadline = Date.now() + 60_000;
    while ((await runtime.listOurContainers({ sessionId: sessions.containerSession })).length > 1) {
      assert.ok(Date.now() < deadline, 'the idle session was not reaped within a minute');
      assert.equal((await call('POST', `/v1/sessions/${idA}/step`, { name: 'execute_bash', arguments: { command: 'true' } }))[0], 200);
      await new Promise((r) => setTimeout(r, 700));
    }
    const [goneStatus, gone] = await call('POST', `/v1/sessions/${idB}/step`, { name: 'execute_bash', arguments: { command: 'ls' } });
    assert.equal(goneStatus, 410);
    assert.match(String(gone.error), /reaped after \d+ s without a request/);
    assert.equal((await call('GET', `/v1/sessions/${idA}`))[1].state, 'ready');
    const busy = await Promise.all([
      call('POST', `/v1/sessions/${idA}/step`, { name: 'execute_bash', arguments: { command: 'sleep 1' } }),
      new Promise<Reply>((r) => setTimeout(() => void call('POST', `/v1/sessions/${idA}/step`, { name: 'execute_bash', arguments: { command: 'true' } }).then(r), 300)),
    ]);
    assert.deepEqual(
      busy.map((x) => x[0]),
      [200, 409],
      'one step at a time per session',
    );
    // The step budget: A is under it until now; past the budget the session ends and says why.
    let over: Reply = [0, {}];
    for (let i = 0; i < 45 && over[0] !== 409; i++) over = await call('POST', `/v1/sessions/${idA}/step`, { name: 'execute_bash', arguments: { command: 'true' } });
    assert.equal(over[0], 409);
    assert.match(String(over[1].error), /step budget of 40 is spent/);
    assert.equal((await call('DELETE', `/v1/sessions/${idA}`))[0], 200);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: sessions.containerSession }), []);
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: sessions.containerSession }), []);
});

test('a gym session is a row of the agent run table beside our rollouts: written at the start, its steps and the client\'s tokens, its reward when evaluated; a deleted one has no reward', async () => {
  const inst = await instance('swe-gym-studio__textkit-12');
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-serve-rows-'));
  const tableFile = path.join(out, 'agent-runs.json');
  const table = new RunTable<GymRunRow>(tableFile);
  // One of our own rollouts of the instance is already there: the session takes the next index.
  const ours: GymRunRow = { rolloutId: 'rollout-ours', runId: 'r0', instanceId: inst.instance_id, index: 0, model: 'our-model', startedAt: new Date(Date.now() - 60_000).toISOString(), state: 'ended', where: 'own', steps: 3, promptTokens: 10, completionTokens: 5, costUsd: 0, resolved: false, counted: true };
  await table.upsert(ours);
  const sessions = new GymSessions({ runtime, outDir: out, allowPull: false, idleTimeoutMs: 120_000, runTable: { rows: table, owner: 'host-under-test' } });
  const server = await startGymHttpServer({ sessions, port: 0, token: TOKEN });
  const call = async (method: string, p: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(server.url + p, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return [res.status, (await res.json()) as Record<string, unknown>];
  };
  // What another window reads: the file, not this process's writer.
  const rowsNow = () => new RunTable<GymRunRow>(tableFile).rows(inst.instance_id);
  try {
    const [cs, created] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: inst.instance_id, model: 'outside-model', client: 'row-client' });
    assert.equal(cs, 201, JSON.stringify(created));
    const sid = String(created.session_id);
    await sessions.rowsWritten();
    const first = rowsNow().find((r) => r.external?.sessionId === sid);
    assert.ok(first, JSON.stringify(rowsNow()));
    assert.deepEqual(
      { state: first.state, index: first.index, model: first.model, external: first.external, where: first.where, owner: first.owner, startedClean: first.startedClean, counted: first.counted, resolved: first.resolved },
      { state: 'running', index: 1, model: 'outside-model', external: { via: 'gym', client: 'row-client', sessionId: sid }, where: 'own', owner: 'host-under-test', startedClean: true, counted: true, resolved: null },
    );
    assert.ok(first.eventsPath && (await fs.stat(first.eventsPath)).isFile(), 'the event log is known from the start (a live row opens it)');
    assert.equal(rowsNow().length, 2, 'beside our rollout, not instead of it');

    assert.equal((await call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'true' }, usage: { prompt_tokens: -1 } }))[0], 400, 'a malformed usage is refused');
    const calls = patchToEditorCalls(inst.patch);
    for (const c of calls) {
      const [s, o] = await call('POST', `/v1/sessions/${sid}/step`, { name: c.name, arguments: c.arguments, usage: { prompt_tokens: 1000, completion_tokens: 50 } });
      assert.equal(s, 200, JSON.stringify(o));
    }
    await sessions.rowsWritten();
    const stepped = rowsNow().find((r) => r.rolloutId === first.rolloutId);
    assert.deepEqual([stepped?.state, stepped?.steps, stepped?.promptTokens, stepped?.completionTokens], ['running', calls.length, 1000 * calls.length, 50 * calls.length]);

    const [es, evaluation] = await call('POST', `/v1/sessions/${sid}/evaluate`);
    assert.equal(es, 200, JSON.stringify(evaluation));
    assert.equal(evaluation.resolved, true, JSON.stringify(evaluation));
    await sessions.rowsWritten();
    const done = rowsNow().find((r) => r.rolloutId === first.rolloutId);
    assert.ok(done);
    assert.deepEqual([done.state, done.resolved, done.rewardStatus, done.runError, done.counted, done.steps], ['ended', true, 'resolved', undefined, true, calls.length]);
    assert.equal(done.trajectoryPath, path.join(sessions.runDir, `${inst.instance_id}_1.json`), 'the row opens the trajectory the session wrote, under its table index');
    const closed = JSON.parse(await fs.readFile(done.trajectoryPath, 'utf8')) as ClosedTrajectory;
    assert.equal(closed.reward?.resolved, true);

    // Deleted without an evaluation: ended, no reward, so outside the success rate; not an error either.
    const [, second] = await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: inst.instance_id });
    const sid2 = String(second.session_id);
    assert.equal((await call('DELETE', `/v1/sessions/${sid2}`))[0], 200);
    await sessions.rowsWritten();
    const dropped = rowsNow().find((r) => r.external?.sessionId === sid2);
    assert.deepEqual([dropped?.state, dropped?.resolved, dropped?.runError, dropped?.index, dropped?.model, dropped?.external?.client], ['ended', null, undefined, 2, 'external (gym)', 'node']);
    // A session that cannot start (no image here, none pulled) is an error of the run: listed, never counted.
    const broken = new GymSessions({ runtime, outDir: out, allowPull: false, imageTemplate: 'swe-gym-missing.local/{id_swegym}:{version}', runTable: { rows: table } });
    await assert.rejects(broken.create({ dataset: 'samples', instance_id: inst.instance_id }), (err: Error & { status?: number }) => err.status === 500);
    await broken.close();
    const failed = rowsNow()[0];
    assert.deepEqual([failed?.state, failed?.resolved, failed?.exitReason, failed?.index], ['ended', null, 'environment_error', 3]);
    assert.match(failed?.runError ?? '', /swe-gym-missing\.local/);
    assert.deepEqual(
      rowsNow().map((r) => r.rolloutId),
      [failed?.rolloutId, dropped?.rolloutId, done.rolloutId, ours.rolloutId],
      'newest first, as the table lists rollouts',
    );
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: sessions.containerSession }), []);
});
