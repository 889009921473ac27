/**
 * A rollout cut off by a window reload, reopened by clicking (issue 9, item 12). A real VS Code
 * (code-server) in headless Chromium, a scripted model on 127.0.0.1 (the fake chat-completions
 * server; no LLM runs here), real containers. Start agent from the instance page -> two steps run,
 * the third waits on a model that never answers -> Developer: Reload Window -> the agent view comes
 * back with the rollout read from its event log (both finished steps, nothing spinning, no "never
 * written"), its row keeps its steps and tokens, clicking the row reopens it, and its request says
 * plainly that the file elides the conversation.
 * Screenshots: test-results/screenshots/agent-reload-*.png (look at them).
 */
import type { Frame, Page } from 'playwright-core';
import type { RunDirs } from '../extension/codeServer';
import { byTurn, startFakeOpenAIServer, type FakeReply } from '../support/fakeOpenAIServer';
import { openInstance, runCommand, webviewFrame } from './workbench';
import { runUiFlow, uiReporter } from './uiFlow';

const ID = 'swe-gym-studio__confini-7';
const { log, shot } = uiReporter('agent-reload-ui', 'agent-reload-');

const SCRIPT: FakeReply[] = [
  { content: 'First, the layout.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'cd /testbed && ls' } }] },
  { content: 'Now the parser.', toolCalls: [{ name: 'execute_bash', arguments: { command: 'grep -c def /testbed/confini/parser.py' } }] },
  // Step 3 waits on an answer that never comes: the reload cuts the rollout off here.
  { kind: 'stall', content: 'Let me think about' },
];

function fail(message: string): never {
  throw new Error(message);
}

async function run(dirs: RunDirs, page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  // Tree item -> instance page -> Start agent (the launch turns the window into a workspace).
  await openInstance(page, ID, 'swe-gym-studio/confini');
  const instancePage = await webviewFrame(page, '#btn-agent');
  await instancePage.locator('#btn-agent').click();
  await page.waitForURL(/[?&]workspace=/, { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  let view: Frame = await webviewFrame(page, '#agent-status', 90_000);
  await view.locator('#agent-status', { hasText: 'Paused before the model' }).waitFor({ timeout: 120_000 });
  await webviewFrame(page, '#btn-launch', 60_000);
  await runCommand(page, 'Close Primary Side Bar');
  await runCommand(page, 'Hide Panel');
  await runCommand(page, 'Notifications: Clear All Notifications');

  // Two steps, then the third waits on the model.
  await view.locator('#btn-resume').click();
  await view.locator('#step-2 pre.observation').waitFor({ timeout: 60_000 });
  await view.locator('#step-3 .thought', { hasText: 'Let me think' }).waitFor({ timeout: 30_000 });
  await view.locator('#step-3.active').waitFor();
  await shot(page, '01-running-step-3');

  // The window reloads under the running rollout.
  await runCommand(page, 'Developer: Reload Window');
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  view = await webviewFrame(page, '#step-2', 90_000);
  const status = view.locator('#agent-status');
  await status.waitFor({ timeout: 30_000 });
  await view.locator('#agent-status', { hasText: /Interrupted|Cancelled/ }).waitFor({ timeout: 30_000 });
  log(`after the reload the rollout shows as: ${await status.innerText()}`);
  // Read back from its event log: both finished steps, their observations, nothing busy.
  if (!(await view.locator('#step-1 pre.observation', { hasText: 'confini' }).count())) fail('step 1 was not reopened with its observation');
  if (!(await view.locator('#step-2 .thought', { hasText: 'Now the parser.' }).count())) fail('step 2 was not reopened with its thought');
  if (await view.locator('section.step.active').count()) fail('a step card still looks busy in the reopened rollout');
  if (await view.locator('#step-3 .note-auto_reply').count()) fail('the answer the reload cut off was recorded as an answer');
  if (await view.locator('.codicon-modifier-spin').count()) fail('something still spins in the reopened rollout');
  if (/never written/.test(await view.locator('body').innerText())) fail('the view says the trajectory was never written');
  if (!(await view.locator('.meta-row', { hasText: 'read from its trajectory' }).count())) fail('the view does not say it was read from the trajectory');
  await view.evaluate('window.scrollTo(0, 0)');
  await shot(page, '02-reopened');

  // Its row kept its steps and tokens; clicking it reopens the rollout (no error).
  const row = view.locator('#runs-table tbody tr').first();
  await row.scrollIntoViewIfNeeded();
  const cells = await row.locator('td').allInnerTexts();
  log(`run table row: ${cells.join(' | ')}`);
  const [number, , exit, steps, tokens] = cells;
  // Rows are counted from 1 as people count (the file stays <instance>_0.json).
  if (number !== '#1') fail(`the first rollout is numbered ${number}, not #1`);
  if (!/Interrupted|Cancelled/.test(exit ?? '')) fail(`the row's exit is ${exit}`);
  if (Number(steps) < 2) fail(`the row lost its steps: ${steps}`);
  if (!(Number((tokens ?? '').replace(/,/g, '')) > 0)) fail(`the row lost its tokens: ${tokens}`);
  await row.click();
  await page.waitForTimeout(500);
  if (await view.locator('.error-banner:not([hidden])').count()) fail(`clicking the row failed: ${await view.locator('.error-banner').innerText()}`);
  await shot(page, '03-run-table');

  // The request of a reopened step: plainly elided, never offered as "the request sent".
  await view.locator('#step-2 .btn-request').click();
  const note = view.locator('#step-2 .request-elided');
  await note.waitFor({ timeout: 15_000 });
  if (!/Not the whole request/.test(await note.innerText())) fail('the elided request is not said to be elided');
  if (await view.locator('#step-2 .request-view vscode-button', { hasText: /^Copy JSON$/ }).count()) fail('an elided request is offered as "Copy JSON"');
  await view.locator('#step-2').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await shot(page, '04-request-elided');
}

startFakeOpenAIServer(byTurn(SCRIPT))
  .then((model) =>
    runUiFlow(
      {
        name: 'agent-reload-ui',
        shotPrefix: 'agent-reload-',
        viewport: { width: 1600, height: 1000 },
        settings: { 'sweGym.agent.baseUrl': model.baseURL, 'sweGym.agent.model': 'fake-coder-7b', 'sweGym.agent.startPaused': true, 'sweGym.agent.reward': false },
        cleanup: () => model.close(),
      },
      (f) => run(f.dirs, f.page, f.url),
    ),
  )
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
