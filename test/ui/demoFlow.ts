/**
 * The demonstration UI test, by clicking and typing in code-server: launch the textkit sample
 * from its page, Start Demonstration, type a note in the demonstration panel, type the import of
 * the fix in the editor and save, run `sed -i` for the rest in the container terminal, run the
 * hidden tests from the page, finish from the panel (resolved), answer the difficulty questions
 * that open after the finish (a score, Back once, typed notes) and see them on the instance page,
 * open the demonstration in the step view (its header, steps counted as the panel counts them).
 * Screenshots: test-results/screenshots/demo-*.png (look at them).
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

/** Waits for question n of the difficulty form and checks what it asks. */
async function formStep(page: Page, n: number, question: RegExp, timeoutMs = 15_000): Promise<void> {
  const title = page.locator('.quick-input-widget .quick-input-title');
  await title.filter({ hasText: `${n}/4` }).waitFor({ timeout: timeoutMs });
  const text = (await title.textContent()) ?? '';
  check(question.test(text), `question ${n} asks "${text}"`);
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
  log('finished: resolved');
  // Counted from 1 as people count (the file stays <instance>_0.json).
  const number = await panel.locator('#finished tbody tr td').first().innerText();
  check(number.trim() === '#1', `the first demonstration is numbered ${number}, not #1`);

  // The difficulty questions open after the finish, answered with the keyboard: the recorded time's
  // bucket is suggested and kept, a score picked, Back once (the earlier answer is kept), notes typed.
  await formStep(page, 1, /How long would an experienced engineer take/, 60_000);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'suggested: you took' }).waitFor({ timeout: 10_000 });
  await shot(page, '03-form-time');
  await page.keyboard.press('Enter');
  await formStep(page, 2, /Is the issue well specified/);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await formStep(page, 3, /Are the hidden tests valid/);
  await page.locator('.quick-input-widget .quick-input-left-action-bar .action-label').first().click();
  await formStep(page, 2, /Is the issue well specified/);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'your earlier answer' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await formStep(page, 3, /Are the hidden tests valid/);
  await page.keyboard.press('Enter');
  await formStep(page, 4, /Notes on swe-gym-studio__textkit-12/);
  await page.keyboard.type('The tests check pad() and columns() but not center() with CJK text.');
  await page.mouse.move(700, 700); // the Back button's tooltip would cover the notes
  await shot(page, '04-form-notes');
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  log('answered the difficulty questions');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await shot(page, '05-panel-finished');

  // The answers on the instance page's Difficulty annotations section.
  await page.locator('.tabs-container .tab', { hasText: ID }).first().click();
  frame = await webviewFrame(page, '#annotation-table', 30_000);
  const mine = frame.locator('#annotation-table tr.mine', { hasText: 'UI Test' });
  await mine.waitFor({ timeout: 15_000 });
  const answers = (await mine.textContent()) ?? '';
  check(answers.includes('<15 min fix') && answers.includes('some blanks') && answers.includes('valid') && answers.includes('center() with CJK'), `the page shows: ${answers}`);
  await frame.locator('#btn-annotate').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot(page, '06-page-annotations');
  log('the page shows the answers');

  // The finished demonstration in the step view: named for it, its notes as thoughts, the finish
  // grade, and its steps as the panel counted them (the panel's step 2 is the view's step 2).
  await page.locator('.tabs-container .tab', { hasText: `Demo: ${ID}` }).first().click();
  panel = await demoFrame(page);
  await panel.locator('#finished tbody tr').first().click({ position: { x: 20, y: 10 } });
  const steps = await webviewFrame(page, '#finish-pill', 60_000);
  await steps.locator('#finish-pill', { hasText: 'resolved' }).waitFor({ timeout: 30_000 });
  await steps.locator('#step-1 .thought', { hasText: 'display cells' }).waitFor({ timeout: 30_000 });
  await steps.locator('#step-2 .thought', { hasText: 'same width' }).waitFor({ timeout: 10_000 });
  check(!(await steps.locator('#step-3').count()), 'the step view counts more steps than the panel (2)');
  await steps.locator('h1', { hasText: `Demonstration · ${ID}` }).waitFor({ timeout: 10_000 });
  const figures = (await steps.locator('#run-figures').textContent()) ?? '';
  check(figures.includes('UI Test') && figures.includes('2 steps') && figures.includes('active'), `the header reads: ${figures}`);
  check(!(await steps.locator('text=The file says').count()), 'the step view says "The file says" of a person’s own demonstration');
  await page.locator('.tabs-container .tab', { hasText: `Demonstration: ${ID}` }).waitFor({ timeout: 10_000 });
  check(!(await page.locator('.tabs-container .tab', { hasText: 'Runs:' }).count()), 'a tab is still titled "Runs: …"');
  await page.waitForTimeout(500);
  await shot(page, '07-step-view');
  await steps.locator('header.agent-header').screenshot({ path: path.join(SHOTS, 'demo-08-step-view-header.png') });
  log('screenshot demo-08-step-view-header.png');
}

runUiFlow({ name: 'ui-demo', shotPrefix: 'demo-', window: 'workspace', settings: { 'sweGym.languageServer.enabled': false, 'sweGym.demo.annotator': 'UI Test' } }, (f) => run(f.page, f.url, path.join(f.dirs.workspaces, ID)));
