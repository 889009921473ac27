/**
 * The one harness every clicking UI test (and bench/launchWindow) runs in: a private code-server,
 * headless Chromium on the workbench with the extension under development, and, whatever happens,
 * the same teardown: a failure screenshot and the window's logs (the extension's output channels
 * among them) kept under test-results/, the browser and server closed, every container of the
 * run's workspaces removed, the run's folders deleted, one result line printed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { closeBrowser, launchBrowser, makeRunDirs, REPO_ROOT, startCodeServer, workbenchUrl, type RunDirs } from '../extension/codeServer';

export const SHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');
const WORKSPACE_LABEL = 'io.swe-gym-studio.workspace';

/** What a flow's steps get: the page on the workbench, the run's folders, and its reporters. */
export interface UiFlow {
  page: Page;
  dirs: RunDirs;
  /** The workbench URL the page opened (for a flow that navigates again). */
  url: string;
  port: number;
}

export interface UiFlowOptions {
  /** Names the result line, the log prefix, the run folder and the kept logs: 'ui-launch'. */
  name: string;
  /** Prefix of the screenshots' file names ('launch-'); the failure shot is `${shotPrefix}failure.png`. */
  shotPrefix?: string;
  /** User settings of the window (on top of makeRunDirs' defaults). */
  settings?: Record<string, unknown>;
  /** What the window opens: a single folder (launching then reloads into a workspace) or a workspace. */
  window?: 'folder' | 'workspace';
  viewport?: { width: number; height: number };
  /** Keep the window's logs under test-results/logs/<name> even when the flow passes (SWE_GYM_KEEP_UI_LOGS=1 does it for every flow). */
  keepLogs?: boolean;
  /** Called on the way out, success or not (a scripted model server, say). */
  cleanup?: () => Promise<void>;
}

/** `log` and `shot` for a flow's module: lines prefixed with its name, screenshots with its prefix. */
export function uiReporter(name: string, shotPrefix = ''): { log(message: string): void; shot(page: Page, shotName: string): Promise<void> } {
  const log = (message: string) => process.stdout.write(`  ${name}: ${message}\n`);
  return {
    log,
    async shot(page, shotName) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${shotPrefix}${shotName}.png`) });
      log(`screenshot ${shotPrefix}${shotName}.png`);
    },
  };
}

/** Containers whose workspace label lies under `root`: everything a run's windows launched. */
export function containersUnder(root: string): string[] {
  const out = execFileSync('docker', ['ps', '-a', '--filter', `label=${WORKSPACE_LABEL}`, '--format', `{{.ID}} {{.Label "${WORKSPACE_LABEL}"}}`], { encoding: 'utf8' }).trim();
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string])
    .filter(([, workspace]) => workspace === root || workspace.startsWith(`${root}${path.sep}`))
    .map(([id]) => id);
}

/** Dev containers of one instance's workspace folder. */
export function devContainers(workspaceDir: string): string[] {
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=${WORKSPACE_LABEL}=${workspaceDir}`], { encoding: 'utf8' }).trim();
  return out ? out.split('\n') : [];
}

/** Runs one flow in a fresh window and resolves to its exit code (0 passed, 1 failed). */
export async function runUiFlowOnce(options: UiFlowOptions, run: (flow: UiFlow) => Promise<void>): Promise<number> {
  const started = Date.now();
  const dirs = makeRunDirs(options.name, options.settings ?? {});
  let failed = false;
  try {
    const server = await startCodeServer(dirs);
    try {
      const browser = await launchBrowser();
      const page = await (await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } })).newPage();
      // Loading the workbench (goto, reload, a launch's reload) took over 30 s on a loaded 2-core machine.
      page.setDefaultNavigationTimeout(120_000);
      // SWE_GYM_UI_CONSOLE=<file>: the workbench's console and its reloads, for a flow that fails in VS Code itself.
      const consoleFile = process.env.SWE_GYM_UI_CONSOLE;
      if (consoleFile) {
        page.on('console', (m) => fs.appendFileSync(consoleFile, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
        page.on('framenavigated', (f) => f === page.mainFrame() && fs.appendFileSync(consoleFile, `${new Date().toISOString()} navigated to ${f.url()}\n`));
      }
      const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
      const target = options.window === 'workspace' ? dirs.workspaceFile : dirs.folder;
      const url = workbenchUrl(server.port, target, [['extensionDevelopmentPath', remote(REPO_ROOT)]]);
      try {
        await run({ page, dirs, url, port: server.port });
      } catch (err) {
        failed = true;
        process.stderr.write(`${options.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        fs.mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: path.join(SHOTS, `${options.shotPrefix ?? ''}failure.png`) }).catch(() => undefined);
      } finally {
        await closeBrowser(browser, page);
      }
    } finally {
      await server.stop();
    }
  } catch (err) {
    // The harness itself (code-server, Chromium) failed to start.
    failed = true;
    process.stderr.write(`${options.name} could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } finally {
    await options.cleanup?.().catch(() => undefined);
    for (const id of containersUnder(dirs.workspaces)) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    const logs = path.join(dirs.userData, 'logs');
    const keep = failed || options.keepLogs || process.env.SWE_GYM_KEEP_UI_LOGS === '1';
    if (keep && fs.existsSync(logs)) fs.cpSync(logs, path.join(REPO_ROOT, 'test-results', 'logs', options.name), { recursive: true, force: true });
    fs.rmSync(dirs.root, { recursive: true, force: true });
  }
  process.stdout.write(`${options.name}: ${failed ? 0 : 1} passed, ${failed ? 1 : 0} failed (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  return failed ? 1 : 0;
}

/** A UI test module's entry point: runs the flow and exits with its code. */
export function runUiFlow(options: UiFlowOptions, run: (flow: UiFlow) => Promise<void>): void {
  runUiFlowOnce(options, run).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
