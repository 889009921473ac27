// Host-side reads of what a real container wrote into its bind-mounted workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidatePatch } from '../../../src/core/devcontainer/candidatePatch';
import { readRegularFile, UnsafeFileError } from '../../../src/core/hostfs/safeRead';
import { describeWorkspaceEntry, resolveWorkspacePath } from '../../../src/core/hostfs/workspacePath';
import type { ContainerHandle } from '../../../src/core/runtime/containerRuntime';
import { parseFilePatches } from '../../../src/shared/patchStats';
import { BASE_IMAGE, runtime, TEST_SESSION } from '../../support/docker';

const LAYOUT = path.resolve(__dirname, '../../../src/core/devcontainer/workspaceLayout.js');

async function withWorkspaceContainer(t: { after: (fn: () => Promise<void> | void) => void }): Promise<{ ws: string; c: ContainerHandle }> {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sgs-ws-')));
  const c = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: TEST_SESSION, binds: [{ hostPath: ws, containerPath: '/testbed' }] });
  t.after(async () => {
    await c.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  });
  return { ws, c };
}

async function sh(c: ContainerHandle, script: string): Promise<string> {
  const r = await c.exec(['sh', '-c', script], { cwd: '/testbed' });
  assert.equal(r.exitCode, 0, r.output);
  return r.stdout;
}

/** checkWorkspace in its own process: a read that blocks or grows without end is killed, and fails the test. */
function checkWorkspaceInChild(ws: string): { ok: boolean; problem?: string } {
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(LAYOUT)}).checkWorkspace(${JSON.stringify(ws)}, 'o__r-1')))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  assert.equal(r.signal, null, `checkWorkspace did not return within 20 s (killed by ${r.signal}): the marker read blocked or ran away`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { ok: boolean; problem?: string };
}

test('a workspace marker the container turned into a FIFO or a link to /dev/zero is reported at once, never read', async (t) => {
  const { ws, c } = await withWorkspaceContainer(t);
  // The marker where workspaces made before the metadata moved out keep it (inside the container's reach).
  await sh(c, `mkdir -p .git && echo 'ref: refs/heads/main' > .git/HEAD && printf '{"instanceId":"o__r-1","baseCommit":"abc"}' > .git/swe-gym-studio.json`);
  assert.deepEqual(checkWorkspaceInChild(ws), { ok: true });

  await sh(c, 'rm .git/swe-gym-studio.json && mkfifo .git/swe-gym-studio.json');
  const fifo = checkWorkspaceInChild(ws);
  assert.equal(fifo.ok, false);
  assert.match(fifo.problem ?? '', /marker .* cannot be trusted: .* is not a regular file \(it is a named pipe\)/);

  await sh(c, 'rm .git/swe-gym-studio.json && ln -s /dev/zero .git/swe-gym-studio.json');
  const zero = checkWorkspaceInChild(ws);
  assert.equal(zero.ok, false);
  assert.match(zero.problem ?? '', /is a symbolic link; links are not followed/);

  // .git itself a link to a host folder outside the workspace, holding a marker of its own.
  const elsewhere = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sgs-elsewhere-')));
  t.after(() => fs.rmSync(elsewhere, { recursive: true, force: true }));
  fs.writeFileSync(path.join(elsewhere, 'swe-gym-studio.json'), '{"instanceId":"o__r-1","baseCommit":"abc"}');
  fs.writeFileSync(path.join(elsewhere, 'HEAD'), 'ref: refs/heads/main\n');
  await sh(c, `rm -rf .git && ln -s ${elsewhere} .git`);
  const linkedGit = checkWorkspaceInChild(ws);
  assert.equal(linkedGit.ok, false, 'a marker reached through a link out of the workspace is not trusted');
  assert.match(linkedGit.problem ?? '', /outside/);
});

test('diff paths and files the container controls never lead out of the workspace', async (t) => {
  const { ws, c } = await withWorkspaceContainer(t);
  await sh(c, 'git init -q && git config user.email t@t && git config user.name t && echo one > mod.py && git add -A && git commit -qm base');
  const base = (await sh(c, 'git rev-parse HEAD')).trim();
  await sh(c, 'echo two > mod.py && ln -s /etc/shadow leak && ln -s /etc etc');
  const evilDiff = [
    'diff --git a/../../../root/.ssh/authorized_keys b/../../../root/.ssh/authorized_keys',
    '--- a/../../../root/.ssh/authorized_keys',
    '+++ b/../../../root/.ssh/authorized_keys',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    'diff --git a/etc/shadow b/etc/shadow',
    '--- a/etc/shadow',
    '+++ b/etc/shadow',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    '',
  ].join('\n');

  // 1. diff.external set in the repository's config: our diff does not run it.
  await sh(c, `printf '#!/bin/sh\\nprintf %s' > /tmp/ext.sh && chmod +x /tmp/ext.sh && git config diff.external /tmp/ext.sh`.replace('%s', JSON.stringify(evilDiff).slice(1, -1).replace(/'/g, '')));
  const honest = await candidatePatch(c, base);
  assert.doesNotMatch(honest, /authorized_keys/);
  const files = parseFilePatches(honest).map((f) => f.path).sort();
  assert.deepEqual(files, ['etc', 'leak', 'mod.py']);
  // The symlinks are in the patch as links: the host shows their text, never their target.
  const leak = describeWorkspaceEntry(ws, resolveWorkspacePath(ws, 'leak'));
  assert.deepEqual(leak.kind === 'symlink' && leak.target, '/etc/shadow');
  await assert.rejects(readRegularFile(path.join(ws, 'leak'), { maxBytes: 1 << 20, root: ws }), (e: unknown) => e instanceof UnsafeFileError && e.reason === 'symlink');

  // 2. The container replaces git itself: whatever paths it prints are refused on the host.
  await sh(c, `cat > /usr/local/bin/git <<'EOF2'
#!/bin/sh
case " $* " in *" diff "*"--no-ext-diff"*) cat /tmp/evil.diff; exit 0;; esac
exec /usr/bin/git "$@"
EOF2
chmod +x /usr/local/bin/git`);
  await c.putFile('/tmp/evil.diff', evilDiff);
  const forged = await candidatePatch(c, base);
  const forgedPaths = parseFilePatches(forged).map((f) => f.path);
  assert.deepEqual(forgedPaths, ['../../../root/.ssh/authorized_keys', 'etc/shadow']);
  assert.throws(() => resolveWorkspacePath(ws, forgedPaths[0] ?? ''), /climbs out with \.\./);
  const underLink = resolveWorkspacePath(ws, 'etc/shadow');
  assert.throws(() => describeWorkspaceEntry(ws, underLink), /leads to \/etc, outside the workspace/);
  await assert.rejects(readRegularFile(underLink, { maxBytes: 1 << 20, root: ws }), (e: unknown) => e instanceof UnsafeFileError && e.reason === 'outside');
});
