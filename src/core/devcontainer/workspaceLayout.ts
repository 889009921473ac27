import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFileSync, UnsafeFileError } from '../hostfs/safeRead';

/** Kept inside .git so it is never part of the workspace diff. */
const MARKER = path.join('.git', 'swe-gym-studio.json');
/** A marker is a few hundred bytes; the container can write it, so anything else is refused. */
const MARKER_MAX_BYTES = 64 * 1024;

export interface WorkspaceMarker {
  instanceId: string;
  baseCommit: string;
  image: string;
  createdAt: string;
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

/** One folder per instance; ids are GitHub names (`owner__repo-123`), anything else is replaced. */
export function workspaceDirFor(root: string, instanceId: string): string {
  const safe = instanceId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (safe === '') throw new WorkspaceError('An empty instance id has no workspace folder');
  return path.join(path.resolve(root), safe);
}

/**
 * The marker, or undefined when there is none (or it is not ours). The container can write it: a
 * marker that is not a small regular file (a FIFO, a link to /dev/zero) is a WorkspaceError,
 * found without blocking and without reading more than the limit.
 */
export function readWorkspaceMarker(dir: string): WorkspaceMarker | undefined {
  let text: string;
  try {
    text = readRegularFileSync(path.join(dir, MARKER), { maxBytes: MARKER_MAX_BYTES, root: dir }).toString('utf8');
  } catch (err) {
    if (err instanceof UnsafeFileError && err.reason === 'missing') return undefined;
    const why = err instanceof Error ? err.message : String(err);
    throw new WorkspaceError(`The workspace marker of ${dir} cannot be trusted: ${why} Something in the container replaced it; stop and remove the instance and move the folder away.`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<WorkspaceMarker>;
    if (typeof parsed.instanceId !== 'string' || typeof parsed.baseCommit !== 'string') return undefined;
    return parsed as WorkspaceMarker;
  } catch {
    return undefined;
  }
}

export function writeWorkspaceMarker(dir: string, marker: WorkspaceMarker): void {
  // Never written through a link the copied repository might hold at that name.
  const fd = fs.openSync(path.join(dir, MARKER), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644);
  try {
    fs.writeFileSync(fd, JSON.stringify(marker, null, 2) + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

/** Is this a usable workspace of that instance (still there, still a repository)? */
export function checkWorkspace(dir: string, instanceId: string): { ok: true } | { ok: false; problem: string } {
  if (!fs.existsSync(dir)) return { ok: false, problem: `The workspace folder ${dir} was deleted.` };
  if (!fs.existsSync(path.join(dir, '.git'))) return { ok: false, problem: `The workspace folder ${dir} is no longer a git repository (.git was removed).` };
  let marker: WorkspaceMarker | undefined;
  try {
    marker = readWorkspaceMarker(dir);
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
  if (marker && marker.instanceId !== instanceId) return { ok: false, problem: `${dir} belongs to ${marker.instanceId}, not ${instanceId}.` };
  return { ok: true };
}
