/**
 * The packaged extension works on its own: installs dist/swe-gym-studio.vsix into a fresh
 * code-server (no node_modules, no sources), then checks the tree lists the samples and an
 * instance page renders with its assets (script, styles, codicons) from the package.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeBrowser, codeServerBin, launchBrowser, makeRunDirs, REPO_ROOT, startCodeServer, workbenchUrl } from '../extension/codeServer';

// Runs in the page (browser), where it exists; the test build has no DOM library.
declare const getComputedStyle: (el: unknown) => { fontFamily: string; display: string };

async function main(): Promise<number> {
  const vsix = process.argv[2] ?? path.join(REPO_ROOT, 'dist', 'swe-gym-studio.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist; run npm run package`);
  const dirs = makeRunDirs('vsix');
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(dirs.root, 'xdg', 'config'), XDG_DATA_HOME: path.join(dirs.root, 'xdg', 'data'), TMPDIR: dirs.tmp };
  execFileSync(codeServerBin(), ['--config', '/dev/null', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], { env, stdio: 'pipe' });
  const server = await startCodeServer(dirs);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let ok = false;
  try {
    await page.goto(workbenchUrl(server.port, dirs.workspaceFile));
    await page.locator('.activitybar a.action-label[aria-label^="SWE-Gym"]').click({ timeout: 60_000 });
    await page.locator('.monaco-list-row', { hasText: 'swe-gym-studio/textkit' }).click({ timeout: 30_000 });
    await page.locator('.monaco-list-row[aria-label^="swe-gym-studio__textkit-12"]').click({ timeout: 15_000 });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('#btn-launch').waitFor({ timeout: 30_000 });
    // The codicon font and the page styles came from the package.
    const iconFont = await frame.locator('.codicon').first().evaluate((el) => getComputedStyle(el).fontFamily);
    if (!/codicon/.test(iconFont)) throw new Error(`codicons did not load (font-family ${iconFont})`);
    const toolbarDisplay = await frame.locator('.toolbar').evaluate((el) => getComputedStyle(el).display);
    if (toolbarDisplay !== 'flex') throw new Error('the page stylesheet did not load');
    ok = true;
  } catch (err) {
    process.stderr.write(`vsix smoke failed: ${err instanceof Error ? err.message : String(err)}\n`);
    fs.mkdirSync(path.join(REPO_ROOT, 'test-results', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'screenshots', 'vsix-failure.png') }).catch(() => undefined);
  } finally {
    await closeBrowser(browser, page);
    await server.stop();
    fs.rmSync(dirs.root, { recursive: true, force: true });
  }
  process.stdout.write(`vsix: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed\n`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
