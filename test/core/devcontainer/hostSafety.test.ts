/**
 * What root in a dev container leaves in the host workspace must not give a host user anything:
 * no setuid/setgid file, no device node, no git configuration, hook or attribute host git would
 * honour, no VS Code task. Real launches of a sample, real Docker, real git on both sides; the
 * unprivileged host user is simulated with setpriv as uid/gid 65534 (this machine runs as root).
 * Nothing here calls the chown hand-back: a container that dies without it must leave nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidatePatch } from '../../../src/core/devcontainer/candidatePatch';
import { restoreOwnership } from '../../../src/core/devcontainer/devShell';
import { launchDevContainer, type DevContainer } from '../../../src/core/devcontainer/launchDevContainer';
import { gitDirOf, metaDirOf } from '../../../src/core/devcontainer/workspaceLayout';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { TEST_SESSION, runtime } from '../../support/docker';
import { sample, sampleSpec } from '../../support/samples';

const NOBODY = { uid: 65534, gid: 65534 };

/** Runs a host command as the simulated unprivileged user. */
function asNobody(cmd: string[], cwd?: string): { code: number | null; out: string } {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', ...cmd], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every entry under dir, without following links. */
function walk(dir: string): { file: string; stat: fs.Stats }[] {
  const out: { file: string; stat: fs.Stats }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const stat = fs.lstatSync(file);
    out.push({ file, stat });
    if (stat.isDirectory()) out.push(...walk(file));
  }
  return out;
}

/**
 * chmod(argv[1], 04755) through the 32-bit system call gate (int 0x80) of an x86_64 process,
 * where a filter written for the 64-bit numbers would not look.
 */
const INT80_CHMOD = `
import ctypes, sys
libc = ctypes.CDLL(None)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
buf = libc.mmap(None, 4096, 7, 0x02 | 0x20 | 0x40, -1, 0)  # rwx, private, anonymous, below 4 GiB
path = sys.argv[1].encode() + b'\\0'
ctypes.memmove(buf + 256, path, len(path))
# push rbx; mov eax, 15 (i386 chmod); mov ebx, path; mov ecx, 04755; int 0x80; pop rbx; ret
code = bytes([0x53, 0xb8, 15, 0, 0, 0, 0xbb]) + (buf + 256).to_bytes(4, 'little') + bytes([0xb9]) + (0o4755).to_bytes(4, 'little') + bytes([0xcd, 0x80, 0x5b, 0xc3])
ctypes.memmove(buf, code, len(code))
sys.exit(0 if ctypes.CFUNCTYPE(ctypes.c_int)(buf)() == 0 else 1)
`;

/** `name=exit code` lines printed by a script run in the container. */
function exitCodes(output: string): Record<string, number> {
  return Object.fromEntries([...output.matchAll(/^(\w+)=(\d+)$/gm)].map((m) => [m[1] as string, Number(m[2])]));
}

describe('a dev container cannot reach the host through its workspace', { timeout: 300_000 }, () => {
  let instance: TaskInstance;
  let root: string;
  let dev: DevContainer;
  let ws: string;

  before(async () => {
    instance = await sample((i) => i.instance_id === 'swe-gym-studio__textkit-12', 'textkit');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-hostsafety-'));
    fs.chmodSync(root, 0o755);
    dev = await launchDevContainer(runtime, await sampleSpec(instance), {
      workspaceRoot: root,
      sessionId: TEST_SESSION,
      hostUser: NOBODY,
    });
    ws = dev.workspaceDir;
  });

  after(async () => {
    await dev?.container.remove();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('setuid/setgid files, device nodes and file capabilities cannot be made; what can be made is inert on the host', async () => {
    const script = `
cd /testbed
cp /bin/bash suid; chmod u+s suid; echo chmod_suid=$?
cp /bin/bash sgid; chmod g+s sgid; echo chmod_sgid=$?
install -m 4755 /bin/bash installed; echo install_suid=$?
python3 -c "import os; os.open('/testbed/opened', os.O_CREAT | os.O_WRONLY, 0o4755)"; echo open_suid=$?
python3 -c "import os; os.open('/testbed', os.O_TMPFILE | os.O_WRONLY, 0o2755)"; echo tmpfile_sgid=$?
python3 -c "import os; os.mknod('/testbed/mknod_reg', 0o104755)"; echo mknod_suid=$?
python3 -c "
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
sys.exit(0 if libc.syscall(452, -100, b'/testbed/suid', 0o4755, 0) == 0 else 1)"; echo fchmodat2_suid=$?
cp /bin/bash int80; python3 /tmp/int80.py /testbed/int80; echo int80_suid=$?
mknod null c 1 3; echo mknod_char=$?
mknod disk b 7 0; echo mknod_block=$?
python3 -c "import os; os.setxattr('/testbed/suid', 'security.capability', bytes.fromhex('0100000280000000000000000000000000000000'))"; echo setcap=$?
unshare -U -r chmod u+s suid; echo userns=$?
mkfifo fifo; echo mkfifo=$?
python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('/testbed/sock')"; echo socket=$?
chmod 755 suid && touch plain && chmod 4755 plain 2>/dev/null; chmod 0755 plain; echo chmod_plain=$?
python3 -c "import threading; t = threading.Thread(target=print); t.start(); t.join()"; echo threads=$?
`;
    await dev.container.putFile('/tmp/int80.py', INT80_CHMOD);
    const r = await dev.container.exec(['bash', '-c', script], { timeoutMs: 60_000 });
    const codes = exitCodes(r.stdout);
    for (const refused of [...(process.arch === 'x64' ? ['int80_suid'] : []), 'chmod_suid', 'chmod_sgid', 'install_suid', 'open_suid', 'tmpfile_sgid', 'mknod_suid', 'fchmodat2_suid', 'mknod_char', 'mknod_block', 'setcap', 'userns']) {
      assert.notEqual(codes[refused], 0, `${refused} must be refused:\n${r.output}`);
      assert.ok(codes[refused] !== undefined, `${refused} did not run:\n${r.output}`);
    }
    // Ordinary work goes on: FIFOs and sockets can be made (they stay inert: nothing on the host
    // opens them), and modes without setuid/setgid change as usual.
    for (const allowed of ['mkfifo', 'socket', 'chmod_plain', 'threads']) assert.equal(codes[allowed], 0, `${allowed}:\n${r.output}`);

    const entries = walk(ws).concat(walk(gitDirOf(ws)));
    const privileged = entries.filter((e) => (e.stat.mode & 0o6000) !== 0 || e.stat.isCharacterDevice() || e.stat.isBlockDevice());
    assert.deepEqual(
      privileged.map((e) => `${e.file} ${e.stat.mode.toString(8)}`),
      [],
    );
    // The copied shell runs with the host user's own identity, not root's.
    for (const name of ['suid', 'sgid', 'int80']) {
      const ran = asNobody([path.join(ws, name), '-p', '-c', 'echo "$(id -u) $(id -g)"']);
      assert.equal(ran.out.trim(), '65534 65534', `${name}: ${ran.out}`);
    }
    const fifo = fs.lstatSync(path.join(ws, 'fifo'));
    assert.ok(fifo.isFIFO());
  });

  test('git configuration, hooks and attributes planted in the container never run on the host; tasks cannot be planted', async () => {
    const proof = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-hostsafety-proof-'));
    fs.chmodSync(proof, 0o777);
    const touch = (what: string) => `touch ${proof}/${what}; true`;
    const plant = `
cd /testbed
git config core.fsmonitor '${touch('fsmonitor')}'
git config core.pager '${touch('pager')}'
git config diff.external '${touch('diff-external')}'
git config filter.evil.clean '${touch('filter-clean')}'
git config filter.evil.smudge '${touch('filter-smudge')}'
git config diff.evil.textconv '${touch('textconv')}'
git config core.hooksPath .git/hooks
printf '* filter=evil diff=evil\\n' > .gitattributes
for h in pre-commit post-checkout post-index-change pre-auto-gc reference-transaction; do printf '#!/bin/sh\\n${touch('hook')}\\n' > .git/hooks/$h; chmod +x .git/hooks/$h; done
mkdir -p .vscode; printf '{"version":"2.0.0","tasks":[{"label":"x","type":"shell","command":"${touch('task')}","runOptions":{"runOn":"folderOpen"}}]}' > .vscode/tasks.json; echo tasks=$?
rm -rf .vscode; echo rm_vscode=$?
mv .vscode vscode-moved; echo mv_vscode=$?
umount .git; echo umount_git=$?
git status --short; echo git_status=$?
`;
    const r = await dev.container.exec(['bash', '-c', plant], { timeoutMs: 60_000 });
    const codes = exitCodes(r.stdout);
    for (const refused of ['tasks', 'rm_vscode', 'mv_vscode', 'umount_git']) assert.notEqual(codes[refused], 0, `${refused}:\n${r.output}`);
    assert.equal(codes.git_status, 0, `git works inside the container:\n${r.output}`);
    assert.equal(fs.existsSync(path.join(ws, '.vscode', 'tasks.json')), false);

    // What VS Code's Git extension runs on a folder (and a user at a prompt), as the user and as root.
    const hostGit = [
      ['rev-parse', '--show-toplevel'],
      ['status', '-z', '-uall'],
      ['diff'],
      ['diff', '--cached'],
      ['log', '-1', '-p'],
      ['add', '-A'],
      ['commit', '-qm', 'host', '--allow-empty'],
      ['checkout', '--', '.'],
    ];
    for (const args of hostGit) {
      const mine = asNobody(['git', ...args], ws);
      assert.notEqual(mine.code, 0, `git ${args.join(' ')} as a user found a repository: ${mine.out}`);
      if (args[0] !== 'diff') assert.match(mine.out, /not a git repository/i);
      const rootRun = spawnSync('git', args, { cwd: ws, encoding: 'utf8', env: { ...process.env, GIT_PAGER: '', PAGER: '' } });
      assert.notEqual(rootRun.status, 0, `git ${args.join(' ')} found a repository: ${rootRun.stdout}${rootRun.stderr}`);
    }
    // Our own paths read the repository through the container, as data.
    fs.writeFileSync(path.join(ws, 'README.md'), 'edited on the host\n');
    const patch = await candidatePatch(dev.container, instance.base_commit);
    assert.equal(typeof patch, 'string');
    assert.deepEqual(fs.readdirSync(proof), [], 'nothing planted ran on the host');
    fs.rmSync(proof, { recursive: true, force: true });
  });

  test('the ownership hand-back leaves a repository planted in a subfolder to root, so host git refuses it', async () => {
    const proof = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-hostsafety-proof-'));
    fs.chmodSync(proof, 0o777);
    const r = await dev.container.exec(['bash', '-c', `cd /testbed && git init -q sub && git -C sub config core.fsmonitor 'touch ${proof}/nested; true' && touch sub/file`], { timeoutMs: 60_000 });
    assert.equal(r.exitCode, 0, r.output);
    await restoreOwnership(dev.container, NOBODY);
    assert.equal(fs.statSync(path.join(ws, 'sub', 'file')).uid, NOBODY.uid, 'ordinary files are handed back');
    assert.equal(fs.statSync(path.join(gitDirOf(ws), 'HEAD')).uid, NOBODY.uid, "the workspace's own metadata is handed back");
    assert.equal(fs.statSync(path.join(ws, 'sub', '.git')).uid, 0, 'the planted repository stays root');
    const status = asNobody(['git', 'status'], path.join(ws, 'sub'));
    assert.notEqual(status.code, 0);
    assert.match(status.out, /dubious ownership/);
    assert.deepEqual(fs.readdirSync(proof), []);
    fs.rmSync(proof, { recursive: true, force: true });
  });

  test('git in the container keeps working on the outside metadata, and a relaunch reuses it', async () => {
    const r = await dev.container.exec(['bash', '-c', 'cd /testbed && git -c core.hooksPath=/dev/null -c user.email=a@b -c user.name=a commit -qm "in the container" --allow-empty && git log --format=%s -1'], {
      timeoutMs: 60_000,
    });
    assert.equal(r.stdout.trim(), 'in the container', r.output);
    assert.ok(fs.existsSync(path.join(gitDirOf(ws), 'HEAD')));
    assert.deepEqual(fs.readdirSync(path.join(ws, '.git')), [], 'the folder users open holds no repository');
    assert.ok(fs.existsSync(path.join(metaDirOf(ws), 'workspace.json')));
    await dev.container.remove();
    dev = await launchDevContainer(runtime, await sampleSpec(instance), {
      workspaceRoot: root,
      sessionId: TEST_SESSION,
      hostUser: NOBODY,
    });
    assert.equal(dev.reusedWorkspace, true);
    const log = await dev.container.exec(['git', 'log', '--format=%s', '-1'], { cwd: '/testbed' });
    assert.equal(log.stdout.trim(), 'in the container');
  });

  test('a workspace made before the metadata moved out is adopted on relaunch', async () => {
    await dev.container.remove();
    // The old layout: .git inside the folder, the marker inside .git.
    fs.rmdirSync(path.join(ws, '.git'));
    fs.renameSync(gitDirOf(ws), path.join(ws, '.git'));
    fs.renameSync(path.join(metaDirOf(ws), 'workspace.json'), path.join(ws, '.git', 'swe-gym-studio.json'));
    fs.rmSync(metaDirOf(ws), { recursive: true });
    dev = await launchDevContainer(runtime, await sampleSpec(instance), {
      workspaceRoot: root,
      sessionId: TEST_SESSION,
      hostUser: NOBODY,
    });
    assert.equal(dev.reusedWorkspace, true);
    assert.deepEqual(fs.readdirSync(path.join(ws, '.git')), []);
    assert.ok(fs.existsSync(path.join(metaDirOf(ws), 'workspace.json')));
    const log = await dev.container.exec(['git', 'log', '--format=%s', '-1'], { cwd: '/testbed' });
    assert.equal(log.stdout.trim(), 'in the container');
  });
});
