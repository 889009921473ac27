import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerRuntime } from '../../../src/core/runtime/docker/dockerRuntime';
import { findLeftovers, reapOurContainers } from '../../../src/core/runtime/reaper';
import { removeWindowContainers } from '../../../src/core/runtime/windowEndCleanup';
import { BASE_IMAGE, TEST_SESSION, runtime } from '../../support/docker';

const RUNTIME_MODULE = require.resolve('../../../src/core/runtime/docker/dockerRuntime');
const STALE_MS = 3000;

/** A node process that creates a container, prints its id and keeps beating until killed. */
function creatorScript(session: string, purpose: string, exitAfterCreate = false): string {
  return (
    `const rt = new (require(${JSON.stringify(RUNTIME_MODULE)}).DockerRuntime)();` +
    `rt.createContainer({ image: ${JSON.stringify(BASE_IMAGE)}, purpose: ${JSON.stringify(purpose)}, sessionId: ${JSON.stringify(session)} })` +
    `.then((c) => { process.stdout.write(c.id + '\\n'); ${exitAfterCreate ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'} });`
  );
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`creator exited (${code}) before printing an id: ${err}`)));
    setTimeout(() => reject(new Error(`no container id within 60 s: ${err}`)), 60_000).unref();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a running container whose creator lives in another PID namespace is never removed; once the creator dies it is, after its heartbeat goes stale', async () => {
  const session = `${TEST_SESSION}-pidns`;
  // Burn a few hundred pids first so the creator's pid in its namespace names no process here:
  // exactly the case the old pid check took for a crash.
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done; "$0" -e "$1"', process.execPath, creatorScript(session, 'eval')],
    { env: { ...process.env, SWE_GYM_HEARTBEAT_MS: '500' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const id = await firstLine(child);
    const [listed] = await runtime.listOurContainers({ sessionId: session });
    const pid = Number(listed?.labels['io.swe-gym-studio.pid']);
    assert.ok(pid > 300, `the creator's pid in its own namespace (${pid})`);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'that pid names no process here: a pid check would call the container orphaned');
    await sleep(STALE_MS + 1000);
    assert.deepEqual(await reapOurContainers(runtime, { sessionId: session, orphansOnly: true, staleAfterMs: STALE_MS }), [], 'alive: its creator beats');
    assert.deepEqual((await runtime.listOurContainers({ sessionId: session })).map((c) => c.id), [id]);

    child.kill('SIGKILL');
    await sleep(STALE_MS + 1000);
    const removed = await reapOurContainers(runtime, { sessionId: session, orphansOnly: true, staleAfterMs: STALE_MS });
    assert.deepEqual(removed.map((c) => c.id), [id], 'stale once its creator is gone');
  } finally {
    child.kill('SIGKILL');
    await reapOurContainers(runtime, { sessionId: session });
  }
});

test('a container with no heartbeat is a leftover even when its pid label names a live process (someone else)', async () => {
  const session = `${TEST_SESSION}-pid1`;
  // What a creator killed before its first beat leaves, with a pid that now belongs to init.
  const id = execFileSync('docker', [
    'run', '-d', '--rm', '--network', 'none',
    '--label', 'io.swe-gym-studio.owner=swe-gym-studio', '--label', 'io.swe-gym-studio.purpose=eval',
    '--label', `io.swe-gym-studio.session=${session}`, '--label', 'io.swe-gym-studio.pid=1',
    '--label', 'io.swe-gym-studio.run=0123456789abcdef', '--label', `io.swe-gym-studio.profile=${runtime.profile}`,
    BASE_IMAGE, 'tail', '-f', '/dev/null',
  ]).toString().trim();
  try {
    await sleep(STALE_MS + 500);
    const removed = await reapOurContainers(runtime, { sessionId: session, orphansOnly: true, staleAfterMs: STALE_MS });
    assert.deepEqual(removed.map((c) => c.id), [id]);
  } finally {
    await runtime.removeContainer(id);
  }
});

test('leftovers of another profile, dev containers and containers from before run tokens are kept unless asked', async () => {
  const session = `${TEST_SESSION}-profiles`;
  const create = (env: Record<string, string>, purpose = 'eval') =>
    execFileSync(process.execPath, ['-e', creatorScript(session, purpose, true)], { env: { ...process.env, ...env } }).toString().trim();
  const otherUser = create({ SWE_GYM_PROFILE: 'someone-else@elsewhere' });
  const dev = create({}, 'dev');
  const legacy = execFileSync('docker', [
    'run', '-d', '--rm', '--network', 'none', '--label', 'io.swe-gym-studio.owner=swe-gym-studio', '--label', 'io.swe-gym-studio.purpose=eval',
    '--label', `io.swe-gym-studio.session=${session}`, '--label', 'io.swe-gym-studio.pid=999999', BASE_IMAGE, 'tail', '-f', '/dev/null',
  ]).toString().trim();
  try {
    await sleep(STALE_MS + 500);
    assert.deepEqual(await findLeftovers(runtime, { sessionId: session, staleAfterMs: STALE_MS }), []);
    const withDev = await findLeftovers(runtime, { sessionId: session, staleAfterMs: STALE_MS, includeDev: true });
    assert.deepEqual(withDev.map((c) => c.id), [dev], 'the extension offers its own profile\'s stale dev containers');
    const anyProfile = await findLeftovers(runtime, { sessionId: session, staleAfterMs: STALE_MS, anyProfile: true });
    assert.deepEqual(anyProfile.map((c) => c.id), [otherUser]);
    // Another window of this profile, still open: it beats, so it is never offered.
    const window2 = new DockerRuntime({ heartbeatMs: 500 });
    const live = await window2.createContainer({ image: BASE_IMAGE, purpose: 'dev', sessionId: session });
    try {
      await sleep(STALE_MS + 500);
      assert.ok(!(await findLeftovers(runtime, { sessionId: session, staleAfterMs: STALE_MS, includeDev: true })).some((c) => c.id === live.id));
    } finally {
      await live.remove();
    }
  } finally {
    for (const id of [otherUser, dev, legacy]) await runtime.removeContainer(id);
  }
});

test('`swe-gym cleanup` finds the seed container of a launch killed mid-copy', async () => {
  const session = `${TEST_SESSION}-seed`;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-seed-'));
  const src = path.resolve(__dirname, '../../../src');
  const launcher = spawn(
    process.execPath,
    [
      '-e',
      `(async () => {
        const ds = await require(${JSON.stringify(`${src}/core/dataset/loadDataset`)}).loadDataset('samples');
        const inst = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12') ?? ds.instances[0];
        const rt = new (require(${JSON.stringify(RUNTIME_MODULE)}).DockerRuntime)();
        const spec = require(${JSON.stringify(`${src}/core/spec/instanceSpec`)}).makeInstanceSpec(inst, require(${JSON.stringify(`${src}/core/spec/datasetContext`)}).datasetContextOf(ds), { allowPull: false });
        await require(${JSON.stringify(`${src}/core/devcontainer/launchDevContainer`)}).launchDevContainer(rt, spec, {
          workspaceRoot: ${JSON.stringify(root)}, sessionId: ${JSON.stringify(session)},
        });
      })().catch((e) => { console.error(e); process.exit(1); });`,
    ],
    { stdio: 'ignore' },
  );
  try {
    let seedId: string | undefined;
    for (let i = 0; i < 1500 && !seedId && launcher.exitCode === null; i++) {
      seedId = (await runtime.listOurContainers({ sessionId: session, purpose: 'seed' }))[0]?.id;
      if (!seedId) await sleep(20);
    }
    assert.ok(seedId, 'the launch made a seed container');
    launcher.kill('SIGKILL');
    await sleep(2500);
    const r = execFileSync(process.execPath, [path.join(src, 'cli/index.js'), 'cleanup', '--session', session, '--stale-after', '2', '--json']).toString();
    const removed = (JSON.parse(r) as { removed: { id: string }[] }).removed.map((c) => c.id);
    assert.ok(removed.includes(seedId), `cleanup removed ${JSON.stringify(removed)}`);
  } finally {
    launcher.kill('SIGKILL');
    await reapOurContainers(runtime, { sessionId: session });
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a window's end removes its rollout, grade and seed containers and keeps its dev containers and other windows' containers", async () => {
  const mine = `${TEST_SESSION}-window-end`;
  const other = `${TEST_SESSION}-window-other`;
  const made = await Promise.all(
    (
      [
        [mine, 'agent'],
        [mine, 'eval'],
        [mine, 'seed'],
        [mine, 'dev'],
        [other, 'agent'],
      ] as const
    ).map(([sessionId, purpose]) => runtime.createContainer({ image: BASE_IMAGE, purpose, sessionId })),
  );
  try {
    assert.equal(await removeWindowContainers(runtime, mine), 3);
    const left = (await runtime.listOurContainers({ sessionId: mine })).map((c) => c.labels['io.swe-gym-studio.purpose']);
    assert.deepEqual(left, ['dev']);
    assert.equal((await runtime.listOurContainers({ sessionId: other })).length, 1, "another window's rollout is not this window's to remove");
  } finally {
    await Promise.all(made.map((c) => c.remove().catch(() => undefined)));
  }
});
