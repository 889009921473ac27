/**
 * The difficulty questions in a real VS Code (code-server, headless Chromium): the instance page's
 * "Annotate…" button opens the four-step form; the flow answers it with the keyboard as a person
 * does (a score picked, Back used once, notes typed), then the page's "Difficulty annotations"
 * section shows the answers beside another annotator's, and the tree row's tooltip has them.
 * No container is started. Screenshots: test-results/screenshots/annotate-*.png (look at them).
 * Not in scripts/test-ui.sh: demoFlow answers the same form after a finish and checks the page
 * section; this flow is for the tree tooltip's and another annotator's screenshots, run by hand.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runUiFlow, uiReporter } from './uiFlow';
import { openInstance, runCommand, switchTheme, webviewFrame } from './workbench';

const ID = 'swe-gym-studio__confini-7';
const { log, shot } = uiReporter('ui-annotate', 'annotate-');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-ui-annotate-'));

// Another person's answers, already in the shared output folder.
fs.mkdirSync(path.join(out, 'Bo'));
fs.writeFileSync(
  path.join(out, 'Bo', 'annotations.json'),
  JSON.stringify({ format: 'swe-gym-studio/annotations@1', annotator: 'Bo', annotations: { [ID]: { instance_id: ID, annotator: 'Bo', difficulty: '1-4 hours', underspecified: 2, false_negative: 1, notes: 'Unclear whether "#" inside quotes starts a comment.', annotated_at: '2026-11-30T07:40:00.000Z' } } }),
);

async function step(page: Page, n: number, question: RegExp): Promise<void> {
  const title = page.locator('.quick-input-widget .quick-input-title');
  await title.filter({ hasText: `${n}/4` }).waitFor({ timeout: 15_000 });
  const text = (await title.textContent()) ?? '';
  if (!question.test(text)) throw new Error(`step ${n} asks "${text}"`);
}

async function run(page: Page): Promise<void> {
  await openInstance(page, ID, 'swe-gym-studio/confini');
  const frame = await webviewFrame(page, '#btn-annotate', 60_000);
  await frame.locator('#annotation-table').waitFor({ timeout: 15_000 });
  if (!(await frame.locator('#annotation-table').textContent())?.includes('Bo')) throw new Error('the page does not show Bo’s answers');
  await frame.locator('#btn-annotate').click();

  await step(page, 1, /How long would an experienced engineer take/);
  await shot(page, 'form-1-time');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await step(page, 2, /Is the issue well specified/);
  await page.keyboard.press('ArrowDown');
  await shot(page, 'form-2-specified');
  await page.keyboard.press('Enter');
  await step(page, 3, /Are the hidden tests valid/);
  // Back to step 2: the earlier answer is kept and marked.
  await page.locator('.quick-input-widget .quick-input-left-action-bar .action-label').first().click();
  await step(page, 2, /Is the issue well specified/);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'your earlier answer' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await step(page, 3, /Are the hidden tests valid/);
  await page.keyboard.press('Enter');
  await step(page, 4, /Notes on swe-gym-studio__confini-7/);
  await page.keyboard.type('Inline comments need a rule for quotes; the tests only cover ";".');
  await shot(page, 'form-4-notes');
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });

  const table = frame.locator('#annotation-table');
  await table.locator('tr.mine', { hasText: 'Ada' }).waitFor({ timeout: 15_000 });
  const mine = (await table.locator('tr.mine').textContent()) ?? '';
  if (!mine.includes('15 min - 1 hour') || !mine.includes('some blanks') || !mine.includes('tests only cover')) throw new Error(`the page shows: ${mine}`);
  if (!fs.existsSync(path.join(out, 'Ada', 'annotations.json'))) throw new Error('no annotations file in Ada’s folder');
  await frame.locator('vscode-collapsible#annotations').first().scrollIntoViewIfNeeded().catch(() => undefined);
  await frame.locator('#btn-annotate').scrollIntoViewIfNeeded();
  await shot(page, 'page-section');

  // The tree row: its description and the tooltip with both people's answers.
  const row = page.locator(`.monaco-list-row[aria-label^="${ID}"]`);
  await row.locator('.label-description', { hasText: '✎' }).waitFor({ timeout: 10_000 });
  await row.hover();
  await page.locator('.monaco-hover', { hasText: 'Annotated' }).waitFor({ timeout: 10_000 });
  await shot(page, 'tree-tooltip');
  log('answered the form, the page and the tooltip show the answers');
}

runUiFlow(
  {
    name: 'ui-annotate',
    shotPrefix: 'annotate-',
    window: 'workspace',
    viewport: { width: 1400, height: 860 },
    settings: { 'sweGym.demo.outputDir': out, 'sweGym.demo.annotator': 'Ada' },
    cleanup: async () => fs.rmSync(out, { recursive: true, force: true }),
  },
  async ({ page, dirs, url }) => {
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await switchTheme(page, dirs, 'dark');
    await runCommand(page, 'Notifications: Clear All Notifications');
    await run(page);
  },
);
