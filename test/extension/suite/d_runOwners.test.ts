import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentRunRow } from '../../../src/shared/agentView';
import { getApi, waitFor } from './helpers';

const INSTANCE = 'run-owners-test';
/** The owner module as compiled beside this suite: another process runs it as another window would. */
const OWNERS_MODULE = path.join(__dirname, '../../../src/extension/agent/runOwners.js');
/** The run table as another window's extension host writes it. */
const TABLE_MODULE = path.join(__dirname, '../../../src/core/agent/runTable.js');

/** Another extension host of the same profile: a real process beating into the same folder. */
function otherWindow(dir: string, id: string): ChildProcess {
  const script = `const { RunOwners } = require(${JSON.stringify(OWNERS_MODULE)}); new RunOwners(${JSON.stringify(dir)}, ${JSON.stringify(id)}, { beatMs: 200 }).start(); setInterval(() => {}, 1000);`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

function row(rolloutId: string, owner: string | undefined, index: number): AgentRunRow {
  return {
    rolloutId,
    runId: `run-${rolloutId}`,
    instanceId: INSTANCE,
    index,
    model: 'scripted',
    startedAt: new Date(Date.now() - index * 1000).toISOString(),
    state: 'running',
    ...(owner ? { owner } : {}),
    where: 'own',
    steps: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    resolved: null,
  };
}

describe('rollout rows shared by the windows of a profile', function () {
  this.timeout(60_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it("marks interrupted only the rows whose extension host is gone, never another open window's", async () => {
    const api = await getApi();
    const store = api.agents.runs;
    const dir = store.owners.dir;
    const tag = randomBytes(3).toString('hex');
    const liveId = `other-live-${tag}`;
    const killedId = `other-killed-${tag}`;
    const live = otherWindow(dir, liveId);
    const killed = otherWindow(dir, killedId);
    children.push(live, killed);
    await waitFor('both other windows beating', () => fs.existsSync(path.join(dir, `${liveId}.json`)) && fs.existsSync(path.join(dir, `${killedId}.json`)), 20_000);
    // The killed window leaves its file behind with a fresh beat: its process is what says it is gone.
    killed.kill('SIGKILL');
    await waitFor('the killed window to exit', () => killed.exitCode !== null || killed.signalCode !== null);
    // A window on another machine sharing the profile's storage: only its beat can be judged.
    const farLive = `far-live-${tag}`;
    const farStale = `far-stale-${tag}`;
    fs.writeFileSync(path.join(dir, `${farLive}.json`), JSON.stringify({ id: farLive, host: 'another-machine', pid: 1, at: Date.now() }));
    fs.writeFileSync(path.join(dir, `${farStale}.json`), JSON.stringify({ id: farStale, host: 'another-machine', pid: 1, at: Date.now() - 10 * 60_000 }));

    const rows = [row(`a-${tag}`, liveId, 1), row(`b-${tag}`, killedId, 2), row(`c-${tag}`, farLive, 3), row(`d-${tag}`, farStale, 4), row(`e-${tag}`, undefined, 5), row(`f-${tag}`, `never-started-${tag}`, 6)];
    for (const r of rows) await store.upsert(r);

    const marked = (await store.markInterrupted(new Set())).filter((r) => r.instanceId === INSTANCE).map((r) => r.rolloutId).sort();
    assert.deepEqual(marked, [`b-${tag}`, `d-${tag}`, `e-${tag}`, `f-${tag}`], 'the killed, stale, ownerless and unknown owners are cut off');
    const state = (id: string) => store.row(INSTANCE, id)?.state;
    assert.equal(state(`a-${tag}`), 'running', "a rollout another open window runs stays running");
    assert.equal(state(`c-${tag}`), 'running', 'a window elsewhere with a fresh beat stays running');
    assert.equal(state(`b-${tag}`), 'interrupted');

    // The other window closes: its rows are cut off from then on.
    live.kill('SIGKILL');
    await waitFor('the live window to exit', () => live.exitCode !== null || live.signalCode !== null);
    const later = (await store.markInterrupted(new Set())).filter((r) => r.instanceId === INSTANCE).map((r) => r.rolloutId);
    assert.deepEqual(later, [`a-${tag}`]);
    assert.equal(state(`a-${tag}`), 'interrupted');

    // This window's own rows are never cut off by itself.
    await store.upsert(row(`g-${tag}`, store.owners.self, 7));
    assert.deepEqual((await store.markInterrupted(new Set())).filter((r) => r.instanceId === INSTANCE), []);
    assert.ok(fs.existsSync(path.join(dir, `${store.owners.self.replace(/[^A-Za-z0-9._-]/g, '_')}.json`)), 'this window beats too');
  });

  it("keeps every row when another window writes the table at the same moment, and shows that window's rows", async () => {
    const api = await getApi();
    const store = api.agents.runs;
    const tag = randomBytes(3).toString('hex');
    const instance = `${INSTANCE}-${tag}`;
    const rounds = 25;
    // Another window: a real process writing rows (and taking indexes) into the same file as fast as it can.
    const script = `const { RunTable } = require(${JSON.stringify(TABLE_MODULE)}); const t = new RunTable(${JSON.stringify(store.table.file)});
(async () => { for (let i = 0; i < ${rounds}; i++) { const index = await t.reserveIndex(${JSON.stringify(instance)}); await t.upsert({ rolloutId: 'other-' + i, runId: 'run-other', instanceId: ${JSON.stringify(instance)}, index, model: 'scripted', startedAt: new Date().toISOString(), state: 'ended', where: 'own', steps: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, resolved: null }); } })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });`;
    const changed: string[] = [];
    const sub = store.onDidChange((id) => changed.push(id));
    const other = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    children.push(other);
    let stderr = '';
    other.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => other.on('exit', (code) => resolve(code)));
    // This window writes its own rows meanwhile, each with an index it reserved.
    for (let i = 0; i < rounds; i++) await store.upsert({ ...row(`mine-${i}`, store.owners.self, await store.reserveIndex(instance)), instanceId: instance, state: 'ended' });
    assert.equal(await exited, 0, `the other window failed: ${stderr}`);
    const rows = store.rows(instance);
    for (let i = 0; i < rounds; i++) {
      assert.ok(rows.some((r) => r.rolloutId === `mine-${i}`), `this window's mine-${i} kept`);
      assert.ok(rows.some((r) => r.rolloutId === `other-${i}`), `the other window's other-${i} kept and shown here`);
    }
    assert.equal(new Set(rows.map((r) => r.index)).size, 2 * rounds, 'no index handed to both windows');
    // A write by the other window alone reaches this window's listeners (the agent view, the tree) without a reload.
    changed.length = 0;
    const late = spawn(process.execPath, ['-e', script.replace(`i < ${rounds}`, 'i < 1').replaceAll("'other-'", "'other-late-'")], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    children.push(late);
    assert.equal(await new Promise<number | null>((resolve) => late.on('exit', (code) => resolve(code))), 0);
    await waitFor("this window told of the other window's row", () => changed.includes(instance), 10_000);
    assert.ok(store.row(instance, 'other-late-0'), "the other window's new row is shown here");
    sub.dispose();
  });
});
