import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFileSync, UnsafeFileError } from '../hostfs/safeRead';

/**
 * A workspace is two folders. The one users see and edit, `<root>/<id>`, holds the working tree
 * only. The repository metadata the dev container mounts at /testbed/.git, and our marker, live
 * in `<root>/.swe-gym-studio/<id>/`, which nothing on the host opens: code in the container can
 * write git configuration, hooks and attributes, and host-side git (VS Code's Git extension runs
 * `git status` by itself) would honour them if they sat in the folder it opens.
 */
const META_DIR = '.swe-gym-studio';
const MARKER = 'workspace.json';
/** Beside the marker while a launch copies the repository; gone once the marker is written. */
const COPYING = 'copying.json';
/** Where the marker lived before the metadata moved out (still read, to adopt old workspaces). */
const LEGACY_MARKER = path.join('.git', 'swe-gym-studio.json');
/** A marker is a few hundred bytes; a legacy one the container could write, so anything else is refused. */
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

/** The workspace's metadata folder (outside the folder users open). */
export function metaDirOf(workspaceDir: string): string {
  return path.join(path.dirname(workspaceDir), META_DIR, path.basename(workspaceDir));
}

/** The repository metadata the dev container sees as /testbed/.git. */
export function gitDirOf(workspaceDir: string): string {
  return path.join(metaDirOf(workspaceDir), 'git');
}

/**
 * The marker, or undefined when there is none (or it is not ours). One that is not a small
 * regular file (a FIFO, a link to /dev/zero) is a WorkspaceError, found without blocking and
 * without reading more than the limit.
 */
export function readWorkspaceMarker(dir: string): WorkspaceMarker | undefined {
  for (const [file, root] of [
    [path.join(metaDirOf(dir), MARKER), metaDirOf(dir)],
    [path.join(dir, LEGACY_MARKER), dir],
  ] as const) {
    let text: string;
    try {
      text = readRegularFileSync(file, { maxBytes: MARKER_MAX_BYTES, root }).toString('utf8');
    } catch (err) {
      if (err instanceof UnsafeFileError && err.reason === 'missing') continue;
      const why = err instanceof Error ? err.message : String(err);
      throw new WorkspaceError(`The workspace marker of ${dir} cannot be trusted: ${why} Something in the container replaced it; stop and remove the instance and move the folder away.`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<WorkspaceMarker>;
      if (typeof parsed.instanceId !== 'string' || typeof parsed.baseCommit !== 'string') continue;
      return parsed as WorkspaceMarker;
    } catch {
      continue;
    }
  }
  return undefined;
}

function writeMarker(workspaceDir: string, marker: WorkspaceMarker): void {
  const fd = fs.openSync(path.join(metaDirOf(workspaceDir), MARKER), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644);
  try {
    fs.writeFileSync(fd, JSON.stringify(marker, null, 2) + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Turns a fresh copy of /testbed (at `partial`, with its .git) into the workspace `workspaceDir`:
 * the .git moves to the metadata folder, an empty .git stays as the mount point. (The remote
 * engine's launch, which copies through the archive API; a local launch copies in place, see
 * beginWorkspace.)
 */
export function sealWorkspace(partial: string, workspaceDir: string, marker: WorkspaceMarker): void {
  const meta = metaDirOf(workspaceDir);
  const git = path.join(partial, '.git');
  const st = fs.lstatSync(git, { throwIfNoEntry: false });
  if (!st?.isDirectory() || !fs.existsSync(path.join(git, 'HEAD'))) throw new WorkspaceError(`The image ${marker.image} has no git repository at /testbed.`);
  // Left by a workspace folder deleted by hand: its repository data is of no use without it.
  fs.rmSync(meta, { recursive: true, force: true });
  fs.mkdirSync(meta, { recursive: true });
  fs.renameSync(git, gitDirOf(workspaceDir));
  writeMarker(workspaceDir, marker);
  prepareMountPoints(partial);
  fs.renameSync(partial, workspaceDir);
}

/**
 * Makes the folders a new workspace is copied into, at their final places (the dev container
 * starts on them while the copy runs): the workspace folder with its mount points, and the
 * metadata folder with an empty repository folder and a note that the copy is under way. Until
 * finishWorkspace writes the marker, the workspace is not one (see interruptedCopy).
 */
export function beginWorkspace(workspaceDir: string, marker: WorkspaceMarker): void {
  const meta = metaDirOf(workspaceDir);
  // Left by a workspace folder deleted by hand: its repository data is of no use without it.
  fs.rmSync(meta, { recursive: true, force: true });
  fs.mkdirSync(gitDirOf(workspaceDir), { recursive: true });
  fs.writeFileSync(path.join(meta, COPYING), JSON.stringify(marker, null, 2) + '\n', { flag: 'wx' });
  fs.mkdirSync(workspaceDir);
  prepareMountPoints(workspaceDir);
}

/** The copy is complete: the marker makes the folder a workspace. */
export function finishWorkspace(workspaceDir: string, marker: WorkspaceMarker): void {
  if (!fs.existsSync(path.join(gitDirOf(workspaceDir), 'HEAD'))) throw new WorkspaceError(`The image ${marker.image} has no git repository at /testbed.`);
  writeMarker(workspaceDir, marker);
  fs.rmSync(path.join(metaDirOf(workspaceDir), COPYING), { force: true });
}

/** Removes what beginWorkspace made (a failed or cancelled copy), the metadata root too when nothing else is in it. */
export function abandonWorkspace(workspaceDir: string): void {
  fs.rmSync(workspaceDir, { recursive: true, force: true });
  fs.rmSync(metaDirOf(workspaceDir), { recursive: true, force: true });
  try {
    fs.rmdirSync(path.dirname(metaDirOf(workspaceDir)));
  } catch {
    // Other workspaces' metadata is there.
  }
}

/**
 * A copy that never finished (the window or the machine went away during the launch): the copy
 * note is there and the marker is not. Only a holder of the workspace lock (workspaceLock.ts)
 * writes in the metadata folder (the container sees its repository folder, not the note), so to
 * that holder the folder is a dead preparer's, and its to remove; without the lock it may be a
 * copy under way.
 */
export function interruptedCopy(workspaceDir: string): boolean {
  const meta = metaDirOf(workspaceDir);
  return fs.lstatSync(path.join(meta, COPYING), { throwIfNoEntry: false })?.isFile() === true && !fs.existsSync(path.join(meta, MARKER));
}

/** The marker a copy under way will write (from its copy note; the container never sees the note). */
export function readCopyNote(workspaceDir: string): WorkspaceMarker | undefined {
  try {
    const parsed = JSON.parse(readRegularFileSync(path.join(metaDirOf(workspaceDir), COPYING), { maxBytes: MARKER_MAX_BYTES, root: metaDirOf(workspaceDir) }).toString('utf8')) as Partial<WorkspaceMarker>;
    return typeof parsed.instanceId === 'string' && typeof parsed.baseCommit === 'string' ? (parsed as WorkspaceMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Moves the .git of a workspace made before the metadata moved out of it. */
export function adoptLegacyWorkspace(workspaceDir: string): void {
  const legacyGit = path.join(workspaceDir, '.git');
  const st = fs.lstatSync(legacyGit, { throwIfNoEntry: false });
  if (!st?.isDirectory() || !fs.existsSync(path.join(legacyGit, 'HEAD')) || fs.existsSync(gitDirOf(workspaceDir))) return;
  const marker = readWorkspaceMarker(workspaceDir);
  fs.mkdirSync(metaDirOf(workspaceDir), { recursive: true });
  fs.renameSync(legacyGit, gitDirOf(workspaceDir));
  fs.rmSync(path.join(gitDirOf(workspaceDir), path.basename(LEGACY_MARKER)), { force: true });
  if (marker) writeMarker(workspaceDir, marker);
}

/**
 * The folders the dev container gets mounts at: .git (the metadata) and .vscode (read-only, so
 * the container cannot plant tasks or settings VS Code would act on). Made here, as the host
 * user, so they stay the user's.
 */
export function prepareMountPoints(workspaceDir: string): void {
  for (const name of ['.git', '.vscode']) fs.mkdirSync(path.join(workspaceDir, name), { recursive: true });
}

/** Is this a usable workspace of that instance (still there, still a repository)? */
export function checkWorkspace(dir: string, instanceId: string): { ok: true } | { ok: false; problem: string } {
  if (!fs.existsSync(dir)) return { ok: false, problem: `The workspace folder ${dir} was deleted.` };
  // A session launched before the metadata moved out still has it in the folder until relaunched.
  const hasRepo = [gitDirOf(dir), path.join(dir, '.git')].some((g) => fs.existsSync(path.join(g, 'HEAD')));
  if (!hasRepo) return { ok: false, problem: `The repository data of ${dir} (${gitDirOf(dir)}) was removed.` };
  let marker: WorkspaceMarker | undefined;
  try {
    marker = readWorkspaceMarker(dir);
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
  if (marker && marker.instanceId !== instanceId) return { ok: false, problem: `${dir} belongs to ${marker.instanceId}, not ${instanceId}.` };
  return { ok: true };
}
