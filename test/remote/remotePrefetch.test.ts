import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CampaignPrefetcher } from '../../src/core/campaign/campaignPrefetch';
import { launchDevContainer, type DevContainer } from '../../src/core/devcontainer/launchDevContainer';
import { gitDirOf } from '../../src/core/devcontainer/workspaceLayout';
import { TEST_SESSION } from '../support/docker';
import { sample, sampleSpec } from '../support/samples';
import { sshRuntime } from './remoteSupport';

const ID = 'swe-gym-studio__argsy-9';
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, `--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`, ...args], { encoding: 'utf8' }).trim();

test('a campaign prefetch on an ssh:// engine seeds the host copy ahead (no container left); the launch only copies it into its container', async () => {
  const runtime = sshRuntime();
  const spec = await sampleSpec(await sample((i) => i.instance_id === ID, ID));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-remote-prefetch-'));
  const prefetcher = new CampaignPrefetcher(() => runtime, { workspaceRoot: root, sessionId: TEST_SESSION });
  let dev: DevContainer | undefined;
  try {
    const prepared = await prefetcher.prefetch(spec);
    assert.equal(prepared?.created, true, `the host copy was made ahead: ${prefetcher.error(ID) ?? ''}`);
    const ws = prepared.workspaceDir;
    assert.equal(git(ws, 'rev-parse', 'HEAD'), spec.baseCommit);
    assert.equal(git(ws, 'status', '--porcelain'), '', 'the whole base commit, unchanged');
    assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'the seed on the engine is gone');

    assert.equal((await prefetcher.handOver(ID))?.workspaceDir, ws);
    const messages: string[] = [];
    dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, onProgress: (p) => messages.push(p.message) });
    assert.equal(dev.reusedWorkspace, true, messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('Copying the kept workspace')), `the launch copied the host copy in:\n${messages.join('\n')}`);
    const inside = await dev.container.exec(['bash', '-c', 'git rev-parse HEAD && git status --porcelain'], { cwd: '/testbed' });
    assert.equal(inside.stdout.trim(), spec.baseCommit, `the container holds the same repository, clean: ${inside.output}`);
    // The synced copy works as a launched one: a host edit reaches the container.
    fs.appendFileSync(path.join(ws, 'README.md'), '\nprepared ahead\n');
    await dev.sync?.push();
    assert.match((await dev.container.exec(['tail', '-1', 'README.md'], { cwd: '/testbed' })).stdout, /prepared ahead/);
  } finally {
    await prefetcher.stop();
    await dev?.container.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
