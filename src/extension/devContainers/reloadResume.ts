import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReloadResume, StateStore } from '../state/stateStore';
import type { Logger } from '../util/logger';

/** Longer ago than this, a leftover resume note is from another time and is dropped. */
const FRESH_MS = 5 * 60_000;
/**
 * How long a workspace just entered may take to list its folders. In code-server the workspace
 * file lives on the remote, and VS Code first answers from a cache (empty for a new workspace),
 * then reads the file once the remote file system is up: an extension host that starts in
 * between sees no folders yet.
 */
const FOLDERS_SETTLE_MS = 10_000;
/** How long this extension host waits to be restarted by a folder change that should restart it. */
const RESTART_GRACE_MS = 30_000;
/** How long VS Code may take to list a folder after its workspace file was rewritten. */
const REREAD_MS = 10_000;

/**
 * Thrown by work that a launch's window reload cut short: this extension host is going away and
 * the next activation resumes the work, so callers stay quiet about it.
 */
export class WindowReloadingError extends Error {
  constructor(instanceId: string) {
    super(`The window reloads to add ${instanceId}'s folder; the work resumes after the reload.`);
    this.name = 'WindowReloadingError';
  }
}

/**
 * VS Code adds a folder without reloading only to a workspace (untitled or saved) that already
 * has a first folder; a single-folder window becomes a workspace, and an empty window gets its
 * first folder, only by reloading (or restarting the extension host).
 */
export function addingFolderReloads(): boolean {
  return !vscode.workspace.workspaceFile || (vscode.workspace.workspaceFolders ?? []).length === 0;
}

/**
 * Whether appending a folder now ends this extension host (see workspace.updateWorkspaceFolders):
 * a window that is not a workspace yet is reloaded into one; in a workspace, a change of the
 * first folder restarts the extension host (code-server reloads the window for it), except in an
 * extension test run (`testMode`), where VS Code leaves the host alone.
 */
export function appendingFolderEndsHost(testMode: boolean): boolean {
  if (!vscode.workspace.workspaceFile) return true;
  return (vscode.workspace.workspaceFolders ?? []).length === 0 && !testMode;
}

export interface ResumeOptions {
  /** The extension runs under an extension test runner (ExtensionMode.Test). */
  testMode: boolean;
}

/**
 * After that one reload, puts the window back as the user left it: the SWE-Gym sidebar (not the
 * Explorer a new workspace starts with), no Welcome page, the instance's folder in the workspace,
 * and a word on why the window reloaded.
 *
 * Everything waiting for the reload (an agent start, the terminal, the page) runs after this
 * resolves. When the folder must be added again in a way that ends this extension host, it does
 * not resolve until the host survived the change: the waiting work stays recorded and the next
 * host, which finds the folder in place, resumes it.
 */
export async function resumeAfterReload(state: StateStore, log: Logger, options: ResumeOptions): Promise<string | undefined> {
  const stored = state.reloadResume();
  if (!stored) return undefined;
  const resume = { ...stored };
  if (Date.now() - stored.at > FRESH_MS) {
    await state.setReloadResume(undefined);
    return undefined;
  }
  await vscode.commands.executeCommand('workbench.view.extension.sweGym');
  closeStartupPages(20_000);
  const dir = resume.workspaceDir;
  const listed = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).join(', ') || 'no folders';
  log.info(`After the reload: ${vscode.workspace.workspaceFile?.toString() ?? 'no workspace file'} lists ${listed()}`);
  const since = Date.now();
  const present = await folderPresent(dir, vscode.workspace.workspaceFile ? FOLDERS_SETTLE_MS : 0);
  if (present && Date.now() - since > 50) log.info(`VS Code listed ${dir} ${Date.now() - since} ms after activation`);
  if (fs.existsSync(dir) && !present) {
    log.info(`Still not listed after ${Date.now() - since} ms: ${listed()}`);
    const endsHost = appendingFolderEndsHost(options.testMode);
    const file = vscode.workspace.workspaceFile;
    if (!resume.reread && file?.scheme === 'file' && fileMentions(file.fsPath, path.basename(dir))) {
      // code-server builds the window's folder list from a cache and then reads the file; under
      // load that read's result can be dropped, and the window shows "No folder opened" for
      // good while the file lists the folder. Rewriting the file makes VS Code read it again.
      resume.reread = true;
      await state.setReloadResume({ ...resume, at: Date.now() });
      log.warn(`The workspace file ${file.fsPath} lists ${dir} but VS Code does not (a stale folder list); rewriting the file so that VS Code reads it again`);
      fs.writeFileSync(file.fsPath, fs.readFileSync(file.fsPath));
      if (await folderPresent(dir, REREAD_MS)) {
        log.info(`VS Code lists ${dir} after reading the workspace file again`);
        if (endsHost) await restartGrace(log, dir);
        return finish(state, resume);
      }
      log.warn(`VS Code still does not list ${dir} ${REREAD_MS / 1000} s after the workspace file was rewritten`);
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (endsHost && resume.readded) {
      // The host that added it was restarted and the folder is still not there: adding it again
      // would only restart this host too, with the waiting work lost a second time.
      log.warn(`The reload did not keep ${dir} in the workspace, and adding it once did not either; not adding it again (Show folder adds it)`);
    } else if (endsHost) {
      // The record stays (and with it the pending agent start, terminal and page) for the next host.
      await state.setReloadResume({ ...resume, at: Date.now(), readded: true });
      log.warn(`The reload did not keep ${dir} in the workspace (${folders.length} folders); adding it restarts this extension host, so what waits for the reload resumes in the next one`);
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri: vscode.Uri.file(dir), name: resume.instanceId });
      await restartGrace(log, dir);
    } else {
      log.warn(`The reload did not keep ${dir} in the workspace; adding it`);
      const added = folderPresent(dir, 5000);
      vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri: vscode.Uri.file(dir), name: resume.instanceId });
      await added;
    }
  }
  return finish(state, resume);
}

async function finish(state: StateStore, resume: ReloadResume): Promise<string> {
  await state.setReloadResume(undefined);
  void vscode.window.showInformationMessage(
    `VS Code reloaded this window once to add the folder of ${resume.instanceId}: a single-folder window becomes a workspace only that way. Launches in this window now add their folder without a reload.`,
  );
  return resume.instanceId;
}

/**
 * A first-folder change restarts this extension host: what waits for the reload stays recorded
 * and resumes in the next host. Resolves only when the restart did not come.
 */
async function restartGrace(log: Logger, dir: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, RESTART_GRACE_MS));
  log.warn(`The extension host was not restarted ${RESTART_GRACE_MS / 1000} s after ${dir} was added; resuming here`);
}

/** Whether the workspace file's text names the folder (a cheap test: a false yes costs only a reread). */
function fileMentions(file: string, folderName: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').includes(folderName);
  } catch {
    return false;
  }
}

/** Whether `dir` is a folder of the workspace, now or (waiting up to `ms`) once VS Code lists it. */
function folderPresent(dir: string, ms: number): Promise<boolean> {
  const present = () => (vscode.workspace.workspaceFolders ?? []).some((f) => f.uri.fsPath === dir);
  if (present() || ms <= 0) return Promise.resolve(present());
  return new Promise<boolean>((resolve) => {
    const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => present() && done());
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      sub.dispose();
      resolve(present());
    }
  });
}

/**
 * The Welcome page or walkthrough a new workspace opens with, closed as it shows: once. VS Code
 * opens its startup page only into a window with no other editor, so one that opens beside another
 * tab (the instance's page, say) is the person's, and stays.
 */
function closeStartupPages(ms: number): void {
  const isStartupPage = (tab: vscode.Tab) => tab.input === undefined && /^(Welcome|Walkthrough: )/.test(tab.label);
  const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  const close = (): boolean => {
    const pages = tabs().filter(isStartupPage);
    for (const tab of pages) void vscode.window.tabGroups.close(tab, true);
    return pages.length > 0;
  };
  const othersOpen = () => tabs().some((tab) => !isStartupPage(tab));
  if (close() || othersOpen()) return;
  const sub = vscode.window.tabGroups.onDidChangeTabs(() => (othersOpen() || close()) && sub.dispose());
  setTimeout(() => sub.dispose(), ms);
}
