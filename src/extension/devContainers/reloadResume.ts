import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { StateStore } from '../state/stateStore';
import type { Logger } from '../util/logger';

/** Longer ago than this, a leftover resume note is from another time and is dropped. */
const FRESH_MS = 5 * 60_000;

/**
 * VS Code adds a folder without reloading only to a workspace (untitled or saved) that already
 * has a first folder; a single-folder window becomes a workspace, and an empty window gets its
 * first folder, only by reloading (or restarting the extension host).
 */
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

export function addingFolderReloads(): boolean {
  return !vscode.workspace.workspaceFile || (vscode.workspace.workspaceFolders ?? []).length === 0;
}

/**
 * After that one reload, puts the window back as the user left it: the SWE-Gym sidebar (not the
 * Explorer a new workspace starts with), no Welcome page, the instance's folder in the workspace,
 * and a word on why the window reloaded.
 */
export async function resumeAfterReload(state: StateStore, log: Logger): Promise<string | undefined> {
  const resume = state.reloadResume();
  if (!resume) return undefined;
  await state.setReloadResume(undefined);
  if (Date.now() - resume.at > FRESH_MS) return undefined;
  await vscode.commands.executeCommand('workbench.view.extension.sweGym');
  closeStartupPages(20_000);
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.some((f) => f.uri.fsPath === resume.workspaceDir) && fs.existsSync(resume.workspaceDir)) {
    log.warn(`The reload did not keep ${resume.workspaceDir} in the workspace; adding it`);
    vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri: vscode.Uri.file(resume.workspaceDir), name: resume.instanceId });
  }
  void vscode.window.showInformationMessage(
    `VS Code reloaded this window once to add the folder of ${resume.instanceId}: a single-folder window becomes a workspace only that way. Launches in this window now add their folder without a reload.`,
  );
  return resume.instanceId;
}

/**
 * The Welcome page or walkthrough a new workspace opens with, closed as it shows: once. A page the
 * person opens after that (the walkthrough, say) is theirs and stays.
 */
function closeStartupPages(ms: number): void {
  const close = (): boolean => {
    const pages = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => tab.input === undefined && /^(Welcome|Walkthrough: )/.test(tab.label));
    for (const tab of pages) void vscode.window.tabGroups.close(tab, true);
    return pages.length > 0;
  };
  if (close()) return;
  const sub = vscode.window.tabGroups.onDidChangeTabs(() => close() && sub.dispose());
  setTimeout(() => sub.dispose(), ms);
}
