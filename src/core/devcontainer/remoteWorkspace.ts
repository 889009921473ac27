import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskInstance } from '../dataset/taskInstance';
import type { ContainerHandle } from '../runtime/containerRuntime';
import { throwIfAborted } from '../util/abortError';
import { currentHostUser, REPO_DIR, type HostUser } from './devShell';
import type { HistoryMode } from './gitHistory';
import { runPreparation } from './preparationStep';
import { copyRepositoryAtBase, SEED_OUT_DIR } from './workspaceCopy';
import { gitDirOf, sealWorkspace } from './workspaceLayout';
import { linkStaysInside, putLinks } from './workspaceSync';

/** What the UI and the log say about a dev container on a remote engine. */
export const SYNCED_WORKSPACE_NOTE =
  'The engine is remote, so the workspace is a synced copy, not a mount: saves and grades push host edits into the container; container edits come back after each terminal command, every few seconds, and before a diff.';

/**
 * A new workspace on a remote engine: the dev container itself plays the seed (copyRepositoryAtBase
 * into a folder of its own), the copy comes to the host through the archive API, and the container's
 * /testbed is replaced by that same copy, so both sides hold the repository cut at the base commit.
 */
export async function seedRemoteWorkspace(
  container: ContainerHandle,
  instance: TaskInstance,
  image: string,
  workspaceDir: string,
  options: { historyMode?: HistoryMode; hostUser?: HostUser; signal?: AbortSignal },
): Promise<void> {
  await seedHostCopy(container, instance, image, workspaceDir, options, () =>
    prepare(container, ['sh', '-c', 'rm -rf "$1" && mv "$2" "$1" && mkdir -p "$1/.vscode"', 'swap', REPO_DIR, SEED_OUT_DIR], options.signal),
  );
}

/**
 * The workspace on this machine only, made in `container` (a throwaway seed on the remote engine)
 * as a launch makes it: a campaign's prefetch, so that the launch finds it and only copies it into
 * its container (bench/remotePrefetch: 0.57x on 12,000 files, the copy's trip here being half).
 * `beforeSeal` runs once the copy is here (the launch's swap of its /testbed).
 */
export async function seedHostCopy(
  container: ContainerHandle,
  instance: TaskInstance,
  image: string,
  workspaceDir: string,
  options: { historyMode?: HistoryMode; hostUser?: HostUser; signal?: AbortSignal },
  beforeSeal?: () => Promise<void>,
): Promise<void> {
  fs.mkdirSync(path.dirname(workspaceDir), { recursive: true });
  const partial = `${workspaceDir}.partial-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(partial);
  try {
    await prepare(container, ['mkdir', '-p', SEED_OUT_DIR], options.signal);
    await copyRepositoryAtBase(container, REPO_DIR, instance.base_commit, { mode: options.historyMode, owner: options.hostUser ?? currentHostUser(), signal: options.signal });
    throwIfAborted(options.signal, 'Launch');
    await container.copyOut(SEED_OUT_DIR, partial);
    throwIfAborted(options.signal, 'Launch');
    await beforeSeal?.();
    sealWorkspace(partial, workspaceDir, { instanceId: instance.instance_id, baseCommit: instance.base_commit, image, createdAt: new Date().toISOString() });
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw err;
  }
}

/** A kept workspace on a remote engine: the container's /testbed becomes the host's files and repository metadata. */
export async function restoreRemoteWorkspace(container: ContainerHandle, workspaceDir: string, signal?: AbortSignal): Promise<void> {
  await prepare(container, ['sh', '-c', 'rm -rf "$1" && mkdir -p "$1/.git" "$1/.vscode"', 'clear', REPO_DIR], signal);
  const links: [string, string][] = [];
  const files = [...regularFiles(workspaceDir, REPO_DIR, true, links), ...regularFiles(gitDirOf(workspaceDir), `${REPO_DIR}/.git`, false)];
  for (let i = 0; i < files.length; i += 200) {
    throwIfAborted(signal, 'Launch');
    await container.putFiles(files.slice(i, i + 200).map((f) => ({ path: f.to, content: fs.readFileSync(f.from), mode: f.mode })));
  }
  // The workspace's links that stay inside it go back as links (as the sync keeps them).
  await putLinks(container, REPO_DIR, links.filter(([p, t]) => linkStaysInside(p, t)), signal);
}

/** Regular files to copy; the workspace's links (relative path, target) go to `links` when given. */
function regularFiles(root: string, to: string, skipMeta: boolean, links?: [string, string][]): { from: string; to: string; mode: number }[] {
  const out: { from: string; to: string; mode: number }[] = [];
  const walk = (dir: string, target: string, rel: string, top: boolean) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (top && skipMeta && (e.name === '.git' || e.name === '.vscode')) continue;
      const from = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(from, `${target}/${e.name}`, r, false);
      else if (e.isSymbolicLink()) links?.push([r, fs.readlinkSync(from)]);
      else if (e.isFile()) out.push({ from, to: `${target}/${e.name}`, mode: fs.lstatSync(from).mode & 0o777 });
    }
  };
  walk(root, to, '', true);
  return out;
}

function prepare(container: ContainerHandle, cmd: string[], signal?: AbortSignal): Promise<void> {
  return runPreparation(container, cmd, 'Preparing the synced workspace', signal);
}
