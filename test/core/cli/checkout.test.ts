import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A newcomer's first steps: a clean copy of the checkout (tracked files only, as `git clone`
// gives), `npm ci`, then the README's first command through the shipped bin/swe-gym.js.
const REPO = path.resolve(__dirname, '../../../..');

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0, stdout, stderr });
    });
  });
}

function copyTrackedFiles(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\0')
    .filter((f) => f && f !== 'node_modules');
  for (const f of files) {
    const from = path.join(REPO, f);
    const st = fs.lstatSync(from, { throwIfNoEntry: false });
    if (!st || st.isDirectory()) continue; // deleted in the work tree, or the node_modules link of a worktree
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.cpSync(from, path.join(dest, f), { verbatimSymlinks: true });
  }
}

test('after npm ci, `npx swe-gym list --dataset samples` works in a fresh checkout; without the bundle it says how to build it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-checkout-'));
  try {
    copyTrackedFiles(dir);
    assert.ok(!fs.existsSync(path.join(dir, 'dist')), 'a clean checkout has no build output');
    const ci = await run('npm', ['ci', '--prefer-offline', '--loglevel=error'], dir, 8 * 60_000);
    assert.equal(ci.code, 0, ci.stderr);

    const list = await run('npx', ['--no-install', 'swe-gym', 'list', '--dataset', 'samples'], dir, 60_000);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /swe-gym-studio__textkit-12/);
    assert.doesNotMatch(list.stderr, /Cannot find module/);

    fs.rmSync(path.join(dir, 'dist', 'cli.js'));
    const missing = await run(process.execPath, [path.join(dir, 'bin', 'swe-gym.js'), 'list', '--dataset', 'samples'], dir, 60_000);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not built.*\n.*npm run build/);
    assert.doesNotMatch(missing.stderr, /at Module|Cannot find module/, 'no loader stack trace');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
