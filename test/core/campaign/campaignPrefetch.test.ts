import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Campaign } from '../../../src/core/campaign/campaign';
import { CampaignPrefetcher } from '../../../src/core/campaign/campaignPrefetch';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { gitDirOf, workspaceDirFor } from '../../../src/core/devcontainer/workspaceLayout';
import { sample, sampleSpec } from '../../support/samples';
import { runtime, TEST_SESSION } from '../../support/docker';

const IDS = ['swe-gym-studio__textkit-12', 'swe-gym-studio__argsy-9', 'swe-gym-studio__confini-7', 'swe-gym-studio__moneta-34'];
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, `--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`, ...args], { encoding: 'utf8' }).trim();
const specOf = async (id: string) => sampleSpec(await sample((i) => i.instance_id === id, id));
const ours = () => runtime.listOurContainers({ sessionId: TEST_SESSION });

test('prefetch: the next instance’s image and workspace are ready while the current one is worked on; its launch only starts a container; stop leaves nothing', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-campaign-ws-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-campaign-out-'));
  const changes: string[] = [];
  const copying = new Map<string, () => void>();
  const prefetcher = new CampaignPrefetcher(() => runtime, {
    workspaceRoot: root,
    sessionId: TEST_SESSION,
    onChange: (id, s) => changes.push(`${id}:${s ?? 'removed'}`),
    onProgress: (id, p) => p.step === 'workspace' && copying.get(id)?.(),
  });
  const c = Campaign.create(out, { dataset: 'samples', pickedBy: { kind: 'list', file: 'list.txt' }, instanceIds: IDS });
  const started: { remove(): Promise<void> }[] = [];
  try {
    // The person works on the first instance; the second is prepared meanwhile.
    const first = await launchDevContainer(runtime, await specOf(c.progress().current!), { workspaceRoot: root, sessionId: TEST_SESSION });
    started.push(first.container);
    const nextId = c.progress().next!;
    const prepared = await prefetcher.prefetch(await specOf(nextId));
    assert.ok(prepared?.created, prefetcher.error(nextId));
    assert.equal(prefetcher.state(nextId), 'ready');
    assert.equal(prepared.workspaceDir, workspaceDirFor(root, nextId));
    assert.equal(git(prepared.workspaceDir, 'rev-parse', 'HEAD'), (await specOf(nextId)).baseCommit);
    assert.equal(git(prepared.workspaceDir, 'status', '--porcelain'), '', 'the prepared workspace is the base commit, clean');
    assert.deepEqual((await ours()).map((x) => x.id), [first.container.id], 'preparing left no container (the seed is gone)');

    // Finish: the campaign moves on and the prepared instance is handed to its launch.
    c.complete(c.progress().current!, { resolved: true });
    assert.equal(c.progress().current, nextId);
    await first.container.remove();
    started.pop();
    assert.equal((await prefetcher.handOver(nextId))?.workspaceDir, prepared.workspaceDir);
    const second = await launchDevContainer(runtime, await specOf(nextId), { workspaceRoot: root, sessionId: TEST_SESSION });
    started.push(second.container);
    assert.equal(second.reusedWorkspace, true, 'the launch found the prepared workspace: no copy, only the container');
    assert.equal((await second.container.exec(['git', 'rev-parse', 'HEAD'], { cwd: '/testbed' })).stdout.trim(), (await specOf(nextId)).baseCommit);

    // A skip changes the next instance while it is being prepared: the old preparation is cancelled, its partial copy removed.
    const third = c.progress().next!;
    const copyStarted = new Promise<void>((resolve) => copying.set(third, resolve));
    const cancelled = prefetcher.prefetch(await specOf(third));
    await copyStarted;
    c.skip(nextId, 'the issue is unclear');
    const fourth = c.progress().next!;
    assert.equal(fourth, IDS[3]);
    const fourthReady = prefetcher.prefetch(await specOf(fourth));
    assert.equal(await cancelled, undefined);
    assert.equal(prefetcher.error(third), 'cancelled');
    assert.equal(fs.existsSync(workspaceDirFor(root, third)), false, 'the cancelled copy left no folder');
    assert.ok((await fourthReady)?.created);

    // Stopping the campaign: the prepared workspace no launch took is removed, no container of the prefetch is left.
    await second.container.remove();
    started.pop();
    await prefetcher.stop();
    assert.equal(fs.existsSync(workspaceDirFor(root, fourth)), false);
    assert.equal(fs.existsSync(prepared.workspaceDir), true, 'the launched instance’s workspace is the person’s: kept');
    assert.deepEqual(await ours(), []);
    assert.deepEqual(changes.filter((x) => x.startsWith(fourth)), [`${fourth}:preparing`, `${fourth}:ready`, `${fourth}:removed`]);
  } finally {
    await prefetcher.stop();
    for (const s of started) await s.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
});
