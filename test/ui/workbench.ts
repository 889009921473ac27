/** Helpers for UI tests that drive code-server's workbench in headless Chromium. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { RunDirs } from '../extension/codeServer';

export const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern', hc: 'Default High Contrast' };

/**
 * The window's settings file: the folder's .vscode/settings.json, or the workspace file when the
 * window is a workspace. code-server's web client applies a colour theme from there live.
 */
export function setWindowSetting(page: Page, dirs: RunDirs, key: string, value: unknown): void {
  const workspaceFile = new URL(page.url()).searchParams.get('workspace');
  const file = workspaceFile ?? path.join(dirs.folder, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  if (workspaceFile) current.settings = { ...(current.settings as Record<string, unknown> | undefined), [key]: value };
  else current[key] = value;
  fs.writeFileSync(file, JSON.stringify(current, null, 2));
}

/**
 * The web client applies a theme only when the setting changes, and may miss a write made before
 * its file watcher is up: write, then write again with a sibling theme of the same kind until the
 * workbench shows the wanted kind.
 */
export async function switchTheme(page: Page, dirs: RunDirs, kind: keyof typeof THEMES): Promise<void> {
  const css = { dark: '.monaco-workbench.vs-dark', light: '.monaco-workbench.vs', hc: '.monaco-workbench.hc-black' }[kind];
  const variants = { dark: [THEMES.dark, 'Default Dark+'], light: [THEMES.light, 'Default Light+'], hc: [THEMES.hc, THEMES.hc] }[kind];
  for (let attempt = 0; attempt < 10; attempt++) {
    setWindowSetting(page, dirs, 'workbench.colorTheme', variants[attempt % 2]);
    if (kind === 'hc' && attempt % 2 === 1) setWindowSetting(page, dirs, 'workbench.colorTheme', 'Default High Contrast Light');
    try {
      await page.locator(css).waitFor({ timeout: 3000 });
      if (kind !== 'hc' || attempt % 2 === 0) return;
    } catch {
      // Not applied yet: write again.
    }
  }
  throw new Error(`The ${kind} theme was never applied`);
}

/**
 * The content frame of the webview that holds `selector` (webviews sit two iframes deep, and
 * several may be open): polled, since webviews load asynchronously.
 */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    if (Date.now() > deadline) throw new Error(`No webview shows ${selector} after ${timeoutMs} ms`);
    await page.waitForTimeout(200);
  }
}

/**
 * Clicks an element of a webview, finding its frame again when VS Code replaced the webview's
 * document between finding and clicking ("Unable to adopt element handle from a different
 * document", "Frame was detached": a page re-rendered after a launch).
 */
export async function clickInWebview(page: Page, selector: string, timeoutMs = 30_000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await (await webviewFrame(page, selector, timeoutMs)).locator(selector).click({ timeout: timeoutMs });
      return;
    } catch (err) {
      const replaced = /different document|detached|Target closed|has been closed/i.test(String(err));
      if (!replaced || attempt >= 3) throw err;
      await page.waitForTimeout(500);
    }
  }
}

/**
 * Runs a command through the command center (clicking it works wherever the focus is, a webview
 * included, where keyboard shortcuts may not reach the workbench).
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input[type="text"]');
  await page.locator('.command-center .command-center-center').first().click();
  // A click while the workbench still starts up can open nothing (pageFlow's first command, once): a person clicks again.
  if (!(await input.waitFor({ timeout: 5000 }).then(() => true, () => false))) await page.locator('.command-center .command-center-center').first().click();
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  // Off the command center, or its hover shows in every screenshot after this.
  await page.mouse.move(2, (page.viewportSize()?.height ?? 600) - 2);
}

/** Opens a workspace file by Go to File and waits for its tab to be the active one. */
export async function quickOpen(page: Page, file: string): Promise<void> {
  await runCommand(page, 'Go to File...');
  const input = page.locator('.quick-input-widget input[type="text"]');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(file) }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(file) }).waitFor({ timeout: 15_000 });
  // The tab shows before its editor has the keyboard: keys typed in between land elsewhere (CI
  // once typed a comment's text into line 1 of the file instead of at its end).
  await page.locator('.part.editor .monaco-editor.focused').first().waitFor({ timeout: 15_000 });
}

/**
 * Shows the SWE-Gym sidebar (without toggling it closed) and opens an instance's page from the
 * tree, expanding its repository's row when the instance is not shown yet.
 */
export async function openInstance(page: Page, id: string, repo: string): Promise<void> {
  const title = page.locator('.sidebar .composite.title', { hasText: /SWE-Gym/i });
  if (!(await title.isVisible())) await page.locator('.activitybar a.action-label[aria-label^="SWE-Gym"]').click();
  await title.waitFor({ timeout: 10_000 });
  const item = page.locator(`.monaco-list-row[aria-label^="${id}"]`);
  const repoRow = page.locator('.monaco-list-row', { hasText: repo }).first();
  await item.or(repoRow).first().waitFor({ timeout: 30_000 });
  if (!(await item.isVisible())) {
    await repoRow.click();
    // The repository row's hover (its full name) can open over the instance row below and take the click.
    await page.mouse.move(1, 1);
    await page.locator('.context-view .hover-contents').waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  }
  await item.waitFor({ timeout: 15_000 });
  await item.click();
  // The page's tab is titled with the id. A click that lands while the tree re-renders (the
  // datasets finishing their load) is lost, as it would be for a person, who clicks again.
  const tab = page.locator('.tabs-container .tab', { hasText: id });
  if (!(await tab.first().waitFor({ timeout: 15_000 }).then(() => true, () => false))) {
    await item.click();
    await tab.first().waitFor({ timeout: 30_000 });
  }
}

/**
 * The folders the Explorer lists (its root rows), opening the Explorer first. Empty when it shows
 * no folder ("No Folder Opened", or a workspace without folders).
 */
export async function explorerFolders(page: Page): Promise<string[]> {
  if (!(await page.locator('.sidebar .composite.title', { hasText: /Explorer/i }).isVisible())) await page.locator('.activitybar a.action-label[aria-label^="Explorer"]').click();
  await page.locator('.sidebar .composite.title', { hasText: /Explorer/i }).waitFor({ timeout: 10_000 });
  // Off the activity bar, or its tooltip covers the first folder in the screenshot.
  await page.mouse.move(2, (page.viewportSize()?.height ?? 600) - 2);
  if (!(await page.locator('.explorer-folders-view').waitFor({ timeout: 10_000 }).then(() => true, () => false))) return [];
  await page.waitForTimeout(1000);
  const names = await page.locator('.explorer-folders-view .monaco-list-row[aria-level="1"]').allInnerTexts();
  return names.map((n) => n.trim());
}
