import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidatePatch } from '../../src/core/devcontainer/candidatePatch';
import { launchDevContainer } from '../../src/core/devcontainer/launchDevContainer';
import { gitDirOf } from '../../src/core/devcontainer/workspaceLayout';
import { WorkspaceSync } from '../../src/core/devcontainer/workspaceSync';
import type { ContainerHandle } from '../../src/core/runtime/containerRuntime';
import { TEST_SESSION } from '../support/docker';
import { sample, sampleSpec } from '../support/samples';
import { sshRuntime } from './remoteSupport';

const ID = 'swe-gym-studio__textkit-12';
const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'safe.directory=*', '-C', dir, `--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`, ...args], { encoding: 'utf8' }).trim();

test('a dev container on an ssh:// engine: the workspace is a synced copy at the base commit; host edits reach the container, container edits come back, both-side edits are reported; symbolic links travel as links unless they lead outside; a relaunch keeps the edits', async () => {
  const runtime = sshRuntime();
  const inst = await sample((i) => i.instance_id === ID, ID);
  const spec = await sampleSpec(inst);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-remote-ws-'));
  const messages: string[] = [];
  let dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION, onProgress: (p) => messages.push(p.message) });
  try {
    const sync = dev.sync;
    assert.ok(sync, 'a remote engine gives a synced workspace');
    assert.match(messages.join('\n'), /the workspace is a synced copy, not a mount/, 'the launch says so');
    const ws = dev.workspaceDir;
    const inside = async (script: string) => {
      const r = await dev.container.exec(['bash', '-c', script], { cwd: '/testbed' });
      assert.equal(r.exitCode, 0, r.output);
      return r.stdout;
    };
    // Both sides: the repository cut at the base, no future tag or object in the container either.
    assert.equal(git(ws, 'rev-parse', 'HEAD'), inst.base_commit);
    assert.equal((await inside('git rev-parse HEAD')).trim(), inst.base_commit);
    assert.equal((await inside('git tag; git rev-list --all | wc -l')).trim(), git(ws, 'rev-list', '--all').split('\n').length.toString());
    assert.equal(git(ws, 'status', '--porcelain'), '');

    // Host -> container (what a save or a grade does): an edit, a new file in a new folder, a deletion, an exec bit.
    const readme = fs.readdirSync(ws).find((f) => /^readme/i.test(f)) ?? 'README.md';
    const victim = fs.readdirSync(path.join(ws, 'tests')).find((f) => f.endsWith('.py'));
    assert.ok(victim);
    fs.appendFileSync(path.join(ws, readme), 'edited on the host\n');
    fs.mkdirSync(path.join(ws, 'notes', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'notes', 'deep', 'host.sh'), '#!/bin/sh\necho from-host\n', { mode: 0o755 });
    fs.rmSync(path.join(ws, 'tests', victim));
    const pushed = await sync.push();
    assert.deepEqual([...pushed.written].sort(), [readme, 'notes/deep/host.sh'].sort());
    assert.deepEqual(pushed.deleted, [`tests/${victim}`]);
    assert.equal((await inside(`tail -n1 ${readme}; notes/deep/host.sh; test ! -e tests/${victim} && echo gone`)), 'edited on the host\nfrom-host\ngone\n');
    // A grade takes the patch in the container: the host's edit is in it.
    assert.match(await candidatePatch(dev.container, inst.base_commit), /\+edited on the host/);

    // Container -> host (after a terminal command): an edit, a new file, a deletion; a link is not carried.
    await inside(`echo edited in the container >> ${readme}; mkdir -p made/inside && echo hi > made/inside/c.txt; rm notes/deep/host.sh; ln -s /etc/passwd leak`);
    const pulled = await sync.pull();
    assert.deepEqual([...pulled.written].sort(), [readme, 'made/inside/c.txt'].sort());
    assert.deepEqual(pulled.deleted, ['notes/deep/host.sh']);
    assert.match(fs.readFileSync(path.join(ws, readme), 'utf8'), /edited on the host\nedited in the container\n$/);
    assert.equal(fs.readFileSync(path.join(ws, 'made/inside/c.txt'), 'utf8'), 'hi\n');
    assert.equal(fs.existsSync(path.join(ws, 'notes/deep/host.sh')), false);
    assert.equal(fs.lstatSync(path.join(ws, 'leak'), { throwIfNoEntry: false }), undefined, 'no link planted on the host');
    assert.deepEqual(pulled.outsideLinks, ['leak'], 'the link leading outside is reported');
    assert.deepEqual((await sync.pull()).written, [], 'nothing twice');
    assert.deepEqual((await sync.push()).written, [], 'what came back is not pushed again');

    // Edited on both sides: a pull keeps the host's copy and says so; the next push makes the container agree.
    await inside('echo container-side > made/inside/c.txt');
    fs.writeFileSync(path.join(ws, 'made/inside/c.txt'), 'host-side\n');
    const both = await sync.pull();
    assert.deepEqual(both.conflicts, ['made/inside/c.txt']);
    assert.equal(fs.readFileSync(path.join(ws, 'made/inside/c.txt'), 'utf8'), 'host-side\n');
    assert.deepEqual((await sync.push()).conflicts, ['made/inside/c.txt']);
    assert.equal(await inside('cat made/inside/c.txt'), 'host-side\n');

    // Symbolic links travel as links, both ways, when they stay inside; never followed; one leading outside is reported once and not made.
    await inside('ln -s ../textkit/align.py made/align-link; ln -s inside made/dir-link; ln -s ../../etc made/up-and-out; ln -s inside/../../../etc made/sneaky');
    const links = await sync.pull();
    assert.deepEqual([...links.written].sort(), ['made/align-link', 'made/dir-link']);
    assert.deepEqual([...links.outsideLinks].sort(), ['made/sneaky', 'made/up-and-out'], 'reported (and `leak` not again)');
    assert.equal(fs.readlinkSync(path.join(ws, 'made/align-link')), '../textkit/align.py');
    assert.equal(fs.readlinkSync(path.join(ws, 'made/dir-link')), 'inside');
    for (const out of ['made/up-and-out', 'made/sneaky']) assert.equal(fs.lstatSync(path.join(ws, out), { throwIfNoEntry: false }), undefined, out);
    fs.symlinkSync('c.txt', path.join(ws, 'made/inside/host-link'));
    fs.symlinkSync('/etc/hostname', path.join(ws, 'host-out'));
    const hostLinks = await sync.push();
    assert.deepEqual(hostLinks.written, ['made/inside/host-link']);
    assert.deepEqual(hostLinks.outsideLinks, ['host-out']);
    assert.equal(await inside('readlink made/inside/host-link; cat made/dir-link/host-link; test -L host-out || echo no-host-out'), 'c.txt\nhost-side\nno-host-out\n');
    // A link that becomes a file in the container is a file on the host; the link's target is untouched.
    await inside('rm made/align-link && echo now-a-file > made/align-link');
    assert.deepEqual((await sync.pull()).written, ['made/align-link']);
    assert.equal(fs.lstatSync(path.join(ws, 'made/align-link')).isFile(), true);
    assert.equal(fs.readFileSync(path.join(ws, 'made/align-link'), 'utf8'), 'now-a-file\n');
    assert.doesNotMatch(fs.readFileSync(path.join(ws, 'textkit/align.py'), 'utf8'), /now-a-file/);
    assert.deepEqual((await sync.push()).written, [], 'nothing travels twice');

    // One exec each way: a push is one exec (none when the host changed nothing); a pull lists, then one exec brings the files.
    const calls: string[] = [];
    const batched = new WorkspaceSync(countingCalls(dev.container, calls), ws);
    await batched.start();
    calls.length = 0;
    assert.deepEqual((await batched.push()).written, []);
    assert.deepEqual(calls, [], 'nothing changed on the host: no round trip');
    fs.mkdirSync(path.join(ws, 'batch'));
    fs.writeFileSync(path.join(ws, 'batch/a.py'), 'a = 1\n');
    fs.writeFileSync(path.join(ws, 'batch/-dash.py'), 'b = 2\n');
    fs.writeFileSync(path.join(ws, 'batch/run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    fs.symlinkSync('a.py', path.join(ws, 'batch/ln'));
    fs.rmSync(path.join(ws, 'made/inside/host-link'));
    const batch = await batched.push();
    assert.deepEqual([...batch.written].sort(), ['batch/-dash.py', 'batch/a.py', 'batch/ln', 'batch/run.sh']);
    assert.deepEqual(batch.deleted, ['made/inside/host-link']);
    assert.deepEqual(calls.splice(0), ['exec'], 'files, a link and a deletion in one exec');
    assert.equal(await inside('batch/run.sh; readlink batch/ln; cat -- batch/-dash.py; test -e made/inside/host-link || echo gone'), 'ran\na.py\nb = 2\ngone\n');
    await inside('echo more >> batch/a.py; chmod +x batch/-dash.py; rm batch/run.sh; ln -s a.py made/inside/host-link');
    const back = await batched.pull();
    assert.deepEqual([...back.written].sort(), ['batch/-dash.py', 'batch/a.py', 'made/inside/host-link']);
    assert.deepEqual(back.deleted, ['batch/run.sh']);
    assert.deepEqual(calls.splice(0), ['exec', 'exec'], 'a listing, then one exec for the files');
    assert.equal(fs.readFileSync(path.join(ws, 'batch/a.py'), 'utf8'), 'a = 1\nmore\n');
    assert.equal(fs.statSync(path.join(ws, 'batch/-dash.py')).mode & 0o111, 0o111, 'an executable bit comes back');
    assert.deepEqual([(await batched.pull()).written, (await batched.push()).written], [[], []]);
    assert.deepEqual(calls, ['exec'], 'then only the listing of the pull');

    // A relaunch (the container gone) copies the kept workspace in, edits and repository included.
    await dev.container.remove();
    dev = await launchDevContainer(runtime, spec, { workspaceRoot: root, sessionId: TEST_SESSION });
    assert.equal(dev.reusedWorkspace, true);
    assert.equal(await inside(`tail -n1 ${readme}; cat made/inside/c.txt; git rev-parse HEAD; git tag | wc -l`), `edited in the container\nhost-side\n${inst.base_commit}\n0\n`);
    assert.equal(await inside('readlink made/dir-link made/inside/host-link; test -L host-out || echo no-host-out'), 'inside\na.py\nno-host-out\n', 'the kept links came back as links');
    assert.match(await candidatePatch(dev.container, inst.base_commit), /\+edited in the container/);
  } finally {
    await dev.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left behind');
});

/** The container, noting each engine round trip a sync makes (an exec, an archive read or write). */
function countingCalls(c: ContainerHandle, calls: string[]): ContainerHandle {
  return {
    id: c.id,
    name: c.name,
    exec: (cmd, o) => (calls.push('exec'), c.exec(cmd, o)),
    spawn: (cmd, o) => (calls.push('spawn'), c.spawn(cmd, o)),
    putFile: (p, content, mode) => (calls.push('putFile'), c.putFile(p, content, mode)),
    putFiles: (files) => (calls.push('putFiles'), c.putFiles(files)),
    readFile: (p) => (calls.push('readFile'), c.readFile(p)),
    copyOut: (p, dir) => (calls.push('copyOut'), c.copyOut(p, dir)),
    copyIn: (from, entries, to, signal) => (calls.push('copyIn'), c.copyIn(from, entries, to, signal)),
    remove: () => c.remove(),
  };
}
