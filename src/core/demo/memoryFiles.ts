import type { EditorFiles, PathKind } from '../agent/tools/containerFiles';

/**
 * The editor's file access over a few in-memory files: the encoder runs the real
 * `str_replace_editor` on it to check that an action gives exactly the bytes wanted, and to get the
 * observation a replay will see, without a container.
 */
export class MemoryFiles implements EditorFiles {
  private readonly files = new Map<string, Buffer>();

  set(path: string, bytes: Buffer): void {
    this.files.set(path, bytes);
  }

  get(path: string): Buffer | undefined {
    return this.files.get(path);
  }

  kind(path: string): Promise<PathKind> {
    if (this.files.has(path)) return Promise.resolve('file');
    const dir = path.endsWith('/') ? path : `${path}/`;
    for (const p of this.files.keys()) if (p.startsWith(dir)) return Promise.resolve('directory');
    return Promise.resolve('missing');
  }

  read(path: string): Promise<Buffer> {
    const b = this.files.get(path);
    return b ? Promise.resolve(b) : Promise.reject(new Error(`No file ${path}`));
  }

  write(path: string, content: string): Promise<void> {
    this.files.set(path, Buffer.from(content, 'utf8'));
    return Promise.resolve();
  }

  listTwoLevels(): Promise<{ stdout: string; failed: boolean }> {
    return Promise.resolve({ stdout: '', failed: true });
  }
}
