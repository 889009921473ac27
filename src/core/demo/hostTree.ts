import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFile, readRegularFileSync, UnsafeFileError } from '../hostfs/safeRead';
import type { FileState } from './fileState';

/** Larger files are not recorded (a recording of them would be unusable anyway). */
export const MAX_RECORDED_FILE_BYTES = 64 * 1024 * 1024;
/**
 * Files up to this size are read synchronously: about a millisecond, where the asynchronous read
 * takes six trips through libuv's thread pool, each a wait of its own on a loaded host (a save's
 * p95). Larger ones keep the caller's event loop free.
 */
const SYNC_READ_BYTES = 2 * 1024 * 1024;

/**
 * One path of a workspace folder as a FileState: links are read as links (never followed),
 * regular files through the safe reader (the folder is the container's bind mount), anything else
 * (a folder, a FIFO) is absent.
 */
export async function readHostState(root: string, rel: string): Promise<FileState | undefined> {
  const abs = path.join(root, rel);
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (!st) return undefined;
  if (st.isSymbolicLink()) return { kind: 'symlink', target: await fs.promises.readlink(abs) };
  if (!st.isFile()) return undefined;
  try {
    const options = { maxBytes: MAX_RECORDED_FILE_BYTES, root };
    const bytes = st.size <= SYNC_READ_BYTES ? readRegularFileSync(abs, options) : await readRegularFile(abs, options);
    return { kind: 'file', bytes, executable: (st.mode & 0o100) !== 0 };
  } catch (err) {
    if (err instanceof UnsafeFileError && err.reason === 'missing') return undefined;
    throw err;
  }
}

/** Every file and link under `root` (repository-relative POSIX paths), `.git` left out. */
export async function readHostTree(root: string, options: { exclude?: (rel: string) => boolean } = {}): Promise<Map<string, FileState>> {
  const out = new Map<string, FileState>();
  const walk = async (relDir: string): Promise<void> => {
    const entries = await fs.promises.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (rel === '.git' || options.exclude?.(rel)) continue;
      if (e.isDirectory()) await walk(rel);
      else {
        const state = await readHostState(root, rel);
        if (state) out.set(rel, state);
      }
    }
  };
  await walk('');
  return out;
}
