import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InstanceSpec } from '../spec/instanceSpec';
import type { ContainerHandle, ContainerRuntime } from '../runtime/containerRuntime';
import { currentHostUser, prepareDevShell, REPO_DIR, type HostUser } from './devShell';
import { truncateHistoryToBase, type HistoryMode } from './gitHistory';
import { copyRepositoryAtBase, SEED_OUT_DIR } from './workspaceCopy';
import { abandonWorkspace, beginWorkspace, finishWorkspace, gitDirOf, interruptedCopy, metaDirOf, readCopyNote, WorkspaceError, type WorkspaceMarker } from './workspaceLayout';
import { runPreparation } from './preparationStep';
import { withWorkspaceLock } from './workspaceLock';
import { WorkspaceSync } from './workspaceSync';

/** On a dev container whose /testbed is its own (kept in step with the host folder by a WorkspaceSync), not the host folder. */
export const LABEL_SYNCED = 'io.swe-gym-studio.synced';

export interface EarlyLaunchOptions {
  sessionId?: string;
  hostUser?: HostUser;
  historyMode?: HistoryMode;
  extraBinds?: { hostPath: string; containerPath: string; readOnly?: boolean }[];
  signal?: AbortSignal;
}

export interface EarlyLaunch {
  container: ContainerHandle;
  /**
   * Settles once the host folder holds the repository (the container's /testbed as it was when the
   * copy began, history cut at the base) and both sides are kept in step from then on: the
   * container's edits made during the copy come across on the sync's first pull.
   */
  hostCopy: Promise<WorkspaceSync>;
}

/**
 * A fresh workspace on a local engine without waiting for the host's copy (12,000 files took
 * 4-11 s on this machine's ext4, a prompt on the image's own /testbed under 1 s): the dev container
 * starts on the image's /testbed, its history cut at the base commit before anyone gets a shell
 * (truncateHistoryToBase, as every rollout container), and the host folder is filled behind the
 * prompt from that /testbed by the container itself, into the workspace's folders mounted at
 * SEED_OUT_DIR (the same folders a bind-mounted launch gives it at /testbed, so it reaches no more
 * of the host). The workspace keeps its copy note until the copy is complete (a window gone
 * meanwhile leaves an interrupted copy the next launch removes). A relaunch of the kept workspace
 * mounts it as usual.
 */
export async function launchEarly(
  runtime: ContainerRuntime,
  spec: InstanceSpec,
  image: string,
  workspaceDir: string,
  extraLabels: Record<string, string>,
  options: EarlyLaunchOptions,
): Promise<EarlyLaunch> {
  const instance = spec.row;
  const marker: WorkspaceMarker = { instanceId: instance.instance_id, baseCommit: instance.base_commit, image, createdAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(workspaceDir), { recursive: true });
  beginWorkspace(workspaceDir, marker);
  let container: ContainerHandle | undefined;
  try {
    container = await runtime.createContainer({
      image,
      purpose: 'dev',
      instanceId: instance.instance_id,
      sessionId: options.sessionId,
      workingDir: REPO_DIR,
      binds: [{ hostPath: workspaceDir, containerPath: SEED_OUT_DIR }, { hostPath: gitDirOf(workspaceDir), containerPath: `${SEED_OUT_DIR}/.git` }, ...(options.extraBinds ?? [])],
      extraLabels: { ...extraLabels, [LABEL_SYNCED]: '1' },
      signal: options.signal,
    });
    // The index's look at every file is left to later: the copy behind the prompt reads them all anyway.
    await truncateHistoryToBase(container, REPO_DIR, instance.base_commit, { mode: options.historyMode, refreshIndex: false, signal: options.signal });
    // Its /testbed is its own: no files to hand back to the host user at each prompt (the sync writes the host's as this process).
    await prepareDevShell(container, undefined, options.signal);
    await prepare(container, ['mkdir', '-p', `${REPO_DIR}/.vscode`], options.signal);
  } catch (err) {
    await container?.remove().catch(() => undefined);
    abandonWorkspace(workspaceDir);
    throw err;
  }
  const dev = container;
  const hostCopy = fillHostFolder(dev, instance.base_commit, workspaceDir, marker, options);
  // Whoever awaits it sees the failure; unawaited it must not end the process.
  hostCopy.catch(() => undefined);
  return { container: dev, hostCopy };
}

/**
 * An early launch's container found again after a window reload: its host copy is made again if
 * the window went during it (from the container's /testbed as it is now, so edits made before the
 * reload come along, into the folders it has mounted), then the sync over both sides as they are.
 */
export async function resumeHostCopy(container: ContainerHandle, workspaceDir: string, options: Pick<EarlyLaunchOptions, 'hostUser' | 'historyMode'> = {}): Promise<WorkspaceSync> {
  return withWorkspaceLock(workspaceDir, { purpose: 'launch' }, async () => {
    if (!fs.existsSync(workspaceDir)) throw new WorkspaceError(`The workspace folder ${workspaceDir} was deleted.`);
    const marker = readCopyNote(workspaceDir);
    if (interruptedCopy(workspaceDir) && marker) {
      await prepare(container, ['sh', '-c', 'find "$1" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} + && find "$1/.git" -mindepth 1 -delete', 'clear', SEED_OUT_DIR]);
      return fillHostFolder(container, marker.baseCommit, workspaceDir, marker, options);
    }
    const sync = syncOf(container, workspaceDir);
    if (!sync.resume()) await sync.start();
    return sync;
  });
}

/** The host folder filled from the container's /testbed, then the sync between them started. */
async function fillHostFolder(container: ContainerHandle, baseCommit: string, workspaceDir: string, marker: WorkspaceMarker, options: Pick<EarlyLaunchOptions, 'hostUser' | 'historyMode'>): Promise<WorkspaceSync> {
  const sync = syncOf(container, workspaceDir);
  try {
    // Taken before the copy reads a file: whatever changes after it is pulled on the first pull.
    const before = await sync.containerState();
    await copyRepositoryAtBase(container, REPO_DIR, baseCommit, { mode: options.historyMode, owner: options.hostUser ?? currentHostUser() });
    finishWorkspace(workspaceDir, marker);
    await sync.start(undefined, before);
    return sync;
  } catch (err) {
    abandonWorkspace(workspaceDir);
    throw err;
  }
}

/** The sync of an early launch's workspace; its synced state is kept in the metadata folder, which the container does not see. */
function syncOf(container: ContainerHandle, workspaceDir: string): WorkspaceSync {
  return new WorkspaceSync(container, workspaceDir, REPO_DIR, path.join(metaDirOf(workspaceDir), 'sync-base.json'));
}

function prepare(container: ContainerHandle, cmd: string[], signal?: AbortSignal): Promise<void> {
  return runPreparation(container, cmd, 'Preparing the dev container', signal);
}
