/**
 * Runs the mocha suite in test/extension/suite inside a real VS Code extension host (code-server),
 * the way @vscode/test-web does in a browser: the test payload goes in the workbench URL, and the
 * host reports output and the exit code through codeAutomationLog / codeAutomationExit.
 * Exit code: the suite's (0 = every test passed, and at least one ran).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { closeBrowser, launchBrowser, makeRunDirs, REPO_ROOT, startCodeServer, workbenchUrl } from './codeServer';

const SUITE_START_MARKER = '[swe-gym-suite] start';
const TIMEOUT_MS = Number(process.env.SWE_GYM_EXT_TEST_TIMEOUT_MS ?? 15 * 60_000);

/** The product's default workspace root: the suites run with their own, so nothing may land here. */
const DEFAULT_ROOT = path.join(os.homedir(), 'swe-gym-workspaces');

/** Each entry of the default root with its modification time, to see what a run wrote there. */
function defaultRootEntries(): Map<string, number> {
  const entries = new Map<string, number>();
  if (!fs.existsSync(DEFAULT_ROOT)) return entries;
  for (const name of fs.readdirSync(DEFAULT_ROOT)) entries.set(name, fs.statSync(path.join(DEFAULT_ROOT, name)).mtimeMs);
  return entries;
}

async function main(): Promise<number> {
  const dirs = makeRunDirs('ext');
  const rootBefore = defaultRootEntries();
  const server = await startCodeServer(dirs, {
    SWE_GYM_TEST_RUN_DIR: dirs.root,
    SWE_GYM_TEST_WORKSPACES: dirs.workspaces,
    ...(process.env.SWE_GYM_TEST_GREP ? { SWE_GYM_TEST_GREP: process.env.SWE_GYM_TEST_GREP } : {}),
  });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  let code = 1;
  const early: string[] = [];
  try {
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (c: number) => resolve(c));
    });
    // The workbench's own chatter comes through the same channel: it is kept back and shown only
    // when the run fails; everything from the suite's start marker on is printed as it comes.
    let suiteStarted = false;
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (text.includes(SUITE_START_MARKER)) suiteStarted = true;
      if (!suiteStarted) {
        early.push(text);
        return;
      }
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    await page.goto(
      workbenchUrl(server.port, dirs.workspaceFile, [
        ['extensionDevelopmentPath', remote(REPO_ROOT)],
        ['extensionTestsPath', remote(path.join(REPO_ROOT, 'out', 'test', 'extension', 'suite', 'index'))],
      ]),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`extension tests did not finish within ${TIMEOUT_MS / 1000} s\n`);
        resolve(1);
      }, TIMEOUT_MS);
    });
    code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    // A suite that loses the run's workspace root writes into the user's own, where the next run
    // finds a kept workspace (edits and all) and fails for a reason far from the cause.
    const written = [...defaultRootEntries()].filter(([name, mtime]) => rootBefore.get(name) !== mtime).map(([name]) => name);
    if (written.length > 0) {
      process.stderr.write(`the suites wrote into the default workspace root ${DEFAULT_ROOT}: ${written.join(', ')} (a suite cleared sweGym.workspace.root)\n`);
      code = 1;
    }
  } catch (err) {
    process.stderr.write(`extension test runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    code = 1;
  } finally {
    await closeBrowser(browser, page);
    await server.stop();
    if (code !== 0) {
      process.stderr.write(`workbench log before the suite started (tail):\n${early.slice(-40).join('\n')}\n`);
      process.stderr.write(`code-server log (tail):\n${server.log.slice(-40).join('')}\n`);
    }
    if (!process.env.SWE_GYM_KEEP_RUN_DIR) fs.rmSync(dirs.root, { recursive: true, force: true });
    else console.log(`run folder kept: ${dirs.root}`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
