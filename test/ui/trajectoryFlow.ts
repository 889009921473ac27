/**
 * Imported runs by clicking (issue 12 items 1-2), in a real VS Code (code-server) in headless
 * Chromium with real containers: Open Trajectories… on a folder of other scaffolds' runs (the
 * fixtures, a corrupt file, a tampered run) -> the runs under their instance in the tree -> a run
 * opens in the step view -> Compute diffs (replay in a fresh container) -> the tampered run:
 * Grade flags it, Replay names its first divergence -> a window reload brings the view back on the
 * same run and step.
 * Screenshots: test-results/screenshots/trajectory-*.png (look at them).
 */
import * as fs from 'node:fs';
import type { Frame, Page } from 'playwright-core';
import { makeImportFolder } from '../support/importFolder';
import { runUiFlow, uiReporter } from './uiFlow';
import { runCommand, webviewFrame } from './workbench';

const ID = 'swe-gym-studio__textkit-12';
const { shot } = uiReporter('ui(trajectory)', 'trajectory-');

function check(ok: unknown, what: string): void {
  if (!ok) throw new Error(what);
}

/** VS Code's own (simple) open dialog in code-server: type the folder, then accept it. */
async function pickFolder(page: Page, folder: string): Promise<void> {
  const input = page.locator('.quick-input-widget input[type="text"]');
  await input.waitFor({ timeout: 15_000 });
  // The dialog fills in its start folder once it has read it; a path typed before that is
  // appended to it. So wait for the start folder, then type until the field holds exactly ours.
  await page.waitForFunction(`(document.querySelector('.quick-input-widget input[type="text"]')?.value ?? '').length > 0`, undefined, { timeout: 15_000 }).catch(() => undefined);
  for (let attempt = 0; ; attempt++) {
    await input.fill(`${folder}/`);
    await page.waitForTimeout(800);
    if ((await input.inputValue()) === `${folder}/`) break;
    if (attempt === 4) throw new Error(`the open dialog holds ${await input.inputValue()}, not ${folder}/`);
  }
  const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'Open Trajectories' });
  if (await ok.count()) await ok.first().click();
  else await page.keyboard.press('Enter');
}

/** Drags the sidebar's edge so the runs' descriptions show, as a user reading them would. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

async function run(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar a.action-label[aria-label^="SWE-Gym"]').click();
  await page.locator('.monaco-list-row', { hasText: 'swe-gym-studio/textkit' }).waitFor({ timeout: 30_000 });

  await runCommand(page, 'SWE-Gym: Open Trajectories…');
  await pickFolder(page, folder);
  const note = page.locator('.notification-toast', { hasText: /Imported 8 runs of 1 instance/ });
  await note.waitFor({ timeout: 60_000 });
  check(await page.locator('.notification-toast', { hasText: 'garbage.json' }).count(), 'the skipped corrupt file is not named');
  // The import reveals the instance opened onto its runs.
  const child = page.locator('.monaco-list-row', { hasText: 'OpenHands CodeActAgent' }).first();
  await child.waitFor({ timeout: 30_000 });
  check((await page.locator(`.monaco-list-row[aria-label^="${ID}"]`).getAttribute('aria-expanded')) === 'true', 'the instance is not opened onto its runs');
  await widenSidebar(page, 620);
  await page.mouse.move(2, (page.viewportSize()?.height ?? 600) - 2);
  await shot(page, 'tree');
  await runCommand(page, 'Notifications: Clear All Notifications');

  await child.click();
  let frame: Frame = await webviewFrame(page, '#btn-grade', 60_000);
  await frame.locator('#steps section.step').first().waitFor({ timeout: 30_000 });
  check(await frame.locator('#no-diffs').count(), 'no note that the file carries no per-step diffs');
  await shot(page, 'view');

  await frame.locator('#btn-diffs').click();
  await frame.locator('#replay-summary h2').waitFor({ timeout: 180_000 });
  check((await frame.locator('#steps details.diff-block').count()) > 0, 'no per-step diff after Compute diffs');
  // Open the diff of the step that edits the file, as a user would.
  const edit = frame.locator('#steps section.step', { hasText: /str_replace textkit/ }).first();
  await edit.locator('details.diff-block > summary').click();
  await edit.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'diffs');

  // The tampered run: the file says resolved; our grade says not; the replay names step 6.
  frame = await webviewFrame(page, '#runs', 30_000);
  await frame.locator('#runs details > summary').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await frame.locator('#runs tr[title*="tampered"]').click();
  await frame.locator('#run-figures').waitFor();
  await frame.locator('#btn-grade:not([disabled])').click();
  await frame.locator('#grade-flag').waitFor({ timeout: 180_000 });
  await frame.locator('#btn-replay:not([disabled])').click();
  await frame.locator('#first-divergence', { hasText: 'step 6' }).waitFor({ timeout: 240_000 });
  await frame.locator('header.agent-header').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shot(page, 'flagged');
  await frame.locator('#first-divergence button').click();
  await page.waitForTimeout(500);
  await shot(page, 'divergence');
  const flagged = page.locator('.monaco-list-row', { hasText: 'not reproduced' });
  check(await flagged.count(), 'the tree does not flag the tampered run');

  // A real window reload: the step view comes back on the same run (not the instance's first)
  // and the same step, where the reader was.
  frame = await webviewFrame(page, '#first-divergence', 30_000);
  const before = await frame.evaluate<{ step: number; into: number }>(TOP_STEP);
  check(before.step === 6, `the divergence link left step ${before.step} at the top, not step 6`);
  await page.waitForTimeout(1000);
  await runCommand(page, 'Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  frame = await webviewFrame(page, '#first-divergence', 90_000);
  await frame.locator('#steps section.step').first().waitFor({ timeout: 30_000 });
  if (!(await frame.locator('.meta-row', { hasText: 'tampered/rows.jsonl' }).count())) throw new Error(`the reloaded view shows another run: ${await frame.locator('header.agent-header').innerText()}`);
  check(await frame.locator('#grade-flag').count(), 'the reloaded view lost the grade flag');
  await page.waitForTimeout(500);
  const after = await frame.evaluate<{ step: number; into: number }>(TOP_STEP);
  check(after.step === before.step && Math.abs(after.into - before.into) <= 4, `the reloaded view is at step ${after.step} (${after.into} px into it), not step ${before.step} (${before.into} px)`);
  // The tab names what it shows (not "Runs:", which reads as our agent's runs), and the tree
  // comes back as it was left: the repository and the instance open onto the runs.
  const tabs = await page.locator('.tabs-container .tab').allInnerTexts();
  check(tabs.some((t) => t.includes(`Imported runs: ${ID}`)), `no tab reads "Imported runs: ${ID}" (tabs: ${tabs.join(' | ')})`);
  await page.locator('.monaco-list-row', { hasText: 'OpenHands CodeActAgent' }).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
  const repoOpen = await page.locator('.monaco-list-row[aria-label^="swe-gym-studio/textkit"]').getAttribute('aria-expanded');
  check(repoOpen === 'true' && (await page.locator('.monaco-list-row', { hasText: 'OpenHands CodeActAgent' }).count()), `after the reload the tree shows swe-gym-studio/textkit ${repoOpen === 'true' ? 'open but not its runs' : 'collapsed'}`);
  await shot(page, 'reloaded');
}

/** In the webview: the step card at the window's top edge (below the sticky action bar, a sliver not counted), and how far into it. */
const TOP_STEP = `(() => {
  const line = Math.max(0, document.querySelector('.agent-bar')?.getBoundingClientRect().bottom ?? 0);
  for (const el of document.querySelectorAll('#steps section.step')) {
    const r = el.getBoundingClientRect();
    if (r.bottom > line + 12) return { step: Number(el.id.replace('step-', '')), into: Math.round(line - r.top) };
  }
  return { step: 0, into: 0 };
})()`;

const folder = makeImportFolder();
runUiFlow({ name: 'ui(trajectory)', shotPrefix: 'trajectory-', cleanup: async () => fs.rmSync(folder, { recursive: true, force: true }) }, (f) => run(f.page, f.url, folder));
