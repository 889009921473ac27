/**
 * The page and the hidden tests by clicking, in a real VS Code (code-server) in headless Chromium:
 * "Your changes" follows a write from the terminal without Refresh; an opened section stays open
 * across a run; after the run the Test log is redacted (no hidden test name in it) and offers the
 * reveal, which shows the full log, names the tests on the page and drops the explorer's hint; the
 * walkthrough ticks Launch and Run although neither was done from its buttons.
 * Screenshots go to test-results/screenshots/page-*.png.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { REPO_ROOT } from '../extension/codeServer';
import { openInstance, quickOpen, runCommand, webviewFrame } from './workbench';
import { devContainers, runUiFlow, uiReporter } from './uiFlow';

const ID = 'swe-gym-studio__statlite-15';
const { log, shot } = uiReporter('ui(page)', 'page-');
const row = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'samples', 'samples.jsonl'), 'utf8').split('\n').find((l) => l.includes(`"${ID}"`)) ?? '{}') as { FAIL_TO_PASS: string[] };

/** The instance page's frame (found by what it shows: the walkthrough's media is a webview too). */
function pageFrame(page: Page, selector = '#btn-stop'): Promise<Frame> {
  return webviewFrame(page, selector, 60_000);
}

function check(ok: unknown, what: string): void {
  if (!ok) throw new Error(what);
}

async function openWalkthrough(page: Page): Promise<void> {
  await runCommand(page, 'Welcome: Open Walkthrough...');
  // Filtered and chosen with Enter: a click on a row can miss while the list still settles.
  await page.locator('.quick-input-widget input[type="text"]').fill('SWE-Gym Studio');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'SWE-Gym' }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.getting-started-step', { hasText: 'Launch an instance' }).first().waitFor({ timeout: 20_000 });
}

async function run(page: Page, url: string, workspaceDir: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The walkthrough open beside the work, as a new user has it (VS Code tracks its steps while it is up).
  await openWalkthrough(page);
  await openInstance(page, ID, 'swe-gym-studio/statlite');
  let frame = await pageFrame(page, '#btn-launch');

  // Launch from the page (not from the walkthrough). A single-folder window may reload into a workspace.
  await frame.locator('#btn-launch').click();
  // Adding a folder to a single-folder window reloads it into a workspace (VS Code's rule): wait for that.
  await page.waitForURL(/[?&]workspace=/, { timeout: 120_000 }).catch(() => log('the launch did not reload the window'));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  frame = await webviewFrame(page, '#btn-stop', 180_000);
  await frame.locator('#btn-launch', { hasText: 'Launched' }).waitFor({ timeout: 60_000 });
  await page.locator('.terminal-wrapper .xterm').first().waitFor({ timeout: 60_000 });
  check(devContainers(workspaceDir).length === 1, 'Launch did not leave exactly one dev container');
  // The reload closed the walkthrough: open it again beside the page, then back to the page.
  if (!(await page.locator('.tab', { hasText: 'Walkthrough' }).count())) await openWalkthrough(page);
  await page.locator('.tab', { hasText: ID }).first().click();
  frame = await pageFrame(page, '#btn-run');

  // Open the run history (closed by default): it must stay open through the run below.
  await frame.locator('#history').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await frame.locator('#history').click({ position: { x: 40, y: 10 } });
  await frame.locator('#history[open]').waitFor({ timeout: 5000 });

  // A write from the terminal inside the container: "Your changes" follows without Refresh.
  const before = (await frame.locator('#changes').getAttribute('description')) ?? '';
  const terminal = page.locator('.terminal-wrapper .xterm').first();
  await terminal.click({ timeout: 30_000 });
  await page.keyboard.type("printf '\\n# looked, changed nothing\\n' >> statlite/matrix.py\n");
  await frame.locator('#changes[description*="1 file"]').waitFor({ timeout: 30_000 });
  log(`Your changes: "${before}" -> "${await frame.locator('#changes').getAttribute('description')}" without Refresh`);
  await frame.locator('#changes').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, '01-changes-from-terminal');

  // A save in the editor: "Your changes" follows it too, without Refresh.
  await quickOpen(page, 'statlite/__init__.py');
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\n# saved from the editor\n');
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active:not(.dirty)', { hasText: '__init__.py' }).waitFor({ timeout: 15_000 });
  await page.locator('.tab', { hasText: ID }).first().click();
  frame = await pageFrame(page, '#btn-run');
  await frame.locator('#changes[description*="2 files"]').waitFor({ timeout: 30_000 });
  log(`Your changes after a save in the editor: "${await frame.locator('#changes').getAttribute('description')}"`);

  // The difficulty line, cut off in a narrow view, is whole in its tooltip.
  const difficulty = (await frame.locator('#difficulty').getAttribute('title')) ?? '';
  check(/^Difficulty: \d+ files?, \d+ changed lines? in the gold patch · 7 FAIL_TO_PASS · 14 PASS_TO_PASS/.test(difficulty), `the difficulty tooltip is "${difficulty}"`);

  // Run the hidden tests from the page: not resolved, the badge says the card's word.
  await frame.locator('#btn-run').click();
  await frame.locator('#reward .reward-title', { hasText: 'Not resolved' }).waitFor({ timeout: 240_000 });
  await frame.locator('#status', { hasText: 'Not resolved' }).waitFor({ timeout: 10_000 });
  check(await frame.locator('#history[open]').count(), 'the run history folded up after the run');
  await frame.locator('#history tbody tr').first().waitFor({ timeout: 10_000 });
  await frame.locator('#history').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, '02-not-resolved-history-open');

  // The Test log from the page: redacted, with the reveal offered.
  await frame.locator('#btn-log').click();
  const toast = page.locator('.notification-toast', { hasText: 'redacted' });
  await toast.waitFor({ timeout: 20_000 });
  const output = page.locator('.output-view .view-lines, .panel .view-lines').first();
  await output.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(1000);
  // Monaco renders spaces as no-break spaces.
  const redacted = (await output.innerText()).replace(/\u00a0/g, ' ');
  check(/hidden test/.test(redacted), `the Test log should show hidden labels: ${redacted.slice(-400)}`);
  for (const id of row.FAIL_TO_PASS) check(!redacted.includes(id.split('::').at(-1) ?? id), `the redacted Test log shows ${id}`);
  await shot(page, '03-test-log-redacted');

  // Reveal from the notification: the full log, the names on the page, the explorer without its hint.
  await toast.locator('.monaco-button', { hasText: 'Reveal and show full log' }).click();
  await frame.locator('#tests code', { hasText: row.FAIL_TO_PASS[0]?.split('::').at(-1) ?? '' }).first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(1000);
  const full = (await output.innerText()).replace(/\u00a0/g, ' ');
  check(/test names revealed|PASSED|FAILED/.test(full), `the full log should follow the reveal: ${full.slice(-400)}`);
  await shot(page, '04-revealed-full-log');

  await runCommand(page, 'Testing: Focus on Test Explorer View');
  const root = page.locator('.monaco-list-row', { hasText: ID }).first();
  await root.click({ timeout: 15_000 });
  await page.keyboard.press('ArrowRight');
  await page.locator('.monaco-list-row', { hasText: 'FAIL_TO_PASS' }).first().click({ timeout: 10_000 });
  await page.keyboard.press('ArrowRight');
  const first = row.FAIL_TO_PASS[0] ?? '';
  await page.locator('.monaco-list-row', { hasText: first }).first().waitFor({ timeout: 15_000 });
  check((await page.locator('.monaco-list-row', { hasText: 'reveal test names' }).count()) === 0, 'the explorer still says "reveal test names" after the reveal');
  await shot(page, '05-test-explorer-revealed');

  // The walkthrough: Launch and Run ticked, though neither was done from its own buttons.
  // (Opened again if the reload's clean-up closed the copy VS Code restored.)
  if (await page.locator('.tab', { hasText: 'Walkthrough' }).count()) await page.locator('.tab', { hasText: 'Walkthrough' }).first().click({ timeout: 15_000 });
  else await openWalkthrough(page);
  const step = (title: string) => page.locator('.getting-started-step', { hasText: title }).first();
  await step('Launch an instance').waitFor({ timeout: 20_000 });
  for (const title of ['Launch an instance', 'Run the hidden tests']) {
    // The step's checkbox: VS Code marks a done step aria-checked.
    const box = step(title).locator('[data-done-step-id]').first();
    await box.scrollIntoViewIfNeeded();
    const checked = await box.getAttribute('aria-checked');
    check(checked === 'true', `walkthrough step "${title}" is not ticked (aria-checked ${checked})`);
  }
  await shot(page, '06-walkthrough-ticked');

  // Back on the page after the Welcome tab hid it (its webview is rebuilt): the history is still open.
  await page.locator('.tab', { hasText: ID }).first().click();
  frame = await pageFrame(page);
  check(await frame.locator('#history[open]').count(), 'the run history folded up when the page was hidden and shown again');
  await frame.locator('#history').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, '07-page-shown-again');

  // Stop and remove from the page: nothing left behind.
  await frame.locator('#btn-stop').click();
  const deadline = Date.now() + 60_000;
  while (devContainers(workspaceDir).length > 0) {
    if (Date.now() > deadline) throw new Error('Stop left the dev container behind');
    await page.waitForTimeout(250);
  }
}

runUiFlow({ name: 'ui(page)', shotPrefix: 'page-' }, (f) => run(f.page, f.url, path.join(f.dirs.workspaces, ID)));
