import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskInstance } from '../dataset/taskInstance';
import type { InstanceSpec } from '../spec/instanceSpec';
import { ensureImage, type ImageProgress } from '../images/ensureImage';
import type { ContainerHandle, ContainerRuntime } from '../runtime/containerRuntime';
import { currentHostUser, prepareDevShell, REPO_DIR, type HostUser } from './devShell';
import { throwIfAborted as throwIfCancelled } from '../util/abortError';
import type { HistoryMode } from './gitHistory';
import { copyRepositoryAtBase, SEED_OUT_DIR } from './workspaceCopy';
import { abandonWorkspace, adoptLegacyWorkspace, beginWorkspace, finishWorkspace, gitDirOf, interruptedCopy, prepareMountPoints, readWorkspaceMarker, workspaceDirFor, WorkspaceError, type WorkspaceMarker } from './workspaceLayout';
import { restoreRemoteWorkspace, seedHostCopy, seedRemoteWorkspace, SYNCED_WORKSPACE_NOTE } from './remoteWorkspace';
import { WorkspaceSync } from './workspaceSync';
import { launchEarly } from './earlyLaunch';
import { describeHolder, withWorkspaceLock, type WorkspaceHolder } from './workspaceLock';

export const LABEL_WORKSPACE = 'io.swe-gym-studio.workspace';

export type LaunchStep = 'image' | 'workspace' | 'container' | 'ready';

export interface LaunchProgress {
  step: LaunchStep;
  message: string;
  image?: ImageProgress;
}

/** How to launch; which image and repository is the spec's. */
export interface LaunchOptions {
  /** Where the per-instance workspace folders live. */
  workspaceRoot: string;
  sessionId?: string;
  /** Who should own the workspace files; defaults to this process's user. */
  hostUser?: HostUser;
  historyMode?: HistoryMode;
  /** More mounts for the dev container (the language server's read-only artifact cache). */
  extraBinds?: { hostPath: string; containerPath: string; readOnly?: boolean }[];
  /**
   * Local engine, new workspace: give the container (and so a prompt) at once and fill the host
   * folder behind it (see earlyLaunch); DevContainer.hostCopy says when the folder is complete.
   */
  earlyPrompt?: boolean;
  onProgress?: (p: LaunchProgress) => void;
  signal?: AbortSignal;
}

export interface DevContainer {
  container: ContainerHandle;
  workspaceDir: string;
  image: string;
  imageSource: 'present' | 'pulled' | 'built';
  /** The workspace existed from an earlier launch and was kept with its edits. */
  reusedWorkspace: boolean;
  /**
   * Set when the engine is remote: the workspace is a synced copy, not a mount; push host edits
   * (on save, before a grade) and pull the container's (after a command, on a schedule, before a diff).
   */
  sync?: WorkspaceSync;
  /**
   * An early launch (LaunchOptions.earlyPrompt): the host folder is being filled from the
   * container; settles with the sync that keeps both sides in step from then on (the workspace
   * lock is held until then).
   */
  hostCopy?: Promise<WorkspaceSync>;
  timingsMs: Record<'image' | 'workspace' | 'container', number>;
}

/**
 * Puts an instance's repository on the host as an ordinary folder (history truncated at the base
 * commit; its .git kept outside the folder, see workspaceLayout) and starts a container that sees
 * that folder at /testbed, so edits on either side are the same files. A workspace from an earlier launch is reused as it is, edits included.
 */
export async function launchDevContainer(runtime: ContainerRuntime, spec: InstanceSpec, options: LaunchOptions): Promise<DevContainer> {
  const instance = spec.row;
  const progress = options.onProgress ?? (() => undefined);
  const signal = options.signal;
  const hostUser = options.hostUser ?? currentHostUser();
  const timings = { image: 0, workspace: 0, container: 0 };
  const workspaceDir = workspaceDirFor(options.workspaceRoot, instance.instance_id);

  const t = Date.now();
  progress({ step: 'image', message: 'Checking the image' });
  const ensured = await ensureImage(runtime, spec.image, {
    signal,
    onProgress: (e) => progress({ step: 'image', message: e.message, image: e }),
  });
  timings.image = Date.now() - t;
  throwIfAborted(signal);
  // The only preparer of the folder while it is looked at, copied or removed (see workspaceLock),
  // until an early launch's host copy is complete.
  return new Promise<DevContainer>((resolve, reject) => {
    withWorkspaceLock(workspaceDir, { purpose: 'launch', signal, onWait: (h) => progress({ step: 'workspace', message: waitingMessage(h, workspaceDir) }) }, async () => {
      const dev = await (runtime.remote ? launchSynced(runtime, spec, ensured, workspaceDir, hostUser, options, timings) : launchLocal(runtime, spec, ensured, workspaceDir, hostUser, options, timings));
      resolve(dev);
      await dev.hostCopy?.catch(() => undefined);
    }).catch(reject);
  });
}

/** The launch on a local engine: the workspace reused, or copied while the container starts on it. */
async function launchLocal(
  runtime: ContainerRuntime,
  spec: InstanceSpec,
  ensured: { image: string; source: DevContainer['imageSource'] },
  workspaceDir: string,
  hostUser: HostUser | undefined,
  options: LaunchOptions,
  timings: DevContainer['timingsMs'],
): Promise<DevContainer> {
  const instance = spec.row;
  const progress = options.onProgress ?? (() => undefined);
  const signal = options.signal;
  let t = Date.now();
  let reused = fs.existsSync(workspaceDir);
  if (reused && interruptedCopy(workspaceDir)) {
    progress({ step: 'workspace', message: 'Removing the workspace copy an earlier launch left unfinished' });
    abandonWorkspace(workspaceDir);
    reused = false;
  }
  if (reused) {
    const marker = readWorkspaceMarker(workspaceDir);
    if (!marker) {
      throw new WorkspaceError(`${workspaceDir} already exists and is not a SWE-Gym Studio workspace; move it away or choose another workspace root.`);
    }
    if (marker.instanceId !== instance.instance_id) {
      throw new WorkspaceError(`${workspaceDir} is the workspace of ${marker.instanceId}, not ${instance.instance_id}.`);
    }
    adoptLegacyWorkspace(workspaceDir);
    prepareMountPoints(workspaceDir);
    progress({ step: 'workspace', message: `Reusing the workspace ${workspaceDir}` });
    timings.workspace = Date.now() - t;
    throwIfAborted(signal);
    t = Date.now();
    progress({ step: 'container', message: 'Starting the dev container' });
    const container = await startDevContainer(runtime, spec, ensured.image, workspaceDir, hostUser, options);
    timings.container = Date.now() - t;
    progress({ step: 'ready', message: `Ready: ${workspaceDir}` });
    return { container, workspaceDir, image: ensured.image, imageSource: ensured.source, reusedWorkspace: true, timingsMs: timings };
  }

  if (options.earlyPrompt) {
    progress({ step: 'container', message: 'Starting the dev container (the files follow into the editor)' });
    const early = await launchEarly(runtime, spec, ensured.image, workspaceDir, { [LABEL_WORKSPACE]: workspaceDir }, { ...options, hostUser });
    timings.container = Date.now() - t;
    progress({ step: 'ready', message: `Ready; copying files to the editor: ${workspaceDir}` });
    return { container: early.container, workspaceDir, image: ensured.image, imageSource: ensured.source, reusedWorkspace: false, timingsMs: timings, hostCopy: early.hostCopy };
  }

  // The copy and the dev container's start run side by side: the container mounts the folders
  // at their final places, and nothing uses it until the copy is complete.
  progress({ step: 'workspace', message: 'Copying the repository into the workspace and starting the dev container' });
  const marker: WorkspaceMarker = { instanceId: instance.instance_id, baseCommit: instance.base_commit, image: ensured.image, createdAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(workspaceDir), { recursive: true });
  beginWorkspace(workspaceDir, marker);
  const copied = copyIntoWorkspace(runtime, instance, ensured.image, workspaceDir, options).then(() => (timings.workspace = Date.now() - t));
  const started = startDevContainer(runtime, spec, ensured.image, workspaceDir, hostUser, options).then((c) => {
    timings.container = Date.now() - t;
    return c;
  });
  const [copy, start] = await Promise.allSettled([copied, started]);
  try {
    if (copy.status === 'rejected') throw copy.reason;
    if (start.status === 'rejected') throw start.reason;
    throwIfAborted(signal);
    finishWorkspace(workspaceDir, marker);
  } catch (err) {
    if (start.status === 'fulfilled') await start.value.remove().catch(() => undefined);
    abandonWorkspace(workspaceDir);
    throw err;
  }
  progress({ step: 'ready', message: `Ready: ${workspaceDir}` });
  return { container: start.value, workspaceDir, image: ensured.image, imageSource: ensured.source, reusedWorkspace: false, timingsMs: timings };
}

/** What prepareWorkspace made ready: a launch of the instance then only starts its container. */
export interface PreparedWorkspace {
  workspaceDir: string;
  image: string;
  imageSource: DevContainer['imageSource'];
  /** False when the workspace was already there (kept from an earlier launch, edits and all). */
  created: boolean;
  timingsMs: Record<'image' | 'workspace', number>;
}

/**
 * A launch's first half, ahead of time (a campaign's next instance): the image ensured per the
 * spec's policy and, on a local engine, the repository copied into the workspace, so that
 * launchDevContainer later finds a workspace to reuse and only starts the container. No
 * container is left running: the seed is removed before this returns, and a cancelled or failed
 * copy leaves no folder. On a remote engine the copy is made in a seed container there and
 * brought here; the launch then only copies it into its container (the path of a kept workspace).
 */
export async function prepareWorkspace(runtime: ContainerRuntime, spec: InstanceSpec, options: Omit<LaunchOptions, 'extraBinds'>): Promise<PreparedWorkspace> {
  const instance = spec.row;
  const progress = options.onProgress ?? (() => undefined);
  const timings = { image: 0, workspace: 0 };
  const workspaceDir = workspaceDirFor(options.workspaceRoot, instance.instance_id);
  let t = Date.now();
  progress({ step: 'image', message: 'Checking the image' });
  const ensured = await ensureImage(runtime, spec.image, { signal: options.signal, onProgress: (e) => progress({ step: 'image', message: e.message, image: e }) });
  timings.image = Date.now() - t;
  throwIfAborted(options.signal);
  const done = (created: boolean): PreparedWorkspace => ({ workspaceDir, image: ensured.image, imageSource: ensured.source, created, timingsMs: timings });
  t = Date.now();
  const onWait = (h: WorkspaceHolder | undefined) => progress({ step: 'workspace', message: waitingMessage(h, workspaceDir) });
  return withWorkspaceLock(workspaceDir, { purpose: 'prefetch', signal: options.signal, onWait }, async () => {
    // Held: a copy note without a marker here is a dead preparer's, never one under way.
    if (fs.existsSync(workspaceDir) && interruptedCopy(workspaceDir)) abandonWorkspace(workspaceDir);
    if (fs.existsSync(workspaceDir)) {
      const marker = readWorkspaceMarker(workspaceDir);
      if (marker?.instanceId !== instance.instance_id) throw new WorkspaceError(`${workspaceDir} is not the SWE-Gym Studio workspace of ${instance.instance_id}; move it away or choose another workspace root.`);
      return done(false);
    }
    progress({ step: 'workspace', message: 'Copying the repository into the workspace' });
    if (runtime.remote) {
      await seedHostCopyAhead(runtime, spec, ensured.image, workspaceDir, options);
      timings.workspace = Date.now() - t;
      progress({ step: 'ready', message: `Prepared: ${workspaceDir}` });
      return done(true);
    }
    const marker: WorkspaceMarker = { instanceId: instance.instance_id, baseCommit: instance.base_commit, image: ensured.image, createdAt: new Date().toISOString() };
    fs.mkdirSync(path.dirname(workspaceDir), { recursive: true });
    beginWorkspace(workspaceDir, marker);
    try {
      await copyIntoWorkspace(runtime, instance, ensured.image, workspaceDir, options);
      throwIfAborted(options.signal);
      finishWorkspace(workspaceDir, marker);
    } catch (err) {
      abandonWorkspace(workspaceDir);
      throw err;
    }
    timings.workspace = Date.now() - t;
    progress({ step: 'ready', message: `Prepared: ${workspaceDir}` });
    return done(true);
  });
}

/** A remote engine's workspace on this machine, made in a throwaway seed there (removed before this returns). */
async function seedHostCopyAhead(runtime: ContainerRuntime, spec: InstanceSpec, image: string, workspaceDir: string, options: Omit<LaunchOptions, 'extraBinds'>): Promise<void> {
  const seed = await runtime.createContainer({ image, purpose: 'seed', instanceId: spec.row.instance_id, sessionId: options.sessionId, network: 'none', extraLabels: { 'io.swe-gym-studio.role': 'seed' }, signal: options.signal });
  try {
    await seedHostCopy(seed, spec.row, image, workspaceDir, { historyMode: options.historyMode, hostUser: options.hostUser ?? currentHostUser(), signal: options.signal });
  } finally {
    await seed.remove().catch(() => undefined);
  }
}

function waitingMessage(holder: WorkspaceHolder | undefined, workspaceDir: string): string {
  return `Waiting for ${describeHolder(holder)} to finish with ${workspaceDir}`;
}

/** The dev container on the workspace, with its interactive shell prepared; removed again if that fails. */
async function startDevContainer(runtime: ContainerRuntime, spec: InstanceSpec, image: string, workspaceDir: string, hostUser: HostUser | undefined, options: LaunchOptions): Promise<ContainerHandle> {
  const container = await runtime.createContainer({
    image,
    purpose: 'dev',
    instanceId: spec.row.instance_id,
    sessionId: options.sessionId,
    workingDir: REPO_DIR,
    binds: [
      { hostPath: workspaceDir, containerPath: REPO_DIR },
      { hostPath: gitDirOf(workspaceDir), containerPath: `${REPO_DIR}/.git` },
      { hostPath: path.join(workspaceDir, '.vscode'), containerPath: `${REPO_DIR}/.vscode`, readOnly: true },
      ...(options.extraBinds ?? []),
    ],
    extraLabels: { [LABEL_WORKSPACE]: workspaceDir },
    signal: options.signal,
  });
  try {
    await prepareDevShell(container, hostUser, options.signal);
    throwIfAborted(options.signal);
    return container;
  } catch (err) {
    await container.remove().catch(() => undefined);
    throw err;
  }
}

/**
 * The launch on a remote engine (no bind mounts): the container starts first, the workspace is
 * made in it and copied to the host (or a kept workspace is copied into it), then both sides are
 * kept the same by a WorkspaceSync. The language server's mounts (extraBinds) cannot follow.
 */
async function launchSynced(
  runtime: ContainerRuntime,
  spec: InstanceSpec,
  ensured: { image: string; source: DevContainer['imageSource'] },
  workspaceDir: string,
  hostUser: HostUser | undefined,
  options: LaunchOptions,
  timings: DevContainer['timingsMs'],
): Promise<DevContainer> {
  const instance = spec.row;
  const progress = options.onProgress ?? (() => undefined);
  const reusedWorkspace = fs.existsSync(workspaceDir);
  if (reusedWorkspace) {
    const marker = readWorkspaceMarker(workspaceDir);
    if (marker?.instanceId !== instance.instance_id) throw new WorkspaceError(`${workspaceDir} is not the SWE-Gym Studio workspace of ${instance.instance_id}; move it away or choose another workspace root.`);
    adoptLegacyWorkspace(workspaceDir);
    prepareMountPoints(workspaceDir);
  }
  let t = Date.now();
  progress({ step: 'container', message: 'Starting the dev container on the remote engine' });
  const container = await runtime.createContainer({ image: ensured.image, purpose: 'dev', instanceId: instance.instance_id, sessionId: options.sessionId, workingDir: REPO_DIR, extraLabels: { [LABEL_WORKSPACE]: workspaceDir }, signal: options.signal });
  timings.container = Date.now() - t;
  try {
    t = Date.now();
    progress({ step: 'workspace', message: reusedWorkspace ? `Copying the kept workspace ${workspaceDir} into the container` : 'Copying the repository to this machine' });
    if (reusedWorkspace) await restoreRemoteWorkspace(container, workspaceDir, options.signal);
    else await seedRemoteWorkspace(container, instance, ensured.image, workspaceDir, { historyMode: options.historyMode, hostUser, signal: options.signal });
    await prepareDevShell(container, hostUser, options.signal);
    const sync = new WorkspaceSync(container, workspaceDir);
    await sync.start(options.signal);
    timings.workspace = Date.now() - t;
    throwIfAborted(options.signal);
    progress({ step: 'ready', message: `Ready: ${workspaceDir}. ${SYNCED_WORKSPACE_NOTE}` });
    return { container, workspaceDir, image: ensured.image, imageSource: ensured.source, reusedWorkspace, timingsMs: timings, sync };
  } catch (err) {
    await container.remove().catch(() => undefined);
    throw err;
  }
}

/**
 * Copies the repository into the workspace's folders (made by beginWorkspace) in a throwaway
 * container that sees the image's /testbed and those folders (see copyRepositoryAtBase). The
 * seed is removed before this returns: it writes into the folders until it is gone.
 */
async function copyIntoWorkspace(runtime: ContainerRuntime, instance: TaskInstance, image: string, workspaceDir: string, options: LaunchOptions): Promise<void> {
  // Its own purpose: a seed is never wanted once its launch is gone, so cleanup takes it.
  const seed = await runtime.createContainer({
    image,
    purpose: 'seed',
    instanceId: instance.instance_id,
    sessionId: options.sessionId,
    network: 'none',
    binds: [
      { hostPath: workspaceDir, containerPath: SEED_OUT_DIR },
      { hostPath: gitDirOf(workspaceDir), containerPath: `${SEED_OUT_DIR}/.git` },
    ],
    extraLabels: { 'io.swe-gym-studio.role': 'seed' },
    signal: options.signal,
  });
  try {
    await copyRepositoryAtBase(seed, REPO_DIR, instance.base_commit, { mode: options.historyMode, owner: options.hostUser ?? currentHostUser(), signal: options.signal });
  } finally {
    await seed.remove().catch(() => undefined);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  throwIfCancelled(signal, 'Launch');
}
