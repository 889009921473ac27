import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import type { SweGymApi } from '../../../src/extension/api';
import { gitDirOf } from '../../../src/core/devcontainer/workspaceLayout';

export const EXTENSION_ID = 'swe-gym-studio.swe-gym-studio';

export async function getApi(): Promise<SweGymApi> {
  const ext = vscode.extensions.getExtension<SweGymApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  await api.ready;
  return api;
}

/** Polls until `check` returns a truthy value (VS Code state such as tabs updates asynchronously). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The docker CLI, independent of the code under test. */
export function docker(...args: string[]): { code: number; out: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * Git on a workspace from the test (the folder itself holds no repository: its metadata lives
 * outside, see workspaceLayout). Only tests do this, on repositories no container has tampered with.
 */
export function git(dir: string, args: string[], input?: string): string {
  const meta = fs.existsSync(gitDirOf(dir)) ? [`--git-dir=${gitDirOf(dir)}`, `--work-tree=${dir}`] : [];
  return execFileSync('git', ['-C', dir, ...meta, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

export function containerExists(id: string): boolean {
  return docker('inspect', '--format', '{{.State.Status}}', id).code === 0;
}

/** Each setting's user value from before the suites first changed it (the launcher writes some, e.g. workspace.root). */
const launcherValues = new Map<string, unknown>();

/**
 * Sets a user setting; `undefined` puts back the value the test window started with, not nothing:
 * clearing the launcher's workspace.root sent every later suite's workspaces to ~/swe-gym-workspaces,
 * where they outlived the run and the next run reused them, edits and all.
 */
export async function setSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration('sweGym');
  if (!launcherValues.has(key)) launcherValues.set(key, config.inspect(key)?.globalValue);
  await config.update(key, value === undefined ? launcherValues.get(key) : value, vscode.ConfigurationTarget.Global);
}

/**
 * Replaces a file's whole text in its editor buffer and saves it, as a person does (`show`: in an
 * editor first). On a loaded host VS Code now and then answers false to a save and leaves the buffer
 * dirty (nothing written); a person presses Ctrl+S again, and so does this. Fails unless the file
 * then holds `text`.
 */
export async function replaceAndSave(file: string, text: string, options: { show?: boolean } = {}): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  if (options.show) await vscode.window.showTextDocument(doc);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), `the edit of ${file} was refused`);
  let saved = await doc.save();
  if (!saved && doc.isDirty) {
    console.log(`      save of ${file} answered false; saving again`);
    await new Promise((r) => setTimeout(r, 1000));
    saved = await doc.save();
  }
  const onDisk = fs.readFileSync(file, 'utf8');
  assert.equal(onDisk, text, `not saved: ${file} (save answered ${saved}, closed ${doc.isClosed}, dirty ${doc.isDirty}, version ${doc.version})`);
  return doc;
}

/**
 * Answers the open difficulty question `step` as a person does with the keyboard: Down `downs`
 * times from the item the form starts on, then Enter (the notes step: Enter on its text).
 */
export async function answerFormStep(api: { annotations: { formStep: string | undefined } }, step: string, downs: number): Promise<void> {
  await waitFor(`the "${step}" question`, () => api.annotations.formStep === step, 60_000);
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < downs; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/** Closes the open difficulty questions as Escape does, and waits until they are gone. */
export async function closeForm(api: { annotations: { formStep: string | undefined } }): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  await waitFor('the difficulty questions to close', () => api.annotations.formStep === undefined);
}
