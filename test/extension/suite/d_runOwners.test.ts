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
});
