import * as fs from 'node:fs';
import * as path from 'node:path';

/** Kept inside .git so it is never part of the workspace diff. */
const MARKER = path.join('.git', 'swe-gym-studio.json');

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

export function readWorkspaceMarker(dir: string): WorkspaceMarker | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as Partial<WorkspaceMarker>;
    if (typeof parsed.instanceId !== 'string' || typeof parsed.baseCommit !== 'string') return undefined;
    return parsed as WorkspaceMarker;
  } catch {
    return undefined;
  }
}

export function writeWorkspaceMarker(dir: string, marker: WorkspaceMarker): void {
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify(marker, null, 2) + '\n');
}

/** Is this a usable workspace of that instance (still there, still a repository)? */
export function checkWorkspace(dir: string, instanceId: string): { ok: true } | { ok: false; problem: string } {
  if (!fs.existsSync(dir)) return { ok: false, problem: `The workspace folder ${dir} was deleted.` };
  if (!fs.existsSync(path.join(dir, '.git'))) return { ok: false, problem: `The workspace folder ${dir} is no longer a git repository (.git was removed).` };
  const marker = readWorkspaceMarker(dir);
  if (marker && marker.instanceId !== instanceId) return { ok: false, problem: `${dir} belongs to ${marker.instanceId}, not ${instanceId}.` };
  return { ok: true };
}
