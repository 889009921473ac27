/**
 * A demonstration survives its extension host being killed (issue 11): by clicking and typing in
 * code-server, launch the textkit sample, Start Demonstration, save an edit in the editor (step 1),
 * run a command in the container terminal (step 2), then `kill -9` the window's extension host
 * process and reload the window (code-server does not restart a killed host by itself); the new host
 * offers to resume the interrupted demonstration, and its panel shows both finished steps (read
 * from the log) with Resume and Discard before anything is clicked; the person clicks Resume, and
 * the next save is recorded as step 3 in the same log. The instance page, whose tab VS Code may
 * drop with the dead host (closed here while no host runs), is opened again by the new host.
 * Screenshots: test-results/screenshots/demo-crash-*.png (look at them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { RunDirs } from '../extension/codeServer';
import { devContainers, runUiFlow, uiReporter } from './uiFlow';
import { openInstance, quickOpen, runCommand, webviewFrame } from './workbench';

const ID = 'swe-gym-studio__textkit-12';
const { log, shot } = uiReporter('ui-demo-crash', 'demo-crash-');
/** The demonstrations' folder, known to the test (set as sweGym.demo.outputDir). */
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-demo-crash-'));

function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(message);
}

function demoFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  return webviewFrame(page, '#timeline', timeoutMs);
}

/** The pids of this window's extension hosts: processes of our code-server (its private XDG folder) run as extensionHost. */
function extensionHosts(dirs: RunDirs): number[] {
  const marker = `XDG_CONFIG_HOME=${path.join(dirs.root, 'xdg', 'config')}`;
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('--type=extensionHost')) continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** The demonstration's event log (one per instance and index) and its step lines. */
function demoSteps(): { file: string; steps: number[] } {
  const logs = fs.readdirSync(OUT, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f).startsWith(`${ID}_`) && f.endsWith('.jsonl'));
  check(logs.length === 1, `expected one demonstration log under ${OUT}, found ${JSON.stringify(logs)}`);
  const file = path.join(OUT, logs[0] ?? '');
  const steps = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        const e = JSON.parse(l) as { type?: string; step?: number };
        return e.type === 'demo_step' && typeof e.step === 'number' ? [e.step] : [];
      } catch {
        return [];
      }
    });
  return { file, steps };
}

async function waitForNewHost(dirs: RunDirs, killed: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!extensionHosts(dirs).some((p) => p !== killed)) {
    if (Date.now() > deadline) throw new Error('no new extension host started after the reload');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A tab by its exact label (the demonstration panel's tab, "Demo: <id>", holds the id too). */
function tabLabelled(page: Page, label: string) {
  return page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
}

/**
 * Opens `file` in the first editor group, puts the cursor at the start of `line`, types, saves.
 * A text editor's tab takes the keyboard when clicked; a webview's tab takes it only once its
 * content has loaded, which for a webview restored by a reload comes late and closes a Go to File
 * opened meanwhile (CI's failure after the resume: the instance page's restored tab was clicked,
 * its focus closed Go to File, Enter never opened the file). So the file's own tab is clicked once
 * it is open; the page's tab (loaded and shown since the launch) only before that.
 */
async function saveAtLine(page: Page, file: string, line: number, text: string): Promise<void> {
  const fileTab = tabLabelled(page, path.basename(file));
  await ((await fileTab.count()) ? fileTab.first() : tabLabelled(page, ID).first()).click();
  await quickOpen(page, file);
  await runCommand(page, 'Go to Line/Column...');
  await page.keyboard.type(`${line}:1`);
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
  await page.keyboard.press('Control+S');
}

async function run(page: Page, url: string, dirs: RunDirs): Promise<void> {
  const workspaceDir = path.join(dirs.workspaces, ID);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openInstance(page, ID, 'swe-gym-studio/textkit');
  const frame = await webviewFrame(page, '#btn-launch');
  await frame.locator('#btn-launch').click();
  await webviewFrame(page, '#btn-stop', 180_000);
  await page.locator('.terminal-wrapper .xterm').first().waitFor({ timeout: 90_000 });
  check(devContainers(workspaceDir).length === 1, 'the launch did not leave exactly one dev container');
  await runCommand(page, 'View: Close Primary Side Bar');

  await runCommand(page, 'SWE-Gym: Start Demonstration');
  let panel = await demoFrame(page, 60_000);
  await panel.locator('#demo-state', { hasText: 'recording' }).waitFor({ timeout: 30_000 });

  // Step 1: an edit saved in the editor. Step 2: a command in the container terminal.
  await saveAtLine(page, 'textkit/align.py', 3, 'from .width import display_width\n\n');
  panel = await demoFrame(page);
  await panel.locator('#demo-step-1 .call-summary', { hasText: 'textkit/align.py' }).first().waitFor({ timeout: 30_000 });
  await page.locator('.terminal-wrapper .xterm').first().click({ timeout: 30_000 });
  await page.keyboard.type("printf 'kept across the crash\\n' > KEPT.md && cat KEPT.md\n");
  await panel.locator('#demo-step-2 .call-summary', { hasText: 'KEPT.md' }).waitFor({ timeout: 60_000 });
  check(JSON.stringify(demoSteps().steps) === '[1,2]', `the log holds steps ${JSON.stringify(demoSteps().steps)} before the crash`);
  await shot(page, '01-two-steps');
  log('two steps recorded');

  // kill -9 of the extension host: nothing of the extension runs its clean-up.
  const hosts = extensionHosts(dirs);
  check(hosts.length === 1, `expected one extension host of this window, found ${JSON.stringify(hosts)}`);
  const killed = hosts[0] as number;
  process.kill(killed, 'SIGKILL');
  log(`killed the extension host (pid ${killed})`);
  const { file, steps } = demoSteps();
  check(JSON.stringify(steps) === '[1,2]', `after the kill the log holds steps ${JSON.stringify(steps)}`);
  // VS Code now and then drops the instance page's tab when the host died; here it is closed while
  // no host runs (so the extension never hears of it): the next host must open the page again.
  // (By the tab's own close button: "View: Close Editor" in the palette may pick "Close Editor Group".)
  const pageTab = tabLabelled(page, ID).first();
  await pageTab.hover();
  await pageTab.locator('.tab-actions a.action-label').first().click();
  await pageTab.waitFor({ state: 'detached', timeout: 10_000 });
  check((await tabLabelled(page, 'align.py').count()) === 1, 'closing the page closed the file beside it');

  // code-server does not restart a killed extension host by itself (nor offers the command): the
  // person reloads the window, which starts a new one.
  await page.waitForTimeout(2000);
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await waitForNewHost(dirs, killed);
  // The interrupted demonstration is offered for resumption, and before anything is clicked its
  // panel (restored by VS Code, or opened when the window kept none) shows both finished steps,
  // read from the log, with Resume and Discard.
  const offer = page.locator('.notification-toast', { hasText: `A demonstration of ${ID} was interrupted` });
  await offer.waitFor({ timeout: 120_000 });
  if (!(await tabLabelled(page, ID).first().waitFor({ timeout: 30_000 }).then(() => true, () => false))) throw new Error(`after the crash and the reload ${ID}'s page was not opened again`);
  panel = await demoFrame(page, 60_000);
  await panel.locator('#demo-state', { hasText: 'interrupted' }).waitFor({ timeout: 30_000 });
  await panel.locator('#demo-step-1 .call-summary', { hasText: 'textkit/align.py' }).first().waitFor({ timeout: 10_000 });
  await panel.locator('#demo-step-2 .call-summary', { hasText: 'KEPT.md' }).waitFor({ timeout: 10_000 });
  await panel.locator('#demo-figures', { hasText: '2 steps' }).waitFor({ timeout: 10_000 });
  await panel.locator('#demo-interrupted', { hasText: 'the next change is step 3' }).waitFor({ timeout: 10_000 });
  check(await panel.locator('#btn-demo-resume').isEnabled(), 'the panel offers no enabled Resume');
  check(await panel.locator('#btn-demo-discard').isVisible(), 'the panel offers no Discard');
  check(JSON.stringify(demoSteps().steps) === '[1,2]', 'showing the interrupted demonstration changed its log');
  await shot(page, '02-resume-offered');
  await offer.locator('.monaco-button', { hasText: 'Resume' }).click();
  await page.locator('.statusbar-item', { hasText: /Demo \d\d:\d\d · 2 steps/ }).waitFor({ timeout: 60_000 });

  // The same panel goes on recording with both steps; the next save is step 3 of the same log.
  await panel.locator('#demo-state', { hasText: 'recording' }).waitFor({ timeout: 30_000 });
  await panel.locator('#demo-step-1 .call-summary', { hasText: 'textkit/align.py' }).first().waitFor({ timeout: 10_000 });
  await panel.locator('#demo-step-2 .call-summary', { hasText: 'KEPT.md' }).waitFor({ timeout: 10_000 });
  await saveAtLine(page, 'textkit/align.py', 1, '# resumed after the crash\n');
  panel = await demoFrame(page);
  await panel.locator('#demo-step-3 .call-summary', { hasText: 'textkit/align.py' }).first().waitFor({ timeout: 30_000 });
  const after = demoSteps();
  check(after.file === file, `the resumed demonstration writes to ${after.file}, not ${file}`);
  check(JSON.stringify(after.steps) === '[1,2,3]', `after the resume the log holds steps ${JSON.stringify(after.steps)}`);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await shot(page, '03-resumed-step-3');
  log('resumed: steps 1 and 2 kept, the next save is step 3');
}

runUiFlow(
  {
    name: 'ui-demo-crash',
    shotPrefix: 'demo-crash-',
    window: 'workspace',
    settings: { 'sweGym.languageServer.enabled': false, 'sweGym.demo.annotator': 'UI Test', 'sweGym.demo.outputDir': OUT },
    cleanup: async () => fs.rmSync(OUT, { recursive: true, force: true }),
  },
  (f) => run(f.page, f.url, f.dirs),
);
