/**
 * A demonstration campaign in a real VS Code (code-server, headless Chromium), as a person starts
 * one from the palette: the tree's instances picked (three of them), the first launched and
 * recorded, the status bar's "Campaign 1 of 3" with the next instance prepared ahead, the queue
 * from the status bar, a skip with its reason typed, then Stop. Screenshots:
 * test-results/screenshots/campaign-*.png (look at them). Not in scripts/test-ui.sh (the
 * extension-host test f3_campaign checks the same path); run by hand for the screenshots.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { runUiFlow, uiReporter } from './uiFlow';
import { runCommand, switchTheme } from './workbench';

const { log, shot } = uiReporter('ui-campaign', 'campaign-');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-ui-campaign-'));

const statusItem = (page: Page, text: string) => page.locator('.statusbar-item', { hasText: text }).first();

async function run(page: Page): Promise<void> {
  await runCommand(page, 'SWE-Gym: Start Demonstration Campaign…');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'The instances the tree shows' }).waitFor({ timeout: 30_000 });
  await shot(page, 'start');
  await page.keyboard.press('Enter');
  const input = page.locator('.quick-input-widget input[type="text"]');
  await page.locator('.quick-input-widget', { hasText: 'How many of the' }).waitFor({ timeout: 15_000 });
  await input.fill('3');
  await page.keyboard.press('Enter');

  // The first instance launches and its recording starts; the next is prepared meanwhile.
  await statusItem(page, 'Campaign 1 of 3').waitFor({ timeout: 240_000 });
  await statusItem(page, 'Demo').waitFor({ timeout: 120_000 });
  await page.locator('.statusbar-item', { hasText: 'Campaign 1 of 3' }).locator('.codicon-check').waitFor({ timeout: 240_000 });
  await page.mouse.move(2, 2);
  await shot(page, 'recording-next-ready');

  await statusItem(page, 'Campaign 1 of 3').click();
  await rows.filter({ hasText: 'Skip…' }).waitFor({ timeout: 15_000 });
  await shot(page, 'queue');
  await rows.filter({ hasText: 'Skip…' }).click();
  await page.locator('.quick-input-widget', { hasText: 'Skip ' }).waitFor({ timeout: 15_000 });
  await input.fill('the issue is unclear');
  await shot(page, 'skip-reason');
  await page.keyboard.press('Enter');
  await statusItem(page, 'Campaign 2 of 3').waitFor({ timeout: 240_000 });
  await page.mouse.move(2, 2);
  await shot(page, 'after-skip');
  const campaign = JSON.parse(fs.readFileSync(path.join(out, 'Uma', 'campaign.json'), 'utf8')) as { items: { state: string; reason?: string }[] };
  if (campaign.items[0]?.reason !== 'the issue is unclear') throw new Error(`the campaign file holds ${JSON.stringify(campaign.items[0])}`);

  await runCommand(page, 'SWE-Gym: Campaign: Stop');
  await statusItem(page, 'Campaign').waitFor({ state: 'hidden', timeout: 30_000 });
  log('started from the tree, the next one prepared, skipped with a reason, stopped');
}

runUiFlow(
  {
    name: 'ui-campaign',
    shotPrefix: 'campaign-',
    window: 'workspace',
    viewport: { width: 1400, height: 860 },
    settings: { 'sweGym.demo.outputDir': out, 'sweGym.demo.annotator': 'Uma' },
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
