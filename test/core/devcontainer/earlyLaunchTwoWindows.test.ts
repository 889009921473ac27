import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import { resumeHostCopy } from '../../../src/core/devcontainer/earlyLaunch';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { workspaceDirFor } from '../../../src/core/devcontainer/workspaceLayout';
import type { WorkspaceSync } from '../../../src/core/devcontainer/workspaceSync';
import { sampleSpec } from '../../support/samples';
import { runtime, TEST_SESSION } from '../../support/docker';

const ID = 'swe-gym-studio__textkit-12';

/**
 * Window A launches early; window B joins the running container while A's host copy is under way
 * (DevContainerManager.attach -> resumeHostCopy, the path every window that finds the container
 * takes). Two windows are two extension hosts; here each is its own WorkspaceSync over the same
 * workspace, sharing nothing in memory, only what is on disk (as two processes would).
 */
test('a second window joining an early launch reuses the first one\'s host copy, and both windows\' syncs act as one', async () => {
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const spec = await sampleSpec(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-twowin-test-'));
  const ws = workspaceDirFor(root, ID);
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, earlyPrompt: true });
  try {
    assert.ok(dev.hostCopy);
    const readme = path.join(ws, 'README.md');
    let settled = false;
    void dev.hostCopy.then(() => (settled = true));
    assert.equal(settled, false, "A's copy is still under way when B joins");
    let copiedByA: string | undefined;
    // B asks while A copies: it waits for A's copy and takes it as it is (no second copy).
    const joining = resumeHostCopy(dev.container, ws);
    const syncA = await dev.hostCopy.then((s) => {
      const st = fs.statSync(readme);
      copiedByA = `${st.ino}:${st.mtimeMs}`;
      return s;
    });
    const syncB: WorkspaceSync = await joining;
    const st = fs.statSync(readme);
    assert.equal(`${st.ino}:${st.mtimeMs}`, copiedByA, "window B did not copy the files again");

    const inContainer = async (script: string) => {
      const r = await dev.container.exec(['sh', '-c', script], { cwd: '/testbed' });
      assert.equal(r.exitCode, 0, r.output);
      return r.stdout;
    };
    // An edit in the container terminal; A's timer pulls it.
    await inContainer('echo v1 > shared.txt');
    assert.deepEqual((await syncA.pull()).written, ['shared.txt']);
    assert.equal(fs.readFileSync(path.join(ws, 'shared.txt'), 'utf8'), 'v1\n');
    // The person edits it again in the container; before A's next pull, a save in window B pushes.
    await new Promise((r) => setTimeout(r, 20));
    await inContainer('echo v2 > shared.txt');
    fs.writeFileSync(path.join(ws, 'saved_in_b.txt'), 'b\n');
    const pushB = await syncB.push();
    assert.deepEqual(pushB.written, ['saved_in_b.txt'], "B pushes only what the host changed since the shared state, not A's pull");
    assert.deepEqual(pushB.conflicts, []);
    assert.equal(await inContainer('cat shared.txt saved_in_b.txt'), 'v2\nb\n', "the container's later edit is not overwritten by B");
    // Either window's pull brings v2; after it, neither window finds anything to send back.
    const pullB = await syncB.pull();
    assert.deepEqual([pullB.written, pullB.conflicts], [['shared.txt'], []]);
    assert.equal(fs.readFileSync(path.join(ws, 'shared.txt'), 'utf8'), 'v2\n');
    for (const r of [await syncA.push(), await syncA.pull(), await syncB.push(), await syncB.pull()]) {
      assert.deepEqual([r.direction, r.written, r.deleted, r.conflicts], [r.direction, [], [], []], `no ping-pong between the windows (${r.direction})`);
    }
  } finally {
    await dev.hostCopy?.catch(() => undefined);
    await dev.container.remove().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
});
