/**
 * The demonstration UI test, by clicking and typing in code-server: launch the textkit sample
 * from its page, Start Demonstration, type a note in the demonstration panel, type the import of
 * the fix in the editor and save, run `sed -i` for the rest in the container terminal, run the
 * hidden tests from the page, finish from the panel (resolved), open the demonstration in the step
 * view. Screenshots: test-results/screenshots/demo-*.png (look at them).
 */
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { devContainers, runUiFlow, SHOTS, uiReporter } from './uiFlow';
import { openInstance, quickOpen, runCommand, webviewFrame } from './workbench';

const ID = 'swe-gym-studio__textkit-12';
const { log, shot } = uiReporter('ui-demo', 'demo-');

function check(ok: unknown, message: string): void {
  if (!ok) throw new Error(message);
}

/** The demonstration panel's frame (it holds the timeline). */
function demoFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  return webviewFrame(page, '#timeline', timeoutMs);
}

async function run(page: Page, url: string, workspaceDir: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openInstance(page, ID, 'swe-gym-studio/textkit');
  let frame = await webviewFrame(page, '#btn-launch');
  await frame.locator('#btn-launch').click();
  await webviewFrame(page, '#btn-stop', 180_000);
  await page.locator('.terminal-wrapper .xterm').first().waitFor({ timeout: 90_000 });
  check(devContainers(workspaceDir).length === 1, 'the launch did not leave exactly one dev container');
  log('launched');

  // Room for the page and the panel side by side.
  await runCommand(page, 'View: Close Primary Side Bar');
  // Start from the palette: the panel opens beside, the status bar item shows the recording.
  await runCommand(page, 'SWE-Gym: Start Demonstration');
  let panel = await demoFrame(page, 60_000);
  await panel.locator('#demo-state', { hasText: 'recording' }).waitFor({ timeout: 30_000 });
  await panel.locator('#demo-empty').waitFor({ timeout: 10_000 });
  const status = page.locator('.statusbar-item', { hasText: /Demo \d\d:\d\d · 0 steps/ });
  await status.waitFor({ timeout: 15_000 });

  // The note for the next step, typed in the panel's box.
  await panel.locator('#next-note').click();
  await page.keyboard.type('The padding counts characters, not display cells: pad with display_width from textkit.width.');
  await panel.locator('#next-note-save').click();
  await panel.locator('#next-note-status', { hasText: 'goes with step 1' }).waitFor({ timeout: 10_000 });
  log('note typed in the panel');

  // The import, typed in the editor and saved: step 1, with the note. The file opens in the
  // page's group, so the panel stays in sight beside it.
  await page.locator('.tabs-container .tab', { hasText: ID }).first().click();
  await quickOpen(page, 'textkit/align.py');
  await runCommand(page, 'Go to Line/Column...');
  await page.keyboard.type('3:1');
  await page.keyboard.press('Enter');
  await page.keyboard.type('from .width import display_width\n\n');
  await page.keyboard.press('Control+S');
  panel = await demoFrame(page);
  await panel.locator('#demo-step-1 .demo-note', { hasText: 'display cells' }).waitFor({ timeout: 30_000 });
  await panel.locator('#demo-step-1 .call-summary', { hasText: 'textkit/align.py' }).first().waitFor({ timeout: 10_000 });
  log('the save is step 1, with the note');

  // The rest with sed -i in the container terminal: a terminal step with its observation.
  const terminal = page.locator('.terminal-wrapper .xterm').first();
  await terminal.click({ timeout: 30_000 });
  await page.keyboard.type("sed -i 's/missing = width - len(text)/missing = width - display_width(text)/; s/max(len(row\\[i\\])/max(display_width(row[i])/' textkit/align.py && grep -c display_width textkit/align.py\n");
  await panel.locator('#demo-step-2 .call-summary', { hasText: 'sed -i' }).waitFor({ timeout: 60_000 });
  await panel.locator('#demo-step-2 .demo-observation', { hasText: /^\s*3\s*$/ }).waitFor({ timeout: 10_000 });
  log('the sed -i is step 2');

  // A note added to the terminal step afterwards, from its own box.
  await panel.locator('#demo-step-2 .btn-step-note').click();
  await panel.locator('#step-note-2').waitFor({ timeout: 10_000 });
  await page.keyboard.type('The columns use the same width, so both places change.');
  await panel.locator('#step-note-2-save').click();
  await panel.locator('#demo-step-2 .demo-note', { hasText: 'same width' }).waitFor({ timeout: 10_000 });

  // The hidden tests from the instance's page: the run shows in the panel.
  await page.locator('.tabs-container .tab', { hasText: ID }).first().click();
  frame = await webviewFrame(page, '#btn-run');
  await frame.locator('#btn-run').click();
  await frame.locator('#reward .reward-title', { hasText: 'Resolved' }).waitFor({ timeout: 240_000 });
  await panel.locator('.demo-event.test-run .pill', { hasText: 'resolved' }).waitFor({ timeout: 30_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(500);
  await shot(page, '01-panel-recording');
  await page.locator('.statusbar-item', { hasText: /Demo \d\d:\d\d · \d+ steps/ }).first().screenshot({ path: path.join(SHOTS, 'demo-02-status-bar.png') });
  log('screenshot demo-02-status-bar.png');

  // Pause and resume from the panel, then finish: graded in a fresh container.
  await panel.locator('#btn-demo-pause').click();
  await panel.locator('#demo-state', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
  await page.locator('.statusbar-item', { hasText: /paused/ }).waitFor({ timeout: 10_000 });
  await panel.locator('#btn-demo-resume').click();
  await panel.locator('#demo-state', { hasText: 'recording' }).waitFor({ timeout: 10_000 });
  await panel.locator('#btn-demo-finish').click();
  await panel.locator('#finished tbody tr .pill', { hasText: 'resolved' }).waitFor({ timeout: 240_000 });
  check(!(await page.locator('.statusbar-item', { hasText: /Demo \d\d:\d\d/ }).count()), 'the status bar item stayed after the finish');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await shot(page, '03-panel-finished');
  log('finished: resolved');

  // The finished demonstration in the step view: its notes as thoughts, the reward.
  await panel.locator('#finished tbody tr').first().click({ position: { x: 20, y: 10 } });
  const steps = await webviewFrame(page, '#grade-pill', 60_000);
  await steps.locator('#grade-pill', { hasText: 'resolved' }).waitFor({ timeout: 30_000 });
  await steps.locator('#step-1 .thought', { hasText: 'display cells' }).waitFor({ timeout: 30_000 });
  await steps.locator('h1', { hasText: 'Demonstration' }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  await shot(page, '04-step-view');
}

runUiFlow({ name: 'ui-demo', shotPrefix: 'demo-', window: 'workspace', settings: { 'sweGym.languageServer.enabled': false, 'sweGym.demo.annotator': 'UI Test' } }, (f) => run(f.page, f.url, path.join(f.dirs.workspaces, ID)));
