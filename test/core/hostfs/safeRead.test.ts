import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRegularFile, readRegularFileSync, UnsafeFileError, type UnsafeReason } from '../../../src/core/hostfs/safeRead';
import { writeRegularFile } from '../../../src/core/hostfs/safeWrite';
import { describeWorkspaceEntry, resolveWorkspacePath } from '../../../src/core/hostfs/workspacePath';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sgs-hostfs-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function rejectsWith(reason: UnsafeReason, pattern: RegExp) {
  return (err: unknown) => err instanceof UnsafeFileError && err.reason === reason && pattern.test(err.message);
}

test('a regular file inside the root reads whole; links, FIFOs, devices and big files are refused at once', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  fs.writeFileSync(path.join(root, 'ok.txt'), 'hello\n');
  fs.writeFileSync(path.join(outside, 'secret'), 'host secret\n');
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
  fs.symlinkSync('/dev/zero', path.join(root, 'zero'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  fs.writeFileSync(path.join(root, 'big'), Buffer.alloc(2048, 'x'));
  fs.symlinkSync(outside, path.join(root, 'sub'));

  assert.equal(readRegularFileSync(path.join(root, 'ok.txt'), { maxBytes: 100, root }).toString(), 'hello\n');
  assert.equal((await readRegularFile(path.join(root, 'ok.txt'), { maxBytes: 100, root })).toString(), 'hello\n');
  for (const read of [(f: string) => Promise.resolve().then(() => readRegularFileSync(f, { maxBytes: 1024, root })), (f: string) => readRegularFile(f, { maxBytes: 1024, root })]) {
    await assert.rejects(read(path.join(root, 'link')), rejectsWith('symlink', /symbolic link/));
    await assert.rejects(read(path.join(root, 'zero')), rejectsWith('symlink', /symbolic link/));
    await assert.rejects(read(path.join(root, 'fifo')), rejectsWith('not-regular', /named pipe/));
    await assert.rejects(read(path.join(root, 'big')), rejectsWith('too-large', /larger than 1 KiB/));
    await assert.rejects(read(path.join(root, 'sub', 'secret')), rejectsWith('outside', /resolves to .*secret, outside/));
    await assert.rejects(read(path.join(root, '..', path.basename(outside), 'secret')), rejectsWith('outside', /outside/));
    await assert.rejects(read(path.join(root, 'nope')), rejectsWith('missing', /does not exist/));
    await assert.rejects(read(root), rejectsWith('not-regular', /directory/));
  }
});

test('a file whose size says 0 but holds more (as /proc files do) is still cut at the limit', async () => {
  // fstat passes (size 0), so only the capped read loop stops it.
  assert.equal(fs.statSync('/proc/self/maps').size, 0);
  await assert.rejects(readRegularFile('/proc/self/maps', { maxBytes: 64 }), rejectsWith('too-large', /larger than 64 bytes/));
  assert.throws(() => readRegularFileSync('/proc/self/maps', { maxBytes: 64 }), rejectsWith('too-large', /larger than 64 bytes/));
});

test('paths from a diff must stay inside the workspace; entries are described without following links', (t) => {
  const root = tempDir(t);
  for (const bad of ['../../root/.ssh/authorized_keys', '/etc/shadow', 'a/../../x', '.git/config', '', 'a\0b']) {
    assert.throws(() => resolveWorkspacePath(root, bad), rejectsWith('outside', /not opened/), bad);
  }
  assert.equal(resolveWorkspacePath(root, 'pkg/mod.py'), path.join(root, 'pkg', 'mod.py'));
  fs.symlinkSync('/etc/shadow', path.join(root, 'shadow'));
  fs.symlinkSync('/etc', path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'real.py'), 'x = 1\n');
  assert.deepEqual(describeWorkspaceEntry(root, path.join(root, 'shadow')).kind, 'symlink');
  assert.equal((describeWorkspaceEntry(root, path.join(root, 'shadow')) as { target: string }).target, '/etc/shadow');
  assert.equal(describeWorkspaceEntry(root, path.join(root, 'real.py')).kind, 'file');
  assert.equal(describeWorkspaceEntry(root, path.join(root, 'gone.py')).kind, 'missing');
  assert.throws(() => describeWorkspaceEntry(root, path.join(root, 'etc', 'shadow')), rejectsWith('outside', /leads to \/etc, outside the workspace/));
});

test('saving from a diff view never writes through a link or outside the workspace', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  const target = path.join(outside, 'authorized_keys');
  fs.writeFileSync(target, 'ssh-ed25519 AAAA user\n');
  fs.symlinkSync(target, path.join(root, 'keys'));
  fs.symlinkSync(outside, path.join(root, 'dir'));
  fs.writeFileSync(path.join(root, 'mod.py'), 'old\n');
  const opts = { create: true, overwrite: true };
  await assert.rejects(writeRegularFile(root, path.join(root, 'keys'), Buffer.from('attacker\n'), opts), rejectsWith('symlink', /not written through/));
  await assert.rejects(writeRegularFile(root, path.join(root, 'dir', 'authorized_keys'), Buffer.from('attacker\n'), opts), rejectsWith('outside', /leads outside/));
  await assert.rejects(writeRegularFile(root, target, Buffer.from('attacker\n'), opts), rejectsWith('outside', /outside/));
  assert.equal(fs.readFileSync(target, 'utf8'), 'ssh-ed25519 AAAA user\n');
  await writeRegularFile(root, path.join(root, 'mod.py'), Buffer.from('new\n'), opts);
  assert.equal(fs.readFileSync(path.join(root, 'mod.py'), 'utf8'), 'new\n');
  await writeRegularFile(root, path.join(root, 'added.py'), Buffer.from('added\n'), opts);
  assert.equal(fs.readFileSync(path.join(root, 'added.py'), 'utf8'), 'added\n');
});
