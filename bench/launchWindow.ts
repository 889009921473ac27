/**
 * Click to prompt in a real VS Code (code-server driven from headless Chromium), on the mypy-sized
 * repository of bench/launch (bench/fixtures/large-repo: 12,000 files, 11,000 commits up to the
 * base), with its image present: from the click on Launch on the instance page to the terminal in
 * the container showing its prompt at /testbed. Measured twice in the same run:
 *  - from a workspace window: the folder is added without a reload, with the default early prompt
 *    (the terminal before the host copy) and, as the same-run baseline, without it;
 *  - from a single-folder window: VS Code makes it a workspace only by reloading the window, and
 *    the terminal opens after the reload.
 * The ratio is the reload's cost. Skipped (with a line saying so) when code-server or Chromium is
 * missing: scripts/lib/ensure-code-server.sh and ensure-chromium.sh install them.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureImage } from '../src/core/images/ensureImage';
import { makeInstanceSpec } from '../src/core/spec/instanceSpec';
import { largeRepoInstance } from './fixtures/largeRepoInstance';
import { DockerRuntime } from '../src/core/runtime/docker/dockerRuntime';
import { codeServerBin, REPO_ROOT } from '../test/extension/codeServer';
import { runUiFlowOnce } from '../test/ui/uiFlow';
import { openInstance, webviewFrame } from '../test/ui/workbench';

const ID = 'bench__large-repo-1';
const REPS = Number(process.env.BENCH_REPS ?? 1);
const FIXTURE = path.join(REPO_ROOT, 'bench', 'fixtures', 'large-repo');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** A one-row dataset for the large repository, its build context beside it (the image is reused by its context hash). */
async function writeDataset(dir: string): Promise<string> {
  fs.cpSync(FIXTURE, path.join(dir, 'large-repo'), { recursive: true });
  // The dataset loader refuses a row it could not grade: give it a test patch and a test to fix.
  const testPatch = ['diff --git a/test_bench.py b/test_bench.py', 'new file mode 100644', '--- /dev/null', '+++ b/test_bench.py', '@@ -0,0 +1,2 @@', '+def test_bench():', '+    assert True', ''].join('\n');
  const row = largeRepoInstance({ instance_id: ID, problem_statement: 'A mypy-sized repository for timing launches.', test_patch: testPatch, FAIL_TO_PASS: ['test_bench.py::test_bench'] });
  const runtime = new DockerRuntime();
  // The base commit's hash is known only from the image: the row's placeholder gets the image.
  const spec = makeInstanceSpec(row, { flavor: 'swe-gym', dir }, { allowPull: false });
  const ensured = await ensureImage(runtime, spec.image, { onProgress: (e) => e.phase === 'build' && process.stdout.write('.') });
  const probe = await runtime.createContainer({ image: ensured.image, purpose: 'bench' });
  try {
    const r = await probe.exec(['git', '-c', 'safe.directory=*', 'rev-parse', 'base^{commit}'], { cwd: '/testbed' });
    row.base_commit = r.stdout.trim();
  } finally {
    await probe.remove();
  }
  const file = path.join(dir, 'large-repo.jsonl');
  fs.writeFileSync(file, `${JSON.stringify(row)}\n`);
  return file;
}

/** One launch in a fresh code-server; returns ms from the click to the container's prompt. */
type Variant = 'workspace' | 'workspace-copy-first' | 'folder';

async function timeLaunch(dataset: string, variant: Variant): Promise<{ ms: number; reloaded: boolean }> {
  let result: { ms: number; reloaded: boolean } | undefined;
  const window = variant === 'folder' ? 'folder' : 'workspace';
  const settings = {
    'sweGym.datasets': [dataset],
    // The test launcher pins the copy-first launch for the suites; the bench measures what users get.
    'sweGym.workspace.earlyPrompt': variant !== 'workspace-copy-first',
    'terminal.integrated.gpuAcceleration': 'off',
    'terminal.integrated.tabs.enabled': true,
    'terminal.integrated.tabs.hideCondition': 'never',
  };
  await runUiFlowOnce({ name: `bench-launch-${variant}`, shotPrefix: `bench-launch-${variant}-`, settings, window }, async ({ page, url, dirs }) => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await openInstance(page, ID, 'bench/large-repo');
    const frame = await webviewFrame(page, '#btn-launch', 60_000);
    await page.evaluate('window.benchNoReload = true');
    const clicked = Date.now();
    await frame.locator('#btn-launch').click();
    // The prompt the task's rc file prints in the container's terminal (after a reload, if one came).
    for (;;) {
      const text = await page.locator('.terminal-wrapper.active .xterm-rows').innerText({ timeout: 1000 }).catch(() => '');
      if (/:\/testbed# ?\s*$/m.test(text)) break;
      if (Date.now() - clicked > 300_000) throw new Error(`no prompt at /testbed 300 s after the click (${window} window)`);
      await page.waitForTimeout(50);
    }
    const ms = Date.now() - clicked;
    const reloaded = !(await page.evaluate('window.benchNoReload === true').catch(() => false));
    result = { ms, reloaded };
    // The window's logs (the extension's timestamped launch steps among them) say where the time went.
    const logs = path.join(REPO_ROOT, 'test-results', 'logs', `bench-launch-${variant}`);
    fs.cpSync(path.join(dirs.userData, 'logs'), logs, { recursive: true, force: true });
    console.log(`  ${variant}: ${ms} ms; its logs: ${path.relative(REPO_ROOT, logs)}`);
  });
  if (!result) throw new Error(`the launch ${variant} failed (test-results/logs/bench-launch-${variant})`);
  return result;
}

async function main(): Promise<void> {
  try {
    codeServerBin();
  } catch {
    console.log('skipped: code-server is not installed (scripts/lib/ensure-code-server.sh installs it)');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-bench-window-'));
  try {
    const dataset = await writeDataset(dir);
    const times: Record<Variant, number[]> = { workspace: [], 'workspace-copy-first': [], folder: [] };
    const loadBefore = os.loadavg()[0];
    for (let i = 0; i < REPS; i++) {
      // Alternated, so all see the same machine load.
      for (const variant of ['workspace', 'workspace-copy-first', 'folder'] as const) {
        execFileSync('sync');
        const r = await timeLaunch(dataset, variant);
        if (r.reloaded !== (variant === 'folder')) throw new Error(`the launch ${variant} ${r.reloaded ? 'reloaded' : 'did not reload'}`);
        times[variant].push(r.ms);
      }
    }
    const [w, c, f] = [median(times.workspace), median(times['workspace-copy-first']), median(times.folder)];
    console.log(`\nclick to prompt in VS Code, mypy-sized repository, image present (median of ${REPS}; load ${loadBefore?.toFixed(1)} before, ${os.loadavg()[0]?.toFixed(1)} after)`);
    console.log(`  without a reload (workspace window), early prompt (default)  ${w.toFixed(0)} ms   (target < 5000 ms)`);
    console.log(`  without a reload, copy first (earlyPrompt off; baseline)     ${c.toFixed(0)} ms   ratio ${(w / c).toFixed(2)}x`);
    console.log(`  with a reload (single-folder window)                         ${f.toFixed(0)} ms   ratio ${(f / w).toFixed(2)}x`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
