import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import { candidatePatch } from '../../../src/core/devcontainer/candidatePatch';
import { resumeHostCopy } from '../../../src/core/devcontainer/earlyLaunch';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { beginWorkspace, gitDirOf, metaDirOf, workspaceDirFor } from '../../../src/core/devcontainer/workspaceLayout';
import { ensureImage } from '../../../src/core/images/ensureImage';
import { sampleSpec } from '../../support/samples';
import { runtime, TEST_SESSION } from '../../support/docker';

const ID = 'swe-gym-studio__textkit-12';
// The folder holds no repository; the test reads the metadata where the dev container mounts it from.
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, `--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`, ...args], { encoding: 'utf8' }).trim();

test('a launch copies the repository in the seed container: history cut at the base, the image working tree, files and a fresh index for the host user', async () => {
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const spec = await sampleSpec(inst);
  const { image } = await ensureImage(runtime, spec.image);
  // What the image holds: the future (a fix commit, a release tag and branch) and its files.
  const probe = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION });
  let future: string;
  let imageFiles: string;
  try {
    future = (await probe.exec(['git', 'rev-parse', 'v0.2.0^{commit}'], { cwd: '/testbed' })).stdout.trim();
    imageFiles = (await probe.exec(['bash', '-c', 'find . -path ./.git -prune -o -path ./.vscode -prune -o -print | sort'], { cwd: '/testbed' })).stdout;
  } finally {
    await probe.remove();
  }
  assert.match(future, /^[0-9a-f]{40}$/);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-launch-test-'));
  const hostUser = { uid: 4321, gid: 4322 };
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, hostUser });
  try {
    const ws = dev.workspaceDir;
    assert.equal(git(ws, 'rev-parse', 'HEAD'), inst.base_commit);
    assert.equal(git(ws, 'for-each-ref', '--format=%(refname)'), 'refs/heads/main', 'one branch at the base, no tag');
    assert.equal(git(ws, 'rev-list', '--all'), git(ws, 'rev-list', inst.base_commit));
    assert.throws(() => git(ws, 'cat-file', '-e', future), 'no object of the future is packed');
    assert.equal(git(ws, 'count-objects', '-v').match(/^count: (\d+)/m)?.[1], '0', 'one pack, no loose objects');
    // The image's working tree, as it is.
    assert.equal(execFileSync('bash', ['-c', 'find . -path ./.git -prune -o -path ./.vscode -prune -o -print | sort'], { cwd: ws, encoding: 'utf8' }), imageFiles);
    // Every file is the host user's, and the index already matches their stat data: diff-files
    // (which never refreshes) lists nothing, so the first `git status` hashes no file.
    // (.git and .vscode are the dev container's mount points, made by this process: the user in real use.)
    const owners = execFileSync('bash', ['-c', 'find . "$0" -path ./.git -prune -o -path ./.vscode -prune -o -printf "%U:%G\\n" | sort -u', gitDirOf(ws)], { cwd: ws, encoding: 'utf8' }).trim();
    assert.equal(owners, '4321:4322');
    assert.equal(git(ws, 'diff-files', '--name-only'), '');
    assert.equal(git(ws, 'status', '--porcelain'), '');
    // The dev container sees the same repository at /testbed.
    const inside = await dev.container.exec(['git', 'rev-parse', 'HEAD'], { cwd: '/testbed' });
    assert.equal(inside.stdout.trim(), inst.base_commit);
    assert.deepEqual(fs.readdirSync(root).sort(), ['.swe-gym-studio', path.basename(ws)], 'no partial folder left behind (beside the metadata folder)');
  } finally {
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a failed copy leaves no partial folder and no seed container', async () => {
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-launch-test-'));
  try {
    await assert.rejects(
      launchDevContainer(runtime, await sampleSpec({ ...inst, base_commit: '0123456789abcdef0123456789abcdef01234567' }), { workspaceRoot: root, sessionId: TEST_SESSION }),
      /base commit 0123456789abcdef0123456789abcdef01234567 is not in \/testbed/,
    );
    assert.deepEqual(fs.readdirSync(root), []);
    assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION, instanceId: ID }), []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a copy the window left unfinished (the dev container starts while it runs) is made afresh by the next launch, never taken for a workspace', async () => {
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-launch-test-'));
  const ws = workspaceDirFor(root, ID);
  // What a launch leaves when its extension host dies mid-copy: the folders at their places, half filled.
  beginWorkspace(ws, { instanceId: ID, baseCommit: inst.base_commit, image: 'unfinished', createdAt: new Date().toISOString() });
  fs.writeFileSync(path.join(ws, 'half-copied.py'), 'x = ');
  fs.writeFileSync(path.join(gitDirOf(ws), 'HEAD'), 'ref: refs/heads/main\n');
  const dev = await launchDevContainer(runtime, await sampleSpec(inst), { workspaceRoot: root, sessionId: TEST_SESSION });
  try {
    assert.equal(dev.reusedWorkspace, false);
    assert.equal(fs.existsSync(path.join(ws, 'half-copied.py')), false);
    assert.deepEqual(fs.readdirSync(metaDirOf(ws)).sort(), ['git', 'workspace.json'], 'the copy note is gone, the marker written');
    assert.equal(git(ws, 'rev-parse', 'HEAD'), inst.base_commit);
    assert.equal(git(ws, 'status', '--porcelain'), '');
  } finally {
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an early launch gives the container before the host copy is complete; an edit made in it during the copy ends on the host, a host edit in it, and a relaunch mounts the kept workspace', async () => {
  const ds = await loadDataset('samples');
  const inst = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(inst);
  const spec = await sampleSpec(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-launch-test-'));
  const ws = workspaceDirFor(root, ID);
  const dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, earlyPrompt: true });
  let relaunched: Awaited<ReturnType<typeof launchDevContainer>> | undefined;
  try {
    assert.ok(dev.hostCopy, 'an early launch says when the host folder is complete');
    let filled = false;
    void dev.hostCopy.then(() => (filled = true));
    assert.equal(filled, false, 'the container comes before the host copy');
    // Usable at once: the history already ends at the base commit, the future is not there.
    const history = await dev.container.exec(['bash', '-c', 'git for-each-ref --format="%(refname)"; git cat-file -e v0.2.0 2>/dev/null && echo FUTURE; git rev-list --all'], { cwd: '/testbed' });
    assert.equal(history.exitCode, 0, history.output);
    assert.doesNotMatch(history.stdout, /FUTURE|refs\/tags/);
    const status = await dev.container.exec(['git', 'status', '--porcelain'], { cwd: '/testbed' });
    assert.equal(status.stdout, '', 'the index (not refreshed before the prompt) still matches the files');
    // Edits in the container while the host folder fills: a changed file, a new one.
    const edit = await dev.container.exec(['bash', '-c', 'echo "# edited in the container" >> "$(git ls-files "*.py" | head -1)" && echo new > made_in_container.txt && git ls-files "*.py" | head -1'], { cwd: '/testbed' });
    assert.equal(edit.exitCode, 0, edit.output);
    const edited = edit.stdout.trim();
    const sync = await dev.hostCopy;
    assert.equal(git(ws, 'rev-parse', 'HEAD'), inst.base_commit);
    assert.equal(git(ws, 'rev-list', '--all'), git(ws, 'rev-list', inst.base_commit), 'the host copy holds nothing past the base');
    assert.equal(history.stdout.trim().split('\n').slice(1).join('\n'), git(ws, 'rev-list', inst.base_commit), "the container's history is the base's");
    assert.deepEqual(fs.readdirSync(metaDirOf(ws)).sort(), ['git', 'sync-base.json', 'workspace.json'], 'the copy note is gone, the marker written, the synced state kept');
    await sync.pull();
    assert.match(fs.readFileSync(path.join(ws, edited), 'utf8'), /# edited in the container\n$/);
    assert.equal(fs.readFileSync(path.join(ws, 'made_in_container.txt'), 'utf8'), 'new\n');
    // A window reload: an edit the container made since the last sync still comes across (the synced state is kept on disk).
    await dev.container.exec(['sh', '-c', 'echo before-reload > made_before_reload.txt'], { cwd: '/testbed' });
    const resumed = await resumeHostCopy(dev.container, ws);
    await resumed.pull();
    assert.equal(fs.readFileSync(path.join(ws, 'made_before_reload.txt'), 'utf8'), 'before-reload\n');
    // A host edit goes in, and the patch (taken in the container) holds all three.
    fs.writeFileSync(path.join(ws, 'made_on_host.txt'), 'host\n');
    await sync.push();
    const patch = await candidatePatch(dev.container, inst.base_commit);
    for (const f of [edited, 'made_in_container.txt', 'made_on_host.txt']) assert.ok(patch.includes(`+++ b/${f}`), `${f} in the patch:\n${patch}`);
    await dev.container.remove();
    // The kept workspace is mounted by the next launch, edits included.
    relaunched = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, earlyPrompt: true });
    assert.equal(relaunched.reusedWorkspace, true);
    assert.equal(relaunched.hostCopy, undefined);
    const seen = await relaunched.container.exec(['cat', 'made_in_container.txt', 'made_on_host.txt'], { cwd: '/testbed' });
    assert.equal(seen.stdout, 'new\nhost\n');
  } finally {
    await dev.hostCopy?.catch(() => undefined);
    await dev.container.remove().catch(() => undefined);
    await relaunched?.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
