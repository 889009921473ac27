import * as vscode from 'vscode';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { Disposable } from '../util/disposable';

export const CONTAINER_SCHEME = 'swe-gym-container';
/** Files opened from a container are for reading: a dependency's source, not a 100 MB blob. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * `swe-gym-container:/<instance key>/<path in the container>`: files that live only in an
 * instance's container (site-packages, the stdlib, the server's stubs), read from it, read-only.
 * The instance key comes first in the path so the tab's breadcrumbs say where the file lives.
 */
export function containerUri(key: string, containerPath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CONTAINER_SCHEME, path: `/${key}${containerPath}` });
}

/** Splits a container URI into its instance key and its path in the container. */
export function parseContainerUri(uri: vscode.Uri): { key: string; containerPath: string } | undefined {
  if (uri.scheme !== CONTAINER_SCHEME) return undefined;
  const m = /^\/([^/]+)(\/.*)$/.exec(uri.path);
  return m ? { key: m[1] as string, containerPath: m[2] as string } : undefined;
}

export class ContainerFileSystem extends Disposable implements vscode.FileSystemProvider {
  private readonly containers = new Map<string, ContainerHandle>();
  private readonly emitter = this.register(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.emitter.event;

  constructor() {
    super();
    this.register(vscode.workspace.registerFileSystemProvider(CONTAINER_SCHEME, this, { isCaseSensitive: true, isReadonly: true }));
  }

  /** Files of `key` are read from this container until the returned disposable is disposed. */
  attach(key: string, container: ContainerHandle): vscode.Disposable {
    this.containers.set(key, container);
    return new vscode.Disposable(() => {
      if (this.containers.get(key) === container) this.containers.delete(key);
    });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const { container, containerPath } = this.resolve(uri);
    // Links are followed (the stdlib has some); -L reports the target.
    const r = await container.exec(['stat', '-L', '-c', '%F|%s|%Y', containerPath], { timeoutMs: 15_000 });
    if (r.exitCode !== 0) throw vscode.FileSystemError.FileNotFound(uri);
    const [kind, size, mtime] = r.stdout.trim().split('|');
    const type = kind === 'directory' ? vscode.FileType.Directory : kind?.startsWith('regular') ? vscode.FileType.File : vscode.FileType.Unknown;
    const ms = Number(mtime) * 1000;
    return { type, size: Number(size) || 0, ctime: ms, mtime: ms, permissions: vscode.FilePermission.Readonly };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    const { container, containerPath } = this.resolve(uri);
    const r = await container.exec(['find', containerPath, '-mindepth', '1', '-maxdepth', '1', '-printf', '%f\\0%y\\0'], { timeoutMs: 15_000 });
    if (r.exitCode !== 0) throw vscode.FileSystemError.FileNotFound(uri);
    const parts = r.stdout.split('\0');
    const out: [string, vscode.FileType][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i] as string, parts[i + 1] === 'd' ? vscode.FileType.Directory : vscode.FileType.File]);
    return out;
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { container, containerPath } = this.resolve(uri);
    // Through a shell reading the link target, capped: the container's files are not trusted to be small or regular.
    const r = await container.exec(['sh', '-c', 'f=$(readlink -f -- "$0") && [ -f "$f" ] && head -c "$1" -- "$f"', containerPath, String(MAX_FILE_BYTES + 1)], {
      timeoutMs: 30_000,
      maxOutputBytes: MAX_FILE_BYTES + 1,
    });
    if (r.exitCode !== 0) throw vscode.FileSystemError.FileNotFound(uri);
    const bytes = Buffer.from(r.stdout, 'utf8');
    if (bytes.length > MAX_FILE_BYTES) throw vscode.FileSystemError.Unavailable(`${containerPath} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    return bytes;
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  private resolve(uri: vscode.Uri): { container: ContainerHandle; containerPath: string } {
    const parsed = parseContainerUri(uri);
    const container = parsed && this.containers.get(parsed.key);
    if (!parsed || !container) throw vscode.FileSystemError.Unavailable(`${uri.toString()}: that instance's container is not running.`);
    return { container, containerPath: parsed.containerPath };
  }
}
