import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OWNED_STAMP, RC_FILE } from '../../../src/core/devcontainer/devShell';
import { launchDevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { gitDirOf } from '../../../src/core/devcontainer/workspaceLayout';
import { sample, sampleSpec } from '../../support/samples';
import { runtime, TEST_SESSION } from '../../support/docker';

const HOST_USER = { uid: 4321, gid: 4322 };

/**
 * The terminal's prompt hook (shellRc) hands what the root shell made in /testbed back to the
 * host user, and looks only into folders changed since it last looked: a mypy-sized repository
 * must not be walked before every prompt.
 */
test('the prompt hook hands back what root made, however it was made, and looks only where something changed', async () => {
  const inst = await sample((i) => i.instance_id === 'swe-gym-studio__textkit-12', 'textkit');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-devshell-test-'));
  const dev = await launchDevContainer(runtime, await sampleSpec(inst), { workspaceRoot: root, sessionId: TEST_SESSION, hostUser: HOST_USER });
  const inShell = async (script: string) => {
    const r = await dev.container.exec(['bash', '-c', `. ${RC_FILE} && ${script}`], { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, r.output);
    return r.stdout;
  };
  const ws = dev.workspaceDir;
  const uid = (rel: string) => fs.lstatSync(path.join(ws, rel)).uid;
  try {
    assert.match(await inShell('echo "$PROMPT_COMMAND"'), /__swe_gym_own/);
    // The copy wrote the stamp last, for the host user.
    assert.equal(fs.statSync(path.join(gitDirOf(ws), path.basename(OWNED_STAMP))).uid, HOST_USER.uid);
    const copied = fs.readdirSync(path.join(ws, 'textkit')).find((f) => f.endsWith('.py'));
    assert.ok(copied);
    // A copied file root takes over in place changes no folder: the first prompt does not walk the copy to find it.
    await inShell(`chown 0:0 textkit/${copied} && __swe_gym_own`);
    assert.equal(uid(`textkit/${copied}`), 0, 'the first prompt walked the whole copy');

    // What a root shell makes, in every way that changes a folder.
    await inShell(
      [
        'echo new > textkit/new_module.py',
        'mkdir -p deep/a/b && echo x > deep/a/b/file',
        // Extracted with the archive's old folder times: only the ctime tells them apart.
        'mkdir -p /tmp/arch/old/inner && echo y > /tmp/arch/old/inner/file && touch -d 2001-01-01 /tmp/arch/old/inner /tmp/arch/old',
        'tar -C /tmp/arch -cf /tmp/old.tar old && tar -xf /tmp/old.tar',
        'echo z > /tmp/moved && touch -d 2001-01-01 /tmp/moved && mv /tmp/moved textkit/moved',
        'git -c user.email=a@b -c user.name=a -c core.hooksPath=/dev/null commit -qm "in the container" --allow-empty',
        'git init -q sub && touch sub/file',
        '__swe_gym_own',
      ].join(' && '),
    );
    for (const rel of ['textkit/new_module.py', 'deep', 'deep/a/b', 'deep/a/b/file', 'old', 'old/inner', 'old/inner/file', 'textkit/moved', 'sub', 'sub/file']) {
      assert.equal(uid(rel), HOST_USER.uid, `${rel} was not handed back`);
    }
    const head = fs.readFileSync(path.join(gitDirOf(ws), 'refs', 'heads', 'main'), 'utf8').trim();
    const object = path.join(gitDirOf(ws), 'objects', head.slice(0, 2), head.slice(2));
    assert.equal(fs.statSync(object).uid, HOST_USER.uid, "the commit's objects in the workspace's metadata were not handed back");
    assert.equal(uid('sub/.git'), 0, 'a repository planted in a subfolder stays root');
    // A container without the stamp (an older launch) is looked at whole, once.
    fs.rmSync(path.join(gitDirOf(ws), path.basename(OWNED_STAMP)));
    await inShell('__swe_gym_own');
    assert.equal(uid(`textkit/${copied}`), HOST_USER.uid);
  } finally {
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
