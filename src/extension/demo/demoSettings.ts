import * as path from 'node:path';
import * as vscode from 'vscode';

/** The person's name from `sweGym.demo.annotator` (never the OS user), or undefined. */
export function demoAnnotator(): string | undefined {
  return vscode.workspace.getConfiguration('sweGym').get<string>('demo.annotator')?.trim() || undefined;
}

/** Where demonstrations, annotations and campaigns go: `sweGym.demo.outputDir`, or the extension's storage. */
export function demoOutputRoot(globalStorage: vscode.Uri): string {
  const v = vscode.workspace.getConfiguration('sweGym').get<string>('demo.outputDir')?.trim();
  return v ? path.resolve(v) : path.join(globalStorage.fsPath, 'demonstrations');
}
