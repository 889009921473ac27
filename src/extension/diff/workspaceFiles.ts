import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isInside, readRegularFile, UnsafeFileError } from '../../core/hostfs/safeRead';
import { writeRegularFile } from '../../core/hostfs/safeWrite';
import { describeWorkspaceEntry, type WorkspaceEntry } from '../../core/hostfs/workspacePath';
import { Disposable } from '../util/disposable';

export const WORKSPACE_FILE_SCHEME = 'swe-gym-file';
/** Diff views are for reading code; a larger file is refused rather than loaded into the editor. */
export const MAX_DIFF_FILE_BYTES = 16 * 1024 * 1024;

/** The workspace file at `abs`, served by WorkspaceFiles. */
export function workspaceFileUri(abs: string): vscode.Uri {
  return vscode.Uri.from({ scheme: WORKSPACE_FILE_SCHEME, path: abs });
}

/**
 * The right-hand side of diff views: files of a running instance's workspace, which its container
 * can write. Unlike file:// (which follows links), a file is read and saved only as a regular file
 * inside the workspace, opened without following links; a symlink shows its own text, read-only,
 * as git diffs it; anything else (FIFO, device) is refused.
 */
export class WorkspaceFiles extends Disposable implements vscode.FileSystemProvider {
  private readonly changed = this.register(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changed.event;

  constructor(private readonly roots: () => string[]) {
    super();
    this.register(vscode.workspace.registerFileSystemProvider(WORKSPACE_FILE_SCHEME, this, { isCaseSensitive: true }));
  }

  /** The workspace a path belongs to, or an error: nothing outside a running workspace is served. */
  rootOf(abs: string): string {
    const root = this.roots().find((r) => isInside(r, abs) && path.resolve(r) !== abs);
    if (!root) throw vscode.FileSystemError.NoPermissions(`${abs} is not inside the workspace of a running instance.`);
    return root;
  }

  entry(uri: vscode.Uri): WorkspaceEntry {
    const abs = uri.path;
    try {
      return describeWorkspaceEntry(this.rootOf(abs), abs);
    } catch (err) {
      throw asFsError(err, uri);
    }
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    // Folders are stat'ed by saves (VS Code checks a file's parents exist); they are never read.
    if (this.roots().some((r) => path.resolve(r) === uri.path)) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const e = this.entry(uri);
    switch (e.kind) {
      case 'missing':
        throw vscode.FileSystemError.FileNotFound(uri);
      case 'file':
        return { type: vscode.FileType.File, ctime: e.ctimeMs, mtime: e.mtimeMs, size: e.size };
      case 'symlink':
        return { type: vscode.FileType.File, ctime: e.ctimeMs, mtime: e.mtimeMs, size: Buffer.byteLength(e.target), permissions: vscode.FilePermission.Readonly };
      case 'other':
        if (e.what === 'a directory') return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
        return { type: vscode.FileType.File, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const e = this.entry(uri);
    if (e.kind === 'missing') throw vscode.FileSystemError.FileNotFound(uri);
    if (e.kind === 'symlink') return Buffer.from(e.target);
    if (e.kind === 'other') return Buffer.from(`(${path.basename(e.abs)} is ${e.what}: not shown)\n`);
    try {
      return await readRegularFile(e.abs, { maxBytes: MAX_DIFF_FILE_BYTES, root: this.rootOf(e.abs) });
    } catch (err) {
      throw asFsError(err, uri);
    }
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array, options: { readonly create: boolean; readonly overwrite: boolean }): Promise<void> {
    try {
      await writeRegularFile(this.rootOf(uri.path), uri.path, content, options);
    } catch (err) {
      throw asFsError(err, uri);
    }
    // No change event of our own here: the editor that saved knows, and one racing the end of its
    // save made it report the save as failed. The folder watcher reports the write to others.
  }

  /** Edits made in the container or elsewhere on the host reach an open diff. */
  watch(uri: vscode.Uri): vscode.Disposable {
    let watcher: fs.FSWatcher | undefined;
    try {
      this.rootOf(uri.path);
      watcher = fs.watch(path.dirname(uri.path), { persistent: false }, (_event, name) => {
        if (name === null || name === path.basename(uri.path)) this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // Nothing to watch (a deleted file's folder may be gone too).
    }
    return new vscode.Disposable(() => watcher?.close());
  }

  readDirectory(): [string, vscode.FileType][] {
    throw vscode.FileSystemError.NoPermissions('Diff views show single files.');
  }
  createDirectory(): void {
    throw vscode.FileSystemError.NoPermissions('Diff views show single files.');
  }
  delete(): void {
    throw vscode.FileSystemError.NoPermissions('Delete files in the workspace itself.');
  }
  rename(): void {
    throw vscode.FileSystemError.NoPermissions('Rename files in the workspace itself.');
  }
}

function asFsError(err: unknown, uri: vscode.Uri): Error {
  if (err instanceof vscode.FileSystemError) return err;
  if (err instanceof UnsafeFileError) return err.reason === 'missing' ? vscode.FileSystemError.FileNotFound(uri) : vscode.FileSystemError.NoPermissions(err.message);
  return err instanceof Error ? err : new Error(String(err));
}
