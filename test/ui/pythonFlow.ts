/**
 * UI test of the in-container Python language server, by clicking in code-server: launch the
 * moneta sample from its page, then in tests/test_money.py a hover on `pytest.raises` (pytest
 * exists only in the image) shows its docstring, Go to Definition opens _pytest's source from the
 * container in a read-only editor, and a type error typed into a file is underlined and listed in
 * Problems. Screenshots: test-results/screenshots/python-*.png (look at them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { openInstance, quickOpen, runCommand, webviewFrame } from './workbench';
import { devContainers, runUiFlow, uiReporter } from './uiFlow';

const ID = 'swe-gym-studio__moneta-34';
const { log, shot } = uiReporter('ui-python', 'python-');

async function goToLine(page: Page, line: number, column: number): Promise<void> {
  await runCommand(page, 'Go to Line/Column...');
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
}

async function run(page: Page, url: string, workspaceDir: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openInstance(page, ID, 'swe-gym-studio/moneta');
  const frame = await webviewFrame(page, '#btn-launch');
  await frame.locator('#btn-launch').click();
  await page.locator('.statusbar-item', { hasText: /Python/ }).waitFor({ timeout: 180_000 });
  if (devContainers(workspaceDir).length !== 1) throw new Error('The launch did not leave exactly one dev container');
  await page.locator('.statusbar-item', { hasText: /^\s*Python\s*$/ }).waitFor({ timeout: 120_000 });
  log('the status bar says the server is up');

  // Hover: line 18 is `    with pytest.raises(TypeError, match="not float"):`, column 19 is in `raises`.
  await quickOpen(page, 'tests/test_money.py');
  await goToLine(page, 18, 19);
  const hover = page.locator('.monaco-hover', { hasText: 'Assert that a code block/function call raises' });
  const deadline = Date.now() + 90_000;
  while (!(await hover.isVisible())) {
    if (Date.now() > deadline) throw new Error('No hover with pytest.raises docstring');
    await runCommand(page, 'Show or Focus Hover');
    await page.waitForTimeout(1500);
  }
  await shot(page, '01-hover-pytest-raises');
  await page.keyboard.press('Escape');

  // Definition: _pytest's source, read from the container, read-only.
  await runCommand(page, 'Go to Definition');
  const tab = page.locator('.tabs-container .tab.active', { hasText: 'python_api.py' });
  await tab.waitFor({ timeout: 60_000 });
  await page.locator('.monaco-editor .view-line', { hasText: 'def raises(' }).first().waitFor({ timeout: 30_000 });
  // The tab says it is the container's (the label formatter of the scheme), and its tooltip and
  // breadcrumbs where: the instance, then the path in the image.
  await page.locator('.tabs-container .tab.active', { hasText: 'python_api.py (container, read-only)' }).waitFor({ timeout: 10_000 });
  await page.locator('.breadcrumbs-control .monaco-breadcrumb-item', { hasText: 'dist-packages' }).first().waitFor({ timeout: 10_000 });
  await tab.hover();
  await page.locator('.monaco-hover, .custom-hover, [role=tooltip]', { hasText: /moneta-34\/usr\/lib\/python3\/dist-packages\/_pytest\/python_api\.py/ }).first().waitFor({ timeout: 10_000 });
  log('the tab says the file is the container\'s; its tooltip gives the instance and the path in the image');
  await page.waitForTimeout(1000);
  await shot(page, '02-definition-from-container');
  await page.keyboard.type('x');
  await page.locator('.monaco-editor-overlaymessage, .notifications-toasts', { hasText: /read-only|readonly/i }).first().waitFor({ timeout: 10_000 });
  log('typing into the container file is refused (read-only)');

  // Diagnostic: a type error typed into a new file.
  fs.writeFileSync(path.join(workspaceDir, 'moneta', 'scratch.py'), 'from moneta import Money\n\n\ndef cents(m: Money) -> int:\n    return 0\n\n');
  await quickOpen(page, 'moneta/scratch.py');
  await goToLine(page, 7, 1);
  await page.keyboard.type('total: int = "not a number"\n');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  await page.locator('.markers-panel .monaco-list-row', { hasText: /not assignable/ }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(500);
  await shot(page, '03-type-error-diagnostic');
}

// pytest.raises has three overloads: go straight to the first instead of a peek view.
runUiFlow({ name: 'ui-python', shotPrefix: 'python-', window: 'workspace', settings: { 'editor.gotoLocation.multipleDefinitions': 'goto' } }, (f) => run(f.page, f.url, path.join(f.dirs.workspaces, ID)));
