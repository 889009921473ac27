import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { CampaignPrefetcher } from '../../../src/core/campaign/campaignPrefetch';
import { launchDevContainer, prepareWorkspace, type DevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { gitDirOf, metaDirOf, workspaceDirFor } from '../../../src/core/devcontainer/workspaceLayout';
import { workspaceHolder, workspaceLockPath } from '../../../src/core/devcontainer/workspaceLock';
import { ensureImage } from '../../../src/core/images/ensureImage';
import type { InstanceSpec } from '../../../src/core/spec/instanceSpec';
import { sample, sampleSpec } from '../../support/samples';
import { runtime, TEST_SESSION } from '../../support/docker';

// Two preparers of one workspace at once (a hand launch of the instance a campaign is preparing
// ahead, two windows): the second waits for the first and takes its copy; nothing is deleted
// under a seed that is writing, nor under a launch that is taking the folder.
const ID = 'swe-gym-studio__argsy-9';
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, `--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`, ...args], { encoding: 'utf8' }).trim();
const specOf = async (id: string) => sampleSpec(await sample((i) => i.instance_id === id, id));
const seeds = () => runtime.listOurContainers({ sessionId: TEST_SESSION, purpose: 'seed' });

/** The workspace is one whole copy at the base commit, the same on the host and in the dev container, with nothing of a preparation left. */
async function assertOneCleanCopy(ws: string, spec: InstanceSpec, dev: DevContainer): Promise<void> {
  assert.equal(git(ws, 'rev-parse', 'HEAD'), spec.baseCommit);
  assert.equal(git(ws, 'status', '--porcelain'), '', 'every file of the base commit is there, unchanged');
  const inside = await dev.container.exec(['bash', '-c', 'git rev-parse HEAD && git status --porcelain'], { cwd: '/testbed' });
  assert.equal(inside.stdout.trim(), spec.baseCommit, `the dev container sees the same repository: ${inside.output}`);
  assert.deepEqual(fs.readdirSync(metaDirOf(ws)).sort(), ['git', 'workspace.json'], 'the marker written, no copy note');
  assert.equal(fs.existsSync(workspaceLockPath(ws)), false, 'the lock is released');
  assert.deepEqual(await seeds(), [], 'no seed container left');
}

test('a hand launch while a campaign prefetch copies the workspace waits for the copy and takes it (it never deletes the folder the seed writes into)', async () => {
  const spec = await specOf(ID);
  await ensureImage(runtime, spec.image);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-wslock-'));
  const ws = workspaceDirFor(root, ID);
  let dev: DevContainer | undefined;
  try {
    let copying!: () => void;
    const copyStarted = new Promise<void>((resolve) => (copying = resolve));
    const prefetch = prepareWorkspace(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, onProgress: (p) => p.step === 'workspace' && copying() });
    prefetch.catch(() => undefined);
    await copyStarted;
    assert.ok(fs.existsSync(path.join(metaDirOf(ws), 'copying.json')), 'the prefetch’s copy is under way');

    const messages: string[] = [];
    dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, onProgress: (p) => messages.push(p.message) });
    const prepared = await prefetch;
    assert.equal(prepared.created, true, 'the prefetch finished its own copy');
    assert.ok(
      messages.some((m) => m.startsWith(`Waiting for a campaign preparing it ahead (pid ${process.pid}, this window) to finish with ${ws}`)),
      `the launch said what it waits for:\n${messages.join('\n')}`,
    );
    assert.equal(dev.reusedWorkspace, true, `the launch took the prefetched copy (no removal, no second copy):\n${messages.join('\n')}`);
    await assertOneCleanCopy(ws, spec, dev);
  } finally {
    await dev?.container.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('another window (a second process) copying the workspace: the launch waits for its lock file and reuses its copy', async () => {
  const spec = await specOf(ID);
  await ensureImage(runtime, spec.image);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-wslock-'));
  const ws = workspaceDirFor(root, ID);
  const child = spawn(process.execPath, [path.join(__dirname, '../../support/workspacePreparer.js'), root, ID, TEST_SESSION], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let dev: DevContainer | undefined;
  try {
    const copyStarted = new Promise<void>((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const o = JSON.parse(line) as Record<string, unknown>;
        lines.push(o);
        if (o.step === 'workspace') resolve();
        if (o.error) reject(new Error(`the other process failed: ${String(o.error)}`));
      });
      void exited.then(() => reject(new Error(`the other process ended before copying: ${JSON.stringify(lines)}`)));
    });
    await copyStarted;
    assert.equal(workspaceHolder(ws)?.pid, child.pid, 'the other process holds the workspace');

    const messages: string[] = [];
    dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, onProgress: (p) => messages.push(p.message) });
    assert.equal(await exited, 0, JSON.stringify(lines));
    assert.deepEqual((lines.at(-1)?.done as { created?: boolean } | undefined)?.created, true, `the other process finished its copy: ${JSON.stringify(lines)}`);
    assert.ok(
      messages.some((m) => m.startsWith(`Waiting for a campaign preparing it ahead (pid ${child.pid}) to finish with ${ws}`)),
      `the launch named the other process:\n${messages.join('\n')}`,
    );
    assert.equal(dev.reusedWorkspace, true, `the launch took the other process’s copy:\n${messages.join('\n')}`);
    await assertOneCleanCopy(ws, spec, dev);
  } finally {
    child.kill('SIGKILL');
    await dev?.container.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a campaign stopped while a hand launch is taking its prepared workspace leaves the workspace to the launch', async () => {
  const spec = await specOf(ID);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-wslock-'));
  const ws = workspaceDirFor(root, ID);
  const prefetcher = new CampaignPrefetcher(() => runtime, { workspaceRoot: root, sessionId: TEST_SESSION });
  let dev: DevContainer | undefined;
  let launch: Promise<DevContainer> | undefined;
  try {
    assert.equal((await prefetcher.prefetch(spec))?.created, true, prefetcher.error(ID));
    launch = launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION });
    launch.catch(() => undefined);
    // The launch holds the workspace while it starts the container on it.
    for (let i = 0; i < 100 && workspaceHolder(ws)?.purpose !== 'launch'; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(workspaceHolder(ws)?.purpose, 'launch', 'the launch holds the workspace');
    // The extension says "not running" until the launch returns: only the lock tells the stop to keep it.
    await prefetcher.stop(() => false);
    dev = await launch;
    assert.ok(fs.existsSync(ws), 'the workspace the launch took is kept');
    await assertOneCleanCopy(ws, spec, dev);
  } finally {
    await prefetcher.stop();
    // Also when an assertion failed before the launch was awaited: its container goes too.
    await (dev ?? (await launch?.catch(() => undefined)))?.container.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
