/**
 * Starts a private code-server (a real VS Code, offline) and headless Chromium for the
 * extension-host and UI tests. Every run gets its own XDG/TMPDIR/user-data folders, so nothing
 * leaks into $HOME and runs never see each other's state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface RunDirs {
  root: string;
  userData: string;
  extensions: string;
  /** The window's first folder (launched instances are added next to it). */
  folder: string;
  /**
   * A multi-root workspace holding `folder`. Tests open it rather than the bare folder: adding a
   * folder to a single-folder window turns it into a workspace by reloading the window, which
   * would end the test run with it.
   */
  workspaceFile: string;
  /** sweGym.workspace.root */
  workspaces: string;
  tmp: string;
}

export function makeRunDirs(label: string, settings: Record<string, unknown> = {}): RunDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `swe-gym-${label}-`));
  const dirs: RunDirs = {
    root,
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    folder: path.join(root, 'folder'),
    workspaceFile: path.join(root, 'test.code-workspace'),
    workspaces: path.join(root, 'workspaces'),
    tmp: path.join(root, 'tmp'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.folder, dirs.workspaces, dirs.tmp, ...['config', 'data', 'cache'].map((x) => path.join(root, 'xdg', x))]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'git.enabled': false,
        'sweGym.workspace.root': dirs.workspaces,
        // The suites and flows were written for a container on the folder itself; c2_earlyLaunch turns the early launch on.
        'sweGym.workspace.earlyPrompt': false,
        // The language server's npm artifacts, fetched once per checkout (scripts/test-extension.sh).
        'sweGym.languageServer.cacheDir': process.env.SWE_GYM_LS_CACHE ?? path.join(REPO_ROOT, '.cache', 'language-server'),
        ...settings,
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dirs.folder, 'README.md'), '# SWE-Gym Studio test window\n');
  fs.writeFileSync(dirs.workspaceFile, JSON.stringify({ folders: [{ path: dirs.folder }], settings: {} }, null, 2));
  return dirs;
}

export function codeServerBin(): string {
  const fromEnv = process.env.CODE_SERVER_BIN;
  const bin = fromEnv ?? path.join(REPO_ROOT, '.cache', 'code-server-4.100.3', 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) throw new Error(`code-server not found at ${bin}; run scripts/lib/ensure-code-server.sh`);
  return bin;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  port: number;
  process: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

export async function startCodeServer(dirs: RunDirs, env: Record<string, string> = {}): Promise<CodeServer> {
  const port = await freePort();
  const log: string[] = [];
  const child = spawn(
    codeServerBin(),
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--config', '/dev/null',
      '--user-data-dir', dirs.userData,
      '--extensions-dir', dirs.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ],
    {
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(dirs.root, 'xdg', 'config'),
        XDG_DATA_HOME: path.join(dirs.root, 'xdg', 'data'),
        XDG_CACHE_HOME: path.join(dirs.root, 'xdg', 'cache'),
        TMPDIR: dirs.tmp,
        ...env,
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (d: Buffer) => {
    log.push(d.toString());
    if (log.length > 500) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${log.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on port ${port} within 60 s:\n${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, process: child, log, stop };
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** about:blank first: closing on the workbench leaves the extension host running for hours. */
export async function closeBrowser(browser: Browser, page?: Page): Promise<void> {
  try {
    if (page && !page.isClosed()) await page.goto('about:blank', { timeout: 10_000 });
  } catch {
    // The page may already be gone.
  }
  await browser.close().catch(() => undefined);
}

/** Opens `target`: a .code-workspace file as a workspace, anything else as a folder. */
export function workbenchUrl(port: number, target: string, payload?: [string, string][]): string {
  const kind = target.endsWith('.code-workspace') ? 'workspace' : 'folder';
  let url = `http://127.0.0.1:${port}/?${kind}=${encodeURIComponent(target)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}
