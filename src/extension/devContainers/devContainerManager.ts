// Over 400 lines: one owner of the dev containers of this window (launch, recover, folder, terminal, stop), kept together.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { candidatePatch } from '../../core/devcontainer/candidatePatch';
import { currentHostUser, restoreOwnership } from '../../core/devcontainer/devShell';
import { resumeHostCopy } from '../../core/devcontainer/earlyLaunch';
import { launchDevContainer } from '../../core/devcontainer/launchDevContainer';
import { SYNCED_WORKSPACE_NOTE } from '../../core/devcontainer/remoteWorkspace';
import { WorkspaceSync } from '../../core/devcontainer/workspaceSync';
import { checkWorkspace } from '../../core/devcontainer/workspaceLayout';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { terminalSafe } from '../../core/util/terminalText';
import type { SessionView } from '../../shared/instancePage';
import type { Settings } from '../config';
import type { InstanceRef } from '../datasets/datasetStore';
import { specFor } from '../datasets/instanceSpecs';
import type { SessionRecord, StateStore } from '../state/stateStore';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import type { BusyTracker } from './busyTracker';
import { ContainerPseudoterminal, type TerminalCommandHooks } from './containerTerminal';
import { HostShellGuard } from './hostShellGuard';
import { PullProgressSummary } from './pullProgress';
import { FirstPrompts } from './firstPrompts';
import { addingFolderReloads } from './reloadResume';
import { SyncedWorkspaces } from './syncedWorkspaces';
import type { RuntimeProvider } from './runtimeProvider';

type LaunchMount = { hostPath: string; containerPath: string; readOnly?: boolean };

interface LiveSession {
  record: SessionRecord;
  container: ContainerHandle;
  problem?: string;
}

/** Dev containers: launch, find again after a reload, terminals, candidate patches, stop. */
export class DevContainerManager extends Disposable {
  private readonly live = new Map<string, LiveSession>();
  private readonly terminals = new Map<string, vscode.Terminal>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.changed.event;
  private activeId: string | undefined;
  private readonly activeChanged = this.register(new vscode.EventEmitter<string | undefined>());
  readonly onDidChangeActive = this.activeChanged.event;
  private readonly launchMounts: (() => LaunchMount[])[] = [];
  /** Workspaces of dev containers on a remote engine: synced copies, not mounts. */
  readonly synced: SyncedWorkspaces;
  /** Containers launched by this extension host: their shell files are written (prepareDevShell). */
  private readonly shellPrepared = new Set<string>();
  /** Instances whose terminal is about to show its first prompt: what can wait waits for it. */
  private readonly firstPrompts: FirstPrompts;
  /** Early launches whose files are still being copied to the editor's folder: settle true once there and synced. */
  private readonly hostCopies = new Map<string, Promise<boolean>>();

  constructor(
    private readonly runtimes: RuntimeProvider,
    private readonly state: StateStore,
    private readonly busy: BusyTracker,
    private readonly settings: Settings,
    private readonly sessionId: string,
    private readonly log: Logger,
  ) {
    super();
    this.synced = this.register(new SyncedWorkspaces(log));
    this.firstPrompts = new FirstPrompts(log);
    this.register(
      vscode.window.onDidCloseTerminal((t) => {
        for (const [id, term] of this.terminals) {
          if (term !== t) continue;
          this.terminals.delete(id);
          // A reload closes every terminal before this host is disposed: those stay recorded as
          // open so that the next window brings them back (restoreTerminals).
          const reason = t.exitStatus?.reason;
          this.log.info(`The terminal of ${id} closed (${reason === undefined ? 'no exit status' : vscode.TerminalExitReason[reason]})`);
          if (!this.isDisposed && reason !== vscode.TerminalExitReason.Shutdown) void this.state.setTerminalOpen(id, false);
        }
      }),
    );
  }

  /**
   * After a reload: the container terminals that were open come back (VS Code cannot revive an
   * extension's terminal), and host shells VS Code opens in an instance's folder are closed.
   */
  restoreTerminals(): void {
    const guard = this.register(
      new HostShellGuard(
        () => [...this.live.entries()].map(([instanceId, s]) => ({ instanceId, workspaceDir: s.record.workspaceDir })),
        this.log,
      ),
    );
    for (const [id, s] of this.live) {
      if (!s.record.terminalOpen || this.checkHealth(id)) continue;
      this.openTerminal(id, true);
      this.log.info(`Opened the terminal of ${id} in its container again`);
    }
    guard.watch(15_000);
  }

  /** The instance the status bar names: the last one launched or shown. */
  get active(): string | undefined {
    return this.activeId && this.live.has(this.activeId) ? this.activeId : [...this.live.keys()].at(-1);
  }

  setActive(instanceId: string): void {
    if (!this.live.has(instanceId) || this.activeId === instanceId) return;
    this.activeId = instanceId;
    this.activeChanged.fire(instanceId);
  }

  runningIds(): string[] {
    return [...this.live.keys()];
  }

  isRunning(instanceId: string): boolean {
    return this.live.has(instanceId);
  }

  view(instanceId: string): SessionView {
    const busy = this.busy.get(instanceId);
    const s = this.live.get(instanceId);
    if (busy?.operation === 'launch') return { state: 'launching' };
    if (!s) return { state: 'none' };
    const problem = this.checkHealth(instanceId);
    const base = { containerId: s.record.containerId, workspaceDir: s.record.workspaceDir, image: s.record.image };
    if (busy?.operation === 'stop') return { state: 'stopping', ...base };
    return problem ? { state: 'broken', problem, ...base } : { state: 'running', ...base };
  }

  /** Set by demonstrations: who hears the commands run in an instance's container terminal. */
  terminalHooks: ((instanceId: string) => TerminalCommandHooks | undefined) | undefined;

  /** The running dev container of an instance (for features that exec into it). */
  containerOf(instanceId: string): ContainerHandle | undefined {
    return this.live.get(instanceId)?.container;
  }

  /** Mounts every dev container launched from now on gets (asked at each launch). */
  addLaunchMounts(provider: () => LaunchMount[]): vscode.Disposable {
    this.launchMounts.push(provider);
    return new vscode.Disposable(() => this.launchMounts.splice(this.launchMounts.indexOf(provider) >>> 0, 1));
  }

  workspaceDir(instanceId: string): string | undefined {
    return this.live.get(instanceId)?.record.workspaceDir;
  }

  /** A deleted workspace breaks the session; it is reported, never silently repaired. */
  checkHealth(instanceId: string): string | undefined {
    const s = this.live.get(instanceId);
    // While an early launch fills the folder it is not a repository yet.
    if (!s || this.hostCopies.has(instanceId)) return undefined;
    const check = checkWorkspace(s.record.workspaceDir, instanceId);
    const problem = check.ok ? undefined : `${check.problem} Stop and remove the instance, then launch it again.`;
    if (problem !== s.problem) {
      s.problem = problem;
      if (problem) this.log.warn(`${instanceId}: ${problem}`);
      queueMicrotask(() => this.changed.fire(instanceId));
    }
    return problem;
  }

  /** Finds the dev containers of earlier windows again (reload, restart). */
  async recover(): Promise<void> {
    const records = this.state.instancesWithSessions();
    if (records.length === 0) return;
    let running: Set<string>;
    try {
      const ours = await this.runtimes.get().listOurContainers({ purpose: 'dev' });
      running = new Set(ours.filter((c) => c.state === 'running').map((c) => c.id));
    } catch (err) {
      this.log.warn(`Cannot look for running instances: ${errorMessage(err)}`);
      return;
    }
    for (const [id, record] of records) {
      if (running.has(record.containerId)) {
        await this.attach(id, record, 'Found the running dev container of');
      } else {
        this.log.info(`The dev container of ${id} is gone; its workspace ${record.workspaceDir} is kept`);
        await this.state.setSession(id, undefined);
      }
      this.changed.fire(id);
    }
    if (this.live.size) this.activeChanged.fire(this.active);
  }

  /**
   * This window uses a running container the record names (after a reload, or one another window
   * launched): it is named among the container's users, so a Stop elsewhere leaves it running.
   */
  private async attach(id: string, record: SessionRecord, found: string): Promise<void> {
    const joined = (await this.state.joinSession(id, record.containerId)) ?? record;
    const container = this.runtimes.get().getContainer(record.containerId);
    this.live.set(id, { record: joined, container });
    // This window keeps it alive now: its heartbeat tells other windows and `cleanup` it is wanted.
    this.runtimes.get().adopt(record.containerId);
    if (this.runtimes.get().remote) await this.resumeSync(id, container, record.workspaceDir);
    else if (record.synced) this.followHostCopy(id, resumeHostCopy(container, record.workspaceDir, { hostUser: currentHostUser(), historyMode: this.settings.historyMode }), true);
    this.log.info(`${found} ${id} (${record.containerId.slice(0, 12)})`);
  }

  /** Launching an instance another live window already runs: this window uses that container too. */
  private async joinOtherWindow(id: string): Promise<boolean> {
    const shared = this.state.get(id).session;
    if (!shared || !this.state.otherUsers(shared).length) return false;
    const running = await this.runtimes.get().listOurContainers({ instanceId: id, purpose: 'dev' });
    if (!running.some((c) => c.id === shared.containerId && c.state === 'running')) return false;
    await this.attach(id, shared, 'Using the dev container another window runs for');
    return true;
  }

  trackedContainerIds(): Set<string> {
    return new Set(this.state.instancesWithSessions().map(([, r]) => r.containerId));
  }

  async launch(ref: InstanceRef, callerSignal?: AbortSignal): Promise<SessionView> {
    const id = ref.instance.instance_id;
    const existing = this.live.get(id);
    if (existing && !this.checkHealth(id)) {
      this.setActive(id);
      return this.view(id);
    }
    if (existing) throw new Error(existing.problem ?? `${id} is in a broken state; stop it first.`);
    const runtime = this.runtimes.get();
    if (await this.joinOtherWindow(id)) {
      this.setActive(id);
      this.changed.fire(id);
      return this.view(id);
    }
    await this.busy.run(
      id,
      'launch',
      `Launching ${id}`,
      async (signal, report) => {
        await runtime.ping(signal);
        const pull = new PullProgressSummary();
        const started = Date.now();
        const dev = await launchDevContainer(runtime, specFor(ref, this.settings), {
          workspaceRoot: this.settings.workspaceRoot,
          sessionId: this.sessionId,
          historyMode: this.settings.historyMode,
          extraBinds: this.launchMounts.flatMap((m) => m()),
          earlyPrompt: this.earlyPromptWanted(),
          signal,
          onProgress: (p) => {
            if (p.image) {
              const s = pull.update(p.image);
              report(s.message, s.fraction);
            } else report(p.message);
          },
        });
        const launched: SessionRecord = {
          containerId: dev.container.id,
          workspaceDir: dev.workspaceDir,
          image: dev.image,
          datasetSource: ref.entry.source,
          launchedAt: new Date().toISOString(),
          ...(dev.hostCopy ? { synced: true } : {}),
        };
        const record = await this.state.claimSession(id, launched);
        if (record.containerId !== launched.containerId) {
          // Another window launched the same instance at the same moment: its container is the instance's.
          await dev.container.remove().catch((err: unknown) => this.log.warn(`${id}: removing the second container: ${errorMessage(err)}`));
          await this.attach(id, record, 'Another window launched it at the same moment: using its dev container for');
          return;
        }
        this.live.set(id, { record, container: dev.container });
        if (dev.hostCopy) this.followHostCopy(id, dev.hostCopy, false);
        this.shellPrepared.add(dev.container.id);
        this.firstPrompts.expect(id);
        if (dev.sync) {
          this.synced.attach(id, dev.sync);
          report(SYNCED_WORKSPACE_NOTE);
          this.log.info(`${id}: ${SYNCED_WORKSPACE_NOTE}`);
        }
        this.log.info(
          `Launched ${id} in ${Date.now() - started} ms (image ${dev.image} ${dev.imageSource} ${dev.timingsMs.image} ms, workspace ${dev.reusedWorkspace ? 'reused' : 'copied'} ${dev.timingsMs.workspace} ms, container ${dev.timingsMs.container} ms): ${dev.workspaceDir}`,
        );
      },
      callerSignal,
    );
    this.activeId = id;
    this.activeChanged.fire(id);
    this.changed.fire(id);
    return this.view(id);
  }

  /**
   * An early launch (core earlyLaunch) when it can help: a new workspace on a local engine, whose
   * folder is added once its files are there, so never when adding it reloads the window (the
   * reload would end this host while it copies).
   */
  private earlyPromptWanted(): boolean {
    if (!this.settings.earlyPrompt || this.runtimes.get().remote) return false;
    return this.settings.openIn !== 'addToWorkspace' || !addingFolderReloads();
  }

  /** Whether the instance's files are still on their way to the editor's folder (an early launch). */
  copyingToEditor(instanceId: string): boolean {
    return this.hostCopies.has(instanceId);
  }

  /** Settles once an early launch's folder holds its files (true) or the copy failed (false); at once otherwise. */
  hostCopied(instanceId: string): Promise<boolean> {
    return this.hostCopies.get(instanceId) ?? Promise.resolve(true);
  }

  /** Says on screen that the files are being copied, then keeps both sides in step. */
  private followHostCopy(id: string, copy: Promise<WorkspaceSync>, afterReload: boolean): void {
    const status = vscode.window.setStatusBarMessage(`$(sync~spin) ${id}: copying files to the editor…`);
    const started = Date.now();
    const done = copy
      .then(
        (sync) => {
          this.synced.attach(id, sync);
          this.log.info(`${id}: files copied to the editor in ${Date.now() - started} ms; the container works on its own copy, kept in step with ${sync.workspaceDir} until it is stopped`);
          if (afterReload && !addingFolderReloads()) void this.openWorkspace(id).catch((err: unknown) => this.log.warn(`${id}: could not add the workspace folder: ${errorMessage(err)}`));
          return true;
        },
        (err: unknown) => {
          this.log.error(`${id}: copying the files to the editor failed: ${errorMessage(err)}`);
          void vscode.window.showErrorMessage(`${id}: the files could not be copied to the editor (${errorMessage(err)}). The container keeps its files; stop it and launch again.`);
          return false;
        },
      )
      .finally(() => {
        status.dispose();
        this.hostCopies.delete(id);
        this.changed.fire(id);
      });
    this.hostCopies.set(id, done);
  }

  /**
   * Shows the workspace folder in this window (or a new one), per `sweGym.workspace.openIn`.
   * Resolves to 'reloading' when VS Code must reload the window to add it (see
   * addingFolderReloads); the next activation then restores the view (resumeAfterReload).
   */
  async openWorkspace(instanceId: string, force = false): Promise<'none' | 'newWindow' | 'present' | 'added' | 'reloading'> {
    const dir = this.workspaceDir(instanceId);
    if (!dir) throw new Error(`${instanceId} is not launched.`);
    const uri = vscode.Uri.file(dir);
    const mode = force && this.settings.openIn === 'none' ? 'addToWorkspace' : this.settings.openIn;
    if (mode === 'none') return 'none';
    if (mode === 'newWindow') {
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return 'newWindow';
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.some((f) => f.uri.fsPath === uri.fsPath)) {
      if (force) await vscode.commands.executeCommand('revealInExplorer', uri);
      return 'present';
    }
    const reloads = addingFolderReloads();
    if (reloads) {
      await this.state.setReloadResume({ instanceId, workspaceDir: dir, at: Date.now() });
      this.log.info(`Adding ${dir} reloads the window: it ${folders.length ? 'opened a single folder' : 'has no folder yet'}`);
      announceReload(instanceId, folders.length ? 'single-folder' : 'folderless');
    }
    const added = new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => {
        sub.dispose();
        resolve();
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 5000);
    });
    // Always appended: the folders the window has stay, first one included.
    if (!vscode.workspace.updateWorkspaceFolders(folders.length, 0, { uri, name: instanceId })) {
      if (reloads) await this.state.setReloadResume(undefined);
      throw new Error(`VS Code refused to add ${dir} to the workspace.`);
    }
    await added;
    return reloads ? 'reloading' : 'added';
  }

  openTerminal(instanceId: string, preserveFocus = false): vscode.Terminal {
    const s = this.live.get(instanceId);
    if (!s) throw new Error(`${instanceId} is not launched: launch it first.`);
    const problem = this.checkHealth(instanceId);
    if (problem) throw new Error(problem);
    const open = this.terminals.get(instanceId);
    if (open && open.exitStatus === undefined) {
      open.show(preserveFocus);
      return open;
    }
    const pty = new ContainerPseudoterminal(s.container, () => bothHooks(this.synced.terminalHooks(instanceId), this.terminalHooks?.(instanceId)), this.shellPrepared.has(s.container.id));
    void pty.firstOutput.then(() => this.firstPrompts.shown(instanceId));
    const terminal = vscode.window.createTerminal({
      name: `SWE-Gym: ${terminalSafe(instanceId)}`,
      pty,
      iconPath: new vscode.ThemeIcon('beaker'),
      isTransient: true,
    });
    this.terminals.set(instanceId, terminal);
    void this.state.setTerminalOpen(instanceId, true);
    terminal.show(preserveFocus);
    return terminal;
  }

  /**
   * Settles once the terminal a launch opens shows its first prompt (or after 10 s): for work the
   * launch sets off that the person does not wait for (the language server).
   */
  afterFirstPrompt(instanceId: string): Promise<void> {
    return this.firstPrompts.after(instanceId);
  }

  /** The workspace's diff against the base commit, taken in the dev container. */
  async candidate(ref: InstanceRef, signal?: AbortSignal): Promise<string> {
    const id = ref.instance.instance_id;
    const s = this.live.get(id);
    if (!s) throw new Error(`${id} is not launched: launch it first, edit the workspace, then run the hidden tests.`);
    const problem = this.checkHealth(id);
    if (problem) throw new Error(problem);
    // On a remote engine the patch is taken from the container's copy: saved host edits go in first.
    await this.synced.push(id, signal);
    return candidatePatch(s.container, ref.instance.base_commit, { hostUser: currentHostUser(), signal });
  }

  /** Reads a file at the base commit (for diff views); undefined when it did not exist there. */
  async fileAtBase(ref: InstanceRef, file: string, signal?: AbortSignal): Promise<string | undefined> {
    const s = this.live.get(ref.instance.instance_id);
    if (!s) throw new Error(`${ref.instance.instance_id} is not launched.`);
    const r = await s.container.exec(['git', '-c', 'safe.directory=*', 'show', `${ref.instance.base_commit}:${file}`], {
      cwd: '/testbed',
      signal,
      timeoutMs: 60_000,
      maxOutputBytes: 64 * 1024 * 1024,
    });
    return r.exitCode === 0 ? r.stdout : undefined;
  }

  /**
   * After a reload on a remote engine: what both sides hold now is the synced state (edits made
   * while the window was away are synced once edited again).
   */
  private async resumeSync(id: string, container: ContainerHandle, workspaceDir: string): Promise<void> {
    const sync = new WorkspaceSync(container, workspaceDir);
    try {
      await sync.start();
      this.synced.attach(id, sync);
      this.log.info(`${id}: ${SYNCED_WORKSPACE_NOTE}`);
    } catch (err) {
      this.log.warn(`${id}: the synced workspace could not be resumed: ${errorMessage(err)}`);
    }
  }

  /**
   * Removes the instance's dev container, unless another live window still uses it (`force`:
   * even then): this window then only lets go of it, and says so.
   */
  async stop(instanceId: string, force = false): Promise<void> {
    const s = this.live.get(instanceId);
    if (!s) {
      // Nothing live here, but a container may still carry the label (another window, a crash).
      const shared = this.state.get(instanceId).session;
      const inUse = !force && this.state.otherUsers(shared).length ? shared?.containerId : undefined;
      const leftovers = await this.runtimes.get().listOurContainers({ instanceId, purpose: 'dev' });
      for (const c of leftovers) if (c.id !== inUse) await this.runtimes.get().removeContainer(c.id);
      if (inUse) this.sayInUse(instanceId);
      else await this.state.setSession(instanceId, undefined);
      this.changed.fire(instanceId);
      return;
    }
    await this.busy.run(instanceId, 'stop', `Stopping ${instanceId}`, async (signal, report) => {
      if (this.hostCopies.has(instanceId)) {
        report('Waiting for the files to reach the editor');
        await this.hostCopied(instanceId);
      }
      const terminal = this.terminals.get(instanceId);
      terminal?.dispose();
      this.terminals.delete(instanceId);
      const { remove } = force ? { remove: true } : await this.state.releaseSession(instanceId, s.record.containerId);
      if (!remove) {
        this.synced.detach(instanceId);
        this.live.delete(instanceId);
        this.sayInUse(instanceId);
        return;
      }
      if (this.synced.has(instanceId)) {
        report('Copying the container\'s last edits to the workspace');
        await this.synced.pull(instanceId, signal);
        this.synced.detach(instanceId);
      }
      if (fs.existsSync(s.record.workspaceDir)) {
        report('Giving files made in the container back to you');
        await restoreOwnership(s.container, currentHostUser(), signal).catch((err: unknown) => this.log.warn(`restoring ownership: ${errorMessage(err)}`));
      }
      report('Removing the container');
      await s.container.remove();
      this.live.delete(instanceId);
      if (force && this.state.get(instanceId).session?.containerId === s.record.containerId) await this.state.setSession(instanceId, undefined);
      this.log.info(`Stopped ${instanceId}; workspace kept at ${s.record.workspaceDir}`);
    });
    if (this.activeId === instanceId) this.activeId = undefined;
    this.activeChanged.fire(this.active);
    this.changed.fire(instanceId);
  }

  /** Stop left the container to the other window that uses it: said, with removal offered. */
  private sayInUse(instanceId: string): void {
    const others = this.state.otherUsers(this.state.get(instanceId).session);
    this.log.info(`${instanceId}: its dev container is still used by another window (${others.join(', ')}): left running, this window let go of it`);
    const remove = 'Remove Anyway';
    void vscode.window
      .showInformationMessage(`${instanceId}'s dev container is still used by another VS Code window, so it was left running there; this window no longer uses it. Stop it in that window, or remove it anyway.`, remove)
      .then((pick) => (pick === remove ? this.stop(instanceId, true) : undefined))
      .then(undefined, (err: unknown) => void vscode.window.showErrorMessage(errorMessage(err)));
  }
}

/**
 * Said in the status bar just before the reload: a short text that fits beside the other items
 * (the whole sentence was cut off in a normal-width window), the reason in its tooltip.
 */
function announceReload(instanceId: string, kind: 'single-folder' | 'folderless'): void {
  const item = vscode.window.createStatusBarItem('sweGym.reloadNotice', vscode.StatusBarAlignment.Left, 100);
  item.name = 'SWE-Gym: window reload';
  item.text = `$(sync~spin) Reloading the window once to add ${instanceId}'s folder`;
  item.tooltip = `VS Code makes a workspace of a ${kind} window only by reloading it, so adding ${instanceId}'s folder reloads this window once. The instance keeps running; later launches in this window add their folder without a reload.`;
  item.show();
  setTimeout(() => item.dispose(), 15_000);
}

/** The sync's terminal hooks and a demonstration's, both heard (the sync's push first). */
function bothHooks(a: TerminalCommandHooks | undefined, b: TerminalCommandHooks | undefined): TerminalCommandHooks | undefined {
  if (!a || !b) return a ?? b;
  return {
    beforeCommand: async () => {
      await a.beforeCommand?.();
      return b.beforeCommand?.();
    },
    onCommand: (c) => {
      a.onCommand?.(c);
      b.onCommand?.(c);
    },
  };
}
