import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, kindOf, UnsafeFileError } from './safeRead';

const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

/**
 * Writes a file inside `root` (an edit saved from a diff view) without following a link: an
 * existing file must be a regular file inside the root (checked on the opened descriptor, as
 * reads are); a new one is created exclusively, so a link planted in the meantime is not written
 * through.
 */
export async function writeRegularFile(root: string, file: string, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
  const abs = path.resolve(file);
  if (!isInside(root, abs) || abs === path.resolve(root)) throw new UnsafeFileError('outside', abs, `${abs} is outside ${root}; it is not written.`);
  const realRoot = await fs.promises.realpath(root);
  const realParent = await fs.promises.realpath(path.dirname(abs)).catch(() => undefined);
  if (!realParent) throw new UnsafeFileError('missing', abs, `The folder of ${abs} does not exist.`);
  if (!isInside(realRoot, realParent)) throw new UnsafeFileError('outside', abs, `${abs} lies under a link that leads outside ${realRoot}; it is not written.`);
  const exists = (await fs.promises.lstat(abs).catch(() => undefined)) !== undefined;
  if (exists && !options.overwrite) throw new UnsafeFileError('outside', abs, `${abs} already exists.`);
  if (!exists && !options.create) throw new UnsafeFileError('missing', abs, `${abs} does not exist.`);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(abs, exists ? WRITE_FLAGS : WRITE_FLAGS | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UnsafeFileError('symlink', abs, `${abs} is a symbolic link; it is not written through.`);
    if (code === 'EEXIST') throw new UnsafeFileError('outside', abs, `${abs} appeared while it was being created; it is not written.`);
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeFileError('not-regular', abs, `${abs} is ${kindOf(st)}; it is not written.`);
    const real = await fs.promises.realpath(abs);
    const now = await fs.promises.stat(real);
    if (!isInside(realRoot, real) || now.ino !== st.ino || now.dev !== st.dev) throw new UnsafeFileError('outside', abs, `${abs} moved outside ${realRoot} while it was opened; it is not written.`);
    await handle.truncate(0);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
