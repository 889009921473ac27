/**
 * The agent UI test: a real VS Code (code-server) in headless Chromium, a scripted model on
 * 127.0.0.1 (the fake chat-completions server; no LLM runs here), real containers. Clicks
 * tree item -> instance page -> Start agent (in a single-folder window: the launch reloads it into
 * a workspace and the start resumes) -> (paused) Next action -> edit the action -> Resume,
 * watches the steps stream in and the reward arrive, opens a request's JSON and a step's diff,
 * checks the tree row's figures, takes the view in the light and high-contrast themes, and starts
 * a second rollout in the same dev container: labelled and kept out of the figures (issue 9, item 10).
 * Screenshots: test-results/screenshots/agent-*.png (look at them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { loadDataset } from '../../src/core/dataset/loadDataset';
import type { RunDirs } from '../extension/codeServer';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeReply } from '../support/fakeOpenAIServer';
import { openInstance, runCommand, switchTheme, webviewFrame } from './workbench';
import { devContainers, runUiFlow, SHOTS, uiReporter } from './uiFlow';

const ID = 'swe-gym-studio__confini-7';
const { log, shot } = uiReporter('agent-ui', 'agent-');

/** What the scripted model answers: the gold edits, with a slowly streamed thought on step 2. */
async function script(): Promise<FakeReply[]> {
  const ds = await loadDataset('samples');
  const instance = ds.instances.find((i) => i.instance_id === ID);
  if (!instance) throw new Error(`${ID} is not in the samples`);
  const turns = solveScript(instance.patch);
  const view = turns[1] as Extract<FakeReply, { toolCalls?: unknown }>;
  turns[1] = { ...view, content: 'Values are read in parse(). Inline comments are never cut there, so I will look at how an option line is split before changing it.', chunkDelayMs: 350 };
  // The check before finishing, in colour as a terminal would show it: the view must show colours, not escapes.
  turns[turns.length - 2] = { toolCalls: [{ name: 'execute_bash', arguments: { command: 'git -c color.status=always status --short' } }] };
  return turns;
}

async function run(dirs: RunDirs, page: Page, url: string): Promise<void> {
  const workspaceDir = path.join(dirs.workspaces, ID);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await switchTheme(page, dirs, 'dark');

  // Tree item -> instance page -> Start agent.
  await openInstance(page, ID, 'swe-gym-studio/confini');
  const instancePage = await webviewFrame(page, '#btn-agent');
  await instancePage.locator('#btn-agent').click();

  // The view opens beside the page; the dev container is launched (the window reloads into a
  // workspace); the rollout starts after the reload and waits (startPaused).
  await page.waitForURL(/[?&]workspace=/, { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const view: Frame = await webviewFrame(page, '#agent-status', 90_000);
  await view.locator('#agent-status', { hasText: 'Paused before the model' }).waitFor({ timeout: 120_000 });
  if (devContainers(workspaceDir).length !== 1) throw new Error('Starting the agent did not launch exactly one dev container');
  // The instance page came back too (changing the layout while a webview loads can stall it).
  await webviewFrame(page, '#btn-launch', 60_000);
  // Room for the two columns: the side bar and the terminal panel close; notices (e.g. about other
  // sessions' containers on a shared engine) are cleared.
  await runCommand(page, 'Close Primary Side Bar');
  await runCommand(page, 'Hide Panel');
  await runCommand(page, 'Notifications: Clear All Notifications');
  await shot(page, '01-paused-at-start');

  // Next action: the model answers, the action waits; edit it, then resume.
  await view.locator('#btn-next-action').click();
  const args = view.locator('#pending-args');
  await args.waitFor({ timeout: 30_000 });
  await view.locator('.step .thought', { hasText: 'Let me look at the repository first.' }).waitFor();
  await args.fill(JSON.stringify({ command: 'cd /testbed && ls && echo edited-by-the-ui-test' }, null, 2));
  await shot(page, '02-edit-next-action');
  // The Tool field shows the tool's name verbatim (underscores included), looked at up close.
  const tool = view.locator('#pending-tool');
  if ((await tool.inputValue()) !== 'execute_bash') throw new Error(`the Tool field holds ${await tool.inputValue()}`);
  await tool.screenshot({ path: path.join(SHOTS, 'agent-02b-tool-field.png') });
  log('screenshot agent-02b-tool-field.png');
  await view.locator('#btn-resume').click();

  // The edited action ran; step 2's thought streams in.
  await view.locator('#step-1 pre.observation', { hasText: 'edited-by-the-ui-test' }).waitFor({ timeout: 30_000 });
  await view.locator('#step-1 .badge-edited').waitFor();
  await view.locator('#step-2 .thought', { hasText: 'Values are read' }).waitFor({ timeout: 30_000 });
  await shot(page, '03-streaming');

  // The run ends; the hidden tests grade the patch; the view says resolved.
  await view.locator('#reward .reward-title', { hasText: 'Resolved' }).waitFor({ timeout: 180_000 });
  await view.locator('#agent-status', { hasText: 'Resolved' }).waitFor();
  if (!fs.readFileSync(path.join(workspaceDir, 'confini', 'parser.py'), 'utf8').includes('_strip_inline_comment')) throw new Error('The fix is not in the workspace on the host');
  await view.evaluate('window.scrollTo(0, 0)');
  await shot(page, '04-resolved');

  // A command that colours its output: the observation shows neither colours nor escapes such as ^[[31m.
  const coloured = view.locator('section.step', { has: view.locator('.call-summary', { hasText: 'color.status=always' }) });
  const obs = coloured.locator('pre.observation');
  await obs.waitFor({ timeout: 15_000 });
  const obsText = await obs.innerText();
  if (/\^\[|\x1b/.test(obsText)) throw new Error(`escapes shown as text: ${JSON.stringify(obsText.slice(0, 200))}`);
  // Observations carry no colour codes at all now (SWE-Gym's released bytes have none): plain text, no escapes.
  if (!/parser\.py/.test(obsText)) throw new Error(`the git status observation is missing its file: ${JSON.stringify(obsText.slice(0, 200))}`);
  await coloured.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await shot(page, '04c-colours');

  // The instance page's difficulty line now carries the agents' figure.
  await page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: /^swe-gym-studio__confini-7$/ }) }).click();
  const pageAgain = await webviewFrame(page, '#agent-difficulty', 15_000);
  const figure = await pageAgain.locator('#agent-difficulty').innerText();
  if (!/agents resolved 1 of 1 \(100%\)/.test(figure)) throw new Error(`unexpected difficulty figure on the page: ${figure}`);
  await shot(page, '04b-instance-page-figures');

  // The exact request of step 2, as a JSON tree; an observation; the workspace diff after an edit.
  await view.locator('#step-2 .btn-request').click();
  await view.locator('#step-2 .request-view details.j-node').first().waitFor({ timeout: 15_000 });
  await view.locator('#step-2 .request-view summary', { hasText: 'messages' }).click();
  await view.locator('#step-2').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await shot(page, '05-request-json');
  const lastEdit = view.locator('section.step', { has: view.locator('.tool-name', { hasText: 'str_replace_editor' }) }).last();
  await lastEdit.locator('details.diff-block > summary').click();
  await lastEdit.locator('pre.diff').waitFor();
  await lastEdit.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await shot(page, '06-step-diff');

  // The run table, and the figures on the tree row.
  await view.locator('#runs-table').scrollIntoViewIfNeeded();
  const stats = await view.locator('#agent-stats').innerText();
  if (!/1 of 1 rewarded resolved \(100%\)/.test(stats)) throw new Error(`unexpected stats line: ${stats}`);
  await page.locator('.activitybar a.action-label[aria-label^="SWE-Gym"]').click();
  const row = page.locator(`.monaco-list-row[aria-label^="${ID}"]`);
  if (!(await row.waitFor({ timeout: 5000 }).then(() => true, () => false))) await page.locator('.monaco-list-row', { hasText: 'swe-gym-studio/confini' }).click();
  await row.locator('.label-description', { hasText: 'agents 1/1' }).waitFor({ timeout: 15_000 });
  await shot(page, '07-run-table-and-tree');
  // The tree row's tooltip: the success rate and pass@k over the recorded rollouts.
  await row.hover();
  const hover = page.locator('.monaco-hover', { hasText: 'pass@1' });
  if (await hover.waitFor({ timeout: 5000 }).then(() => true, () => false)) await shot(page, '07b-tree-tooltip');
  await page.mouse.move(800, 995);

  // Light and high contrast.
  await view.evaluate('window.scrollTo(0, 0)');
  for (const kind of ['light', 'hc'] as const) {
    await switchTheme(page, dirs, kind);
    await page.waitForTimeout(800);
    await shot(page, `08-theme-${kind}`);
  }
  await switchTheme(page, dirs, 'dark');

  // Issue 9 item 10: a second rollout in the same dev container inherits the first one's fix. It is
  // labelled, and its reward (Resolved, from edits it did not make) stays out of the figures.
  await view.locator('#btn-start').click();
  await view.locator('#not-counted', { hasText: 'not counted in the success rate' }).waitFor({ timeout: 120_000 });
  await view.locator('#agent-status', { hasText: 'Paused before the model' }).waitFor({ timeout: 60_000 });
  // The scripted model replays its turns: the edits are there already, so they fail, and it finishes.
  await view.locator('#btn-resume').click();
  await view.locator('#reward .reward-title', { hasText: 'Resolved' }).waitFor({ timeout: 240_000 });
  // The run table follows the reward a moment later (its refresh is batched).
  const figures = view.locator('#agent-stats');
  if (!(await figures.filter({ hasText: /2 rollouts .*left out/ }).waitFor({ timeout: 15_000 }).then(() => true, () => false))) throw new Error(`the stats line never mentioned the left-out rollout: ${await figures.innerText()}`);
  const after = await figures.innerText();
  if (!/1 of 1 rewarded resolved \(100%\)/.test(after) || !/1 left out \(started with changes/.test(after)) throw new Error(`the inherited rollout entered the figures: ${after}`);
  const newest = view.locator('#runs-table tbody tr').first();
  await newest.scrollIntoViewIfNeeded();
  const cells = (await newest.locator('td').allInnerTexts()).join(' | ');
  if (!/dev container, not counted/.test(cells)) throw new Error(`the inherited rollout's row is not labelled: ${cells}`);
  // Counted from 1 as people count: the second rollout is #2 in its row and its view (its file is <instance>_1.json).
  const numbers = await view.locator('#runs-table tbody tr td:first-child').allInnerTexts();
  if (numbers.join(',') !== '#2,#1') throw new Error(`the run table numbers its rows ${numbers.join(', ')}, not #2, #1`);
  if (!(await view.locator('.meta-row', { hasText: 'rollout #2' }).count())) throw new Error('the view of the second rollout does not say "rollout #2"');
  await view.evaluate('window.scrollTo(0, 0)');
  await shot(page, '09-inherited-not-counted');

  // Issue 9 item 13: a fork from step 1 runs in a container of its own, names its source, and its
  // pause hint does not invite workspace edits it would never see.
  await view.locator('#step-1 .btn-fork').click();
  await view.locator('#fork-source', { hasText: 'fork of rollout #2 at step 1' }).waitFor({ timeout: 120_000 });
  await view.locator('#agent-status', { hasText: 'Paused' }).waitFor({ timeout: 120_000 });
  const hint = await view.locator('#pause-hint').innerText();
  if (!/container of its own: edits in your workspace do not reach it/.test(hint) || /Edit files in the workspace/.test(hint)) throw new Error(`the fork's pause hint says: ${hint}`);
  await view.evaluate('window.scrollTo(0, 0)');
  await shot(page, '10-fork-paused-hint');
  // Stopped: it ends (its empty patch rewarded) and its container goes with it.
  await view.locator('#btn-stop').click();
  await view.locator('#btn-trajectory').waitFor({ timeout: 120_000 });
}

// A single-folder window, as most users start: the launch before the agent's start adds the
// instance's folder, which reloads the window; the start must go on by itself after it.
script()
  .then((turns) => startFakeOpenAIServer(byTurn(turns)))
  .then((model) =>
    runUiFlow(
      {
        name: 'agent-ui',
        shotPrefix: 'agent-',
        viewport: { width: 1600, height: 1000 },
        settings: { 'sweGym.agent.baseUrl': model.baseURL, 'sweGym.agent.model': 'fake-coder-7b', 'sweGym.agent.startPaused': true, 'sweGym.agent.prices': { 'fake-coder-7b': { inputPerMillion: 0.5, outputPerMillion: 1.5 } } },
        cleanup: () => model.close(),
      },
      (f) => run(f.dirs, f.page, f.url),
    ),
  )
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
