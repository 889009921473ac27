import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Reads of files a container can write (the workspace is its bind mount): the file must be a
 * regular file, under a size limit, and, given a root, live inside it. The file is opened without
 * following a final symlink and without blocking (a FIFO never hangs the caller); every check is
 * made on the opened descriptor, so swapping the file after a check gains nothing.
 */

export type UnsafeReason = 'missing' | 'symlink' | 'not-regular' | 'too-large' | 'outside';

export class UnsafeFileError extends Error {
  override name = 'UnsafeFileError';
  constructor(
    readonly reason: UnsafeReason,
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SafeReadOptions {
  /** Larger files are refused, not truncated. */
  maxBytes: number;
  /** The file must resolve to a path inside this folder (symlinked parents included). */
  root?: string;
}

// O_NONBLOCK: opening a FIFO returns at once; O_NOCTTY: a terminal device never becomes ours.
const READ_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

export function readRegularFileSync(file: string, options: SafeReadOptions): Buffer {
  const abs = path.resolve(file);
  if (options.root !== undefined) requireLexicallyInside(options.root, abs);
  refuseObviousNonFiles(fs.lstatSync(abs, { throwIfNoEntry: false }), abs);
  let fd: number;
  try {
    fd = fs.openSync(abs, READ_FLAGS);
  } catch (err) {
    throw openError(err, abs);
  }
  try {
    const st = fs.fstatSync(fd);
    checkOpened(st, abs, options.maxBytes);
    if (options.root !== undefined) checkSameFileInside(options.root, abs, st, fs.realpathSync.native(abs), (p) => fs.statSync(p));
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, 1 << 20));
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > options.maxBytes) throw tooLarge(abs, options.maxBytes);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

export async function readRegularFile(file: string, options: SafeReadOptions): Promise<Buffer> {
  const abs = path.resolve(file);
  if (options.root !== undefined) requireLexicallyInside(options.root, abs);
  refuseObviousNonFiles(await fs.promises.lstat(abs).catch(() => undefined), abs);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(abs, READ_FLAGS);
  } catch (err) {
    throw openError(err, abs);
  }
  try {
    const st = await handle.stat();
    checkOpened(st, abs, options.maxBytes);
    if (options.root !== undefined) checkSameFileInside(options.root, abs, st, await fs.promises.realpath(abs), (p) => fs.statSync(p));
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, 1 << 20));
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) throw tooLarge(abs, options.maxBytes);
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

export async function readRegularText(file: string, options: SafeReadOptions): Promise<string> {
  return (await readRegularFile(file, options)).toString('utf8');
}

/** Is `child` (absolute) `root` itself or below it, by its text alone? */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(path.resolve(root), child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

function requireLexicallyInside(root: string, abs: string): void {
  if (!isInside(root, abs)) throw new UnsafeFileError('outside', abs, `${abs} is outside ${path.resolve(root)}; it is not read.`);
}

/** A cheap pre-check so a device node or FIFO is not even opened in the common case. */
function refuseObviousNonFiles(st: fs.Stats | undefined, abs: string): void {
  if (!st) throw new UnsafeFileError('missing', abs, `${abs} does not exist.`);
  if (st.isSymbolicLink()) throw symlinkError(abs);
  if (!st.isFile()) throw notRegular(abs, st);
}

function checkOpened(st: fs.Stats, abs: string, maxBytes: number): void {
  if (!st.isFile()) throw notRegular(abs, st);
  if (st.size > maxBytes) throw tooLarge(abs, maxBytes);
}

/**
 * The opened file must be the file at the real path, inside the root. A parent swapped for a
 * symlink after open changes the real path or the inode, and both are checked on what was opened.
 */
function checkSameFileInside(root: string, abs: string, opened: fs.Stats, real: string, stat: (p: string) => fs.Stats): void {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync.native(path.resolve(root));
  } catch {
    throw new UnsafeFileError('outside', abs, `${abs}: its folder ${root} is gone; it is not read.`);
  }
  if (!isInside(realRoot, real)) throw new UnsafeFileError('outside', abs, `${abs} resolves to ${real}, outside ${realRoot}; it is not read.`);
  const now = stat(real);
  if (now.dev !== opened.dev || now.ino !== opened.ino) throw new UnsafeFileError('outside', abs, `${abs} changed while it was opened; it is not read.`);
}

function openError(err: unknown, abs: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return symlinkError(abs);
  if (code === 'ENOENT' || code === 'ENOTDIR') return new UnsafeFileError('missing', abs, `${abs} does not exist.`);
  return err instanceof Error ? err : new Error(String(err));
}

function symlinkError(abs: string): UnsafeFileError {
  return new UnsafeFileError('symlink', abs, `${abs} is a symbolic link; links are not followed.`);
}

function notRegular(abs: string, st: fs.Stats): UnsafeFileError {
  return new UnsafeFileError('not-regular', abs, `${abs} is not a regular file (it is ${kindOf(st)}); it is not read.`);
}

function tooLarge(abs: string, maxBytes: number): UnsafeFileError {
  return new UnsafeFileError('too-large', abs, `${abs} is larger than ${formatBytes(maxBytes)}; it is not read.`);
}

export function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${Math.round(n / (1 << 20))} MiB`;
  if (n >= 1 << 10) return `${Math.round(n / (1 << 10))} KiB`;
  return `${n} bytes`;
}
