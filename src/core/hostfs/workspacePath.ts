import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, kindOf, UnsafeFileError } from './safeRead';

/**
 * Paths that come from the container (a candidate patch made by its git, which it can replace or
 * configure with `diff.external`) are untrusted: they must name something inside the workspace.
 */
export function resolveWorkspacePath(root: string, rel: string): string {
  const problem = workspacePathProblem(rel);
  if (problem) throw new UnsafeFileError('outside', rel, `The path ${JSON.stringify(rel)} from the workspace's diff ${problem}; it is not opened.`);
  const abs = path.resolve(root, rel);
  if (!isInside(root, abs) || abs === path.resolve(root)) throw new UnsafeFileError('outside', rel, `The path ${JSON.stringify(rel)} is outside the workspace; it is not opened.`);
  return abs;
}

function workspacePathProblem(rel: string): string | undefined {
  if (rel === '' || rel === '/dev/null') return 'is empty';
  if (rel.includes('\0')) return 'holds a NUL byte';
  if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) return 'is absolute';
  const parts = rel.split(/[\\/]/);
  if (parts.includes('..')) return 'climbs out with ..';
  if (parts[0] === '.git') return 'is inside .git';
  return undefined;
}

export type WorkspaceEntry =
  | { kind: 'file'; abs: string; size: number; mtimeMs: number; ctimeMs: number }
  | { kind: 'symlink'; abs: string; target: string; mtimeMs: number; ctimeMs: number }
  | { kind: 'missing'; abs: string }
  | { kind: 'other'; abs: string; what: string };

/**
 * What is at a workspace path, without following it: a symlink is described by its own text.
 * Its parent folders must resolve inside the workspace (a symlinked parent leading out is refused).
 */
export function describeWorkspaceEntry(root: string, abs: string): WorkspaceEntry {
  if (!isInside(root, abs)) throw new UnsafeFileError('outside', abs, `${abs} is outside the workspace ${root}.`);
  let realParent: string;
  try {
    realParent = fs.realpathSync.native(path.dirname(abs));
  } catch {
    return { kind: 'missing', abs };
  }
  if (!isInside(fs.realpathSync.native(root), realParent)) throw new UnsafeFileError('outside', abs, `${abs} lies under a link that leads to ${realParent}, outside the workspace.`);
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return { kind: 'missing', abs };
  if (st.isSymbolicLink()) return { kind: 'symlink', abs, target: fs.readlinkSync(abs), mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  if (st.isFile()) return { kind: 'file', abs, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  return { kind: 'other', abs, what: kindOf(st) };
}
