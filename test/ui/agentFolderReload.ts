/**
 * The launch's reload lands in a workspace without the instance's folder, and the pending agent
 * start must survive putting it back (issue 9; CI's agentFlow failed this way about one run in 8).
 * A real VS Code (code-server) in headless Chromium, a scripted model on 127.0.0.1 (the fake
 * chat-completions server; no LLM runs here), real containers.
 *
 * Start agent in a single-folder window -> the launch reloads the window into a workspace. In CI
 * the new window sometimes listed no folders yet (code-server first reads a new workspace's file
 * from an empty cache); here that is made certain: the reload is redirected to a workspace file
 * with no folders. The extension adds the folder back, which changes the first folder, which makes
 * VS Code reload the window once more. The start must run once, in the window that stays, and
 * finish: the agent view shows it resolved, the run table has one row, the extension's logs have
 * one "started" line (in the last extension host), and one container is left (the dev container).
 * The window that stays shows the folder in its Explorer: under load the window after the re-add
 * often kept code-server's stale (empty) folder list although the file listed the folder, and
 * said "No folder opened" (issue 9); the extension then has VS Code read the file again.
 * The window's logs are kept under test-results/logs/agent-folder-reload-ui.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { loadDataset } from '../../src/core/dataset/loadDataset';
import type { RunDirs } from '../extension/codeServer';
import { byTurn, solveScript, startFakeOpenAIServer, type FakeReply } from '../support/fakeOpenAIServer';
import { explorerFolders, openInstance, webviewFrame } from './workbench';
import { containersUnder, devContainers, runUiFlow, uiReporter } from './uiFlow';

const ID = 'swe-gym-studio__confini-7';
const NAME = 'agent-folder-reload-ui';
const { log, shot } = uiReporter(NAME, 'agent-folder-reload-');

async function script(): Promise<FakeReply[]> {
  const ds = await loadDataset('samples');
  const instance = ds.instances.find((i) => i.instance_id === ID);
  if (!instance) throw new Error(`${ID} is not in the samples`);
  return solveScript(instance.patch);
}

/** Each extension host's log of the window (exthost1, exthost2, ...), in order. */
function extensionLogs(dirs: RunDirs): { host: string; text: string }[] {
  const root = path.join(dirs.userData, 'logs');
  const out: { host: string; text: string }[] = [];
  for (const session of fs.existsSync(root) ? fs.readdirSync(root).sort() : []) {
    const hosts = fs.readdirSync(path.join(root, session)).filter((h) => /^exthost\d+$/.test(h));
    hosts.sort((a, b) => Number(a.slice(7)) - Number(b.slice(7)));
    for (const host of hosts) {
      const file = path.join(root, session, host, 'swe-gym-studio.swe-gym-studio', 'SWE-Gym Studio.log');
      if (fs.existsSync(file)) out.push({ host, text: fs.readFileSync(file, 'utf8') });
    }
  }
  return out;
}

async function run(dirs: RunDirs, page: Page, url: string): Promise<void> {
  const workspaceDir = path.join(dirs.workspaces, ID);
  const noFolders = path.join(dirs.root, 'no-folders.code-workspace');
  fs.writeFileSync(noFolders, JSON.stringify({ folders: [], settings: {} }, null, 2));
  // The launch's reload into its new (untitled) workspace goes to the workspace with no folders
  // instead, once: the window then lacks the instance's folder, as CI's did.
  let redirected = false;
  await page.route(
    (u) => !redirected && u.searchParams.has('workspace') && u.searchParams.get('workspace') !== noFolders,
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      redirected = true;
      const target = new URL(route.request().url());
      log(`redirecting the reload from ${target.searchParams.get('workspace')} to a workspace with no folders`);
      target.searchParams.set('workspace', noFolders);
      await route.fulfill({ status: 302, headers: { location: target.toString() } });
    },
  );

  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await openInstance(page, ID, 'swe-gym-studio/confini');
  const instancePage = await webviewFrame(page, '#btn-agent');
  await instancePage.locator('#btn-agent').click();

  await page.waitForURL((u) => u.searchParams.get('workspace') === noFolders, { timeout: 180_000 });
  if (!redirected) throw new Error('The launch did not reload the window into a workspace');
  log('the window reloaded into the workspace with no folders');
  // The extension puts the folder back; VS Code reloads the window for that first-folder change.
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  const view = await webviewFrame(page, '#agent-status', 150_000);
  await view.locator('#reward .reward-title', { hasText: 'Resolved' }).waitFor({ timeout: 240_000 });
  await view.locator('#agent-status', { hasText: 'Resolved' }).waitFor({ timeout: 30_000 });
  await shot(page, '01-resolved');

  // The run appears once in the table (no interrupted twin from a host that died).
  const rows = view.locator('#runs-table tbody tr');
  await rows.first().waitFor({ timeout: 15_000 });
  const n = await rows.count();
  if (n !== 1) throw new Error(`the run table has ${n} rows: ${(await rows.allInnerTexts()).join(' / ')}`);
  const cells = (await rows.first().locator('td').allInnerTexts()).join(' | ');
  if (/interrupted/i.test(cells)) throw new Error(`the run is shown as interrupted: ${cells}`);

  // The folder is in the workspace; one dev container; nothing else of the run's left running.
  const explorerFolder = path.basename(workspaceDir);
  if (devContainers(workspaceDir).length !== 1) throw new Error(`expected one dev container, found ${devContainers(workspaceDir).length}`);
  const all = containersUnder(dirs.workspaces);
  if (all.length !== 1) throw new Error(`expected only the dev container under the run's workspaces, found ${all.length}`);

  log(`the workspace file now holds: ${fs.readFileSync(noFolders, 'utf8').replace(/\s+/g, ' ')}`);
  // The window that stays is the workspace, and its Explorer lists the folder the file lists.
  log(`the window is at ${page.url()}`);
  if (new URL(page.url()).searchParams.get('workspace') !== noFolders) throw new Error(`the last window is not the workspace: ${page.url()}`);
  const shown = await explorerFolders(page);
  await shot(page, '02-explorer');
  if (!shown.some((f) => f.includes(explorerFolder))) throw new Error(`the Explorer shows ${JSON.stringify(shown)}, not ${explorerFolder}`);
  // The sequence, from the window's logs: one start, in the last extension host; the host that
  // re-added the folder did not start anything.
  const logs = extensionLogs(dirs);
  const starts = logs.flatMap(({ host, text }) => (text.match(/agent rollout-\S+ started/g) ?? []).map(() => host));
  const readd = logs.find(({ text }) => /did not keep .* in the workspace/.test(text));
  const reread = logs.find(({ text }) => /lists .* but VS Code does not/.test(text));
  log(`extension hosts: ${logs.map((l) => l.host).join(', ')}; re-added in ${readd?.host ?? 'none'}; workspace file reread in ${reread?.host ?? 'none'}; starts in ${starts.join(', ') || 'none'}`);
  if (starts.length !== 1) throw new Error(`the agent started ${starts.length} times (${starts.join(', ')})`);
  if (starts[0] !== logs.at(-1)?.host) throw new Error(`the agent started in ${starts[0]}, not in the last extension host ${logs.at(-1)?.host}`);
  if (!readd) throw new Error(`no extension host re-added ${explorerFolder}: the redirect did not reproduce the missing folder`);
  if (readd.host === starts[0]) throw new Error(`the agent started in ${readd.host}, the host that re-added the folder`);
}

script()
  .then((turns) => startFakeOpenAIServer(byTurn(turns)))
  .then((model) =>
    runUiFlow(
      {
        name: NAME,
        shotPrefix: 'agent-folder-reload-',
        viewport: { width: 1600, height: 1000 },
        settings: { 'sweGym.agent.baseUrl': model.baseURL, 'sweGym.agent.model': 'fake-coder-7b' },
        keepLogs: true,
        cleanup: () => model.close(),
      },
      (f) => run(f.dirs, f.page, f.url),
    ),
  )
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
