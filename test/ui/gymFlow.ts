/**
 * The gym server UI test: a real VS Code (code-server) in headless Chromium, real containers, a
 * real HTTP client (this process) driving a sample. Starts the server from the Gym Sessions view's
 * welcome button, copies the token from the title bar (clipboard), watches a session step in the
 * view, pauses it with the row's button while the client's step waits, lets one step through,
 * opens it in the agent's live view (a click on the row), where Step lets the held call through,
 * and stops the server from the title bar: no container is left.
 * Screenshots: test-results/screenshots/gym-*.png (look at them).
 */
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { freePort } from '../extension/codeServer';
import { runUiFlow, uiReporter } from './uiFlow';
import { runCommand, switchTheme, webviewFrame } from './workbench';

const ID = 'swe-gym-studio__textkit-12';
const { log, shot } = uiReporter('ui-gym', 'gym-');

function containersOf(session: string): string[] {
  if (!session) return [];
  const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=io.swe-gym-studio.session=${session}`], { encoding: 'utf8' }).trim();
  return out ? out.split('\n') : [];
}

let containerSession = '';
async function run(page: Page, gymPort: number): Promise<void> {
  await page.locator('.activitybar a.action-label[aria-label^="SWE-Gym"]').click();
  const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Gym Sessions' }) });
  await view.waitFor({ timeout: 30_000 });
  const header = view.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  await runCommand(page, 'Notifications: Clear All Notifications');
  // Room for the rows' figures: the side bar is widened as a user would, by its sash.
  const bar = await page.locator('.part.sidebar').boundingBox();
  let box: { x: number; y: number; width: number; height: number } | null = null;
  for (const sash of await page.locator('.monaco-sash.vertical').all()) {
    const b = await sash.boundingBox();
    if (b && bar && Math.abs(b.x + b.width / 2 - (bar.x + bar.width)) < 6 && b.height > 200) box = b;
  }
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 330, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
  }
  await view.locator('.monaco-button', { hasText: 'Start Gym Server' }).click();
  const serverRow = view.locator('.monaco-list-row', { hasText: `127.0.0.1:${gymPort}` });
  await serverRow.waitFor({ timeout: 30_000 });
  log('server started from the welcome button');

  // The token as a user gets it: Copy Gym Server Token in the view's title bar, then the clipboard.
  await header.hover();
  await view.locator('.actions a.action-label[aria-label="Copy Gym Server Token"]').click();
  await page.locator('.notification-toast', { hasText: 'token is on the clipboard' }).waitFor({ timeout: 10_000 });
  const token = await page.evaluate<string>('navigator.clipboard.readText()');
  if (token.length < 24) throw new Error(`the clipboard holds no token: ${JSON.stringify(token)}`);
  await runCommand(page, 'Notifications: Clear All Notifications');

  const base = `http://127.0.0.1:${gymPort}`;
  const call = async (method: string, p: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${base}${p}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  containerSession = String((await call('GET', '/v1/health')).container_session);
  const sid = String((await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: ID, model: 'qwen-7b-sft', client: 'my-openhands-fork' })).session_id);
  await call('POST', '/v1/sessions', { dataset: 'samples', instance_id: 'swe-gym-studio__confini-7', model: 'gpt-4o', client: 'swe-agent 1.1' });
  for (const command of ['cd /testbed && git log --oneline | head -3', 'ls textkit', 'grep -n "def wrap" -r textkit']) await call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command } });
  const row = view.locator('.monaco-list-row', { hasText: 'my-openhands-fork' });
  await row.locator('.label-description', { hasText: '3 steps · ready · my-openhands-fork' }).waitFor({ timeout: 15_000 });
  await shot(page, '01-sessions-live');

  // Pause from the row's inline button: the client's next step waits.
  await row.hover();
  await row.locator('a.action-label[aria-label="Pause Gym Session"]').click();
  await row.locator('.label-description', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
  let settled = false;
  const held = call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'python -m pytest -q 2>&1 | tail -2' } }).finally(() => (settled = true));
  await row.locator('.label-description', { hasText: '3 steps · paused (a step waits) · my-openhands-fork' }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(1000);
  if (settled) throw new Error('the step ran while the session was paused');
  await row.hover();
  await shot(page, '02-paused-step-waiting');
  await row.locator('a.action-label[aria-label="Let One Step Through"]').click();
  await held;
  await row.locator('.label-description', { hasText: '4 steps · paused · my-openhands-fork' }).waitFor({ timeout: 15_000 });
  log('a paused session held the client\'s step until one was let through');

  // A click on the row: the session in the agent's live view, its steps as the client sent them.
  await row.locator('.label-name').click();
  const live = await webviewFrame(page, '#agent-status', 30_000);
  await live.locator('#agent-status', { hasText: 'Paused' }).waitFor({ timeout: 15_000 });
  await live.locator('section.step pre.observation', { hasText: 'grep -n "def wrap" -r textkit' }).first().waitFor({ timeout: 15_000 });
  await shot(page, '03-live-view');
  // The person watching holds the client from the view: its next call waits until Step is clicked.
  settled = false;
  const fromOutside = call('POST', `/v1/sessions/${sid}/step`, { name: 'execute_bash', arguments: { command: 'echo held-by-the-live-view' } }).finally(() => (settled = true));
  await page.waitForTimeout(1500);
  if (settled) throw new Error('the step ran while the live view held the session');
  await live.locator('#btn-step').click();
  await fromOutside;
  await live.locator('section.step pre.observation', { hasText: 'held-by-the-live-view' }).last().waitFor({ timeout: 15_000 });
  await live.locator('#agent-status', { hasText: 'Paused' }).waitFor({ timeout: 15_000 });
  await row.locator('.label-description', { hasText: '5 steps · paused · my-openhands-fork' }).waitFor({ timeout: 15_000 });
  await live.locator('section.step', { has: live.locator('pre.observation', { hasText: 'held-by-the-live-view' }) }).last().evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  // Paused before the client's next action: the view says so, and offers no message box (the client would never read it).
  await live.locator('#pause-hint', { hasText: 'no message or observation edit from here reaches it' }).waitFor({ timeout: 10_000 });
  await live.locator('#agent-status', { hasText: 'Paused before the client’s next action' }).waitFor({ timeout: 10_000 });
  if (await live.locator('#note-text').count()) throw new Error('the live view of a gym session offers a message box');
  await shot(page, '04-live-view-stepped');
  await live.locator('#btn-resume').click();
  await row.locator('.label-description', { hasText: '5 steps · ready · my-openhands-fork' }).waitFor({ timeout: 15_000 });
  await live.locator('#agent-status', { hasText: 'Waiting for the client’s step 6' }).waitFor({ timeout: 10_000 });
  log('the live view showed the client\'s steps, held its call and let it through with Step');

  // Stop Gym Server in the title bar: every session ends, no container is left.
  await header.hover();
  await view.locator('.actions a.action-label[aria-label="Stop Gym Server"]').click();
  await view.locator('.monaco-button', { hasText: 'Start Gym Server' }).waitFor({ timeout: 60_000 });
  const left = containersOf(containerSession);
  if (left.length) throw new Error(`containers left after Stop Gym Server: ${left.join(', ')}`);
  await shot(page, '05-stopped');
  // The session is a row of the instance's run table beside the agent's rollouts, named after its client.
  const runRow = live.locator('#runs-table tbody tr', { hasText: 'my-openhands-fork (gym)' }).first();
  await runRow.waitFor({ timeout: 15_000 });
  await runRow.scrollIntoViewIfNeeded();
  await shot(page, '06-run-table');
  // The ended session's trajectory opens from the live view, as a rollout's does.
  await live.locator('#btn-trajectory').click();
  await page.locator('.tabs-container .tab', { hasText: /swe-gym-studio__textkit-12_\d+\.json/ }).waitFor({ timeout: 15_000 });
}

void freePort().then((gymPort) =>
  runUiFlow(
    {
      name: 'ui-gym',
      shotPrefix: 'gym-',
      window: 'workspace',
      viewport: { width: 1400, height: 860 },
      settings: { 'sweGym.gym.port': gymPort },
      // The server's session containers carry no workspace label: removed here whatever happened.
      cleanup: async () => {
        for (const id of containersOf(containerSession)) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      },
    },
    async ({ page, dirs, url, port }) => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await switchTheme(page, dirs, 'dark');
      await run(page, gymPort);
    },
  ),
);
