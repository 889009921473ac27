import * as path from 'node:path';
import * as vscode from 'vscode';
import { claim, otherUsers, release, withUser } from '../../core/devcontainer/containerUsers';
import { RecordFile } from '../../core/util/recordFile';
import type { RevealKind, RevealRecord } from '../../shared/instancePage';
import type { RunRecord } from '../../shared/runRecord';
import { Disposable } from '../util/disposable';

/** A dev container this extension launched, remembered across reloads. */
export interface SessionRecord {
  containerId: string;
  workspaceDir: string;
  image: string;
  datasetSource: string;
  launchedAt: string;
  /**
   * Set while the launch adds the folder to the window: turning a single-folder window into a
   * workspace reloads it, and the terminal is then opened by the next activation instead.
   */
  terminalPending?: boolean;
  /** The instance's page was open when that launch began: VS Code restores it after the reload. */
  pageOpen?: boolean;
  /** A container terminal was open: after a reload it is opened again (VS Code cannot revive it). */
  terminalOpen?: boolean;
  /** Launched early on a local engine: the container's /testbed is its own, kept in step with the folder by a sync (core earlyLaunch). */
  synced?: boolean;
  /** The windows (extension hosts' session ids) that use the container: Stop removes it only when no other live one does. */
  users?: string[];
}

/** Which extension hosts of the profile are alive (RunOwners); `self` is this one. */
export interface LiveWindows {
  readonly self: string;
  isAlive(owner: string | undefined): boolean;
}

/** Set just before adding a folder reloads the window, so the next activation restores the view. */
export interface ReloadResume {
  instanceId: string;
  workspaceDir: string;
  at: number;
  /** The next activation found the folder missing and added it again (which restarts the host once). */
  readded?: boolean;
  /** An activation found VS Code listing less than the workspace file and rewrote the file once (see resumeAfterReload). */
  reread?: boolean;
}

export interface InstanceRecord {
  revealed?: Partial<Record<RevealKind, RevealRecord>>;
  history?: RunRecord[];
  session?: SessionRecord;
}

/** Where the records were kept before they moved to a file (read until the file's first write takes them over). */
const INSTANCES_KEY = 'sweGym.instances.v1';
const INSTANCES_FORMAT = 'swe-gym-studio/instances@1';
const OPENED_DATASETS_KEY = 'sweGym.openedDatasets.v1';
const RELOAD_RESUME_KEY = 'sweGym.reloadResume.v1';
const MAX_HISTORY = 50;

/**
 * Everything that must survive a reload. The instance records (reveals, runs, the dev container)
 * live in a file of the profile's global storage that every window shares, changed under a
 * cross-process lock (core RecordFile), so two windows writing at once both keep their change;
 * the rest stays in globalState (launching adds a folder to the window, which can restart the
 * extension host and changes the workspace, so workspaceState would lose it).
 */
export class StateStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose record changed. */
  readonly onDidChange = this.changed.event;
  private readonly records: RecordFile<InstanceRecord>;

  constructor(
    private readonly memento: vscode.Memento,
    file: string,
    /** The windows of the profile: whose dev containers are still in use elsewhere. */
    readonly windows: LiveWindows,
  ) {
    super();
    this.records = new RecordFile<InstanceRecord>(file, { format: INSTANCES_FORMAT, legacy: () => memento.get<Record<string, InstanceRecord>>(INSTANCES_KEY) });
  }

  get file(): string {
    return this.records.file;
  }

  private all(): Record<string, InstanceRecord> {
    return this.records.all();
  }

  get(instanceId: string): InstanceRecord {
    return this.all()[instanceId] ?? {};
  }

  instanceIdsWithHistory(): string[] {
    return Object.entries(this.all()).flatMap(([id, r]) => (r.history?.length ? [id] : []));
  }

  instancesWithSessions(): [string, SessionRecord][] {
    return Object.entries(this.all()).flatMap(([id, r]) => (r.session ? [[id, r.session] as [string, SessionRecord]] : []));
  }

  /** Changes an instance's record as the file holds it now (another window may have changed it). */
  async update(instanceId: string, change: (record: InstanceRecord) => InstanceRecord): Promise<void> {
    await this.records.update(instanceId, (r) => change({ ...(r ?? {}) }));
    this.changed.fire(instanceId);
  }

  async reveal(instanceId: string, what: RevealKind): Promise<void> {
    if (this.get(instanceId).revealed?.[what]) return;
    await this.update(instanceId, (r) => ({ ...r, revealed: { ...r.revealed, [what]: { at: new Date().toISOString() } } }));
  }

  async addRun(instanceId: string, run: RunRecord): Promise<void> {
    await this.update(instanceId, (r) => ({ ...r, history: [run, ...(r.history ?? [])].slice(0, MAX_HISTORY) }));
  }

  async setTerminalOpen(instanceId: string, open: boolean): Promise<void> {
    if (!!this.get(instanceId).session?.terminalOpen === open) return;
    await this.changeSession(instanceId, (session) => ({ ...session, terminalOpen: open || undefined }));
  }

  async setTerminalPending(instanceId: string, pending: boolean, pageOpen = false): Promise<void> {
    const session = this.get(instanceId).session;
    if (session && (!!session.terminalPending !== pending || !!session.pageOpen !== (pending && pageOpen))) {
      await this.changeSession(instanceId, (s) => ({ ...s, terminalPending: pending || undefined, pageOpen: (pending && pageOpen) || undefined }));
    }
  }

  async setSession(instanceId: string, session: SessionRecord | undefined): Promise<void> {
    await this.update(instanceId, (r) => ({ ...r, session }));
  }

  /** The other live windows that use this record's container. */
  otherUsers(session: SessionRecord | undefined): string[] {
    return otherUsers(session, this.windows.self, (u) => this.windows.isAlive(u));
  }

  /** Records a launch's container, unless another live window's container of the instance is recorded: resolves to the one the instance uses. */
  async claimSession(instanceId: string, launched: SessionRecord): Promise<SessionRecord> {
    let kept = launched;
    await this.update(instanceId, (r) => ({ ...r, session: (kept = claim(r.session, launched, this.windows.self, (u) => this.windows.isAlive(u))) }));
    return kept;
  }

  /** This window uses the recorded container `containerId` too (undefined: the record holds no such container any more). */
  async joinSession(instanceId: string, containerId: string): Promise<SessionRecord | undefined> {
    let joined: SessionRecord | undefined;
    await this.changeSession(instanceId, (s) => (s.containerId === containerId ? (joined = withUser(s, this.windows.self, (u) => this.windows.isAlive(u))) : s));
    return joined;
  }

  /** This window stops using `containerId`: `remove` when no other live window uses it (the record then goes), else the others. */
  async releaseSession(instanceId: string, containerId: string): Promise<{ remove: boolean; others: string[] }> {
    let out = { remove: true, others: [] as string[] };
    await this.update(instanceId, (r) => {
      const released = release(r.session, containerId, this.windows.self, (u) => this.windows.isAlive(u));
      out = released;
      return { ...r, session: released.next };
    });
    return out;
  }

  /** Changes the recorded session as the file holds it now (none: nothing). */
  private async changeSession(instanceId: string, change: (session: SessionRecord) => SessionRecord): Promise<void> {
    await this.update(instanceId, (r) => (r.session ? { ...r, session: change(r.session) } : r));
  }

  openedDatasets(): string[] {
    return this.memento.get<string[]>(OPENED_DATASETS_KEY) ?? [];
  }

  async setOpenedDatasets(sources: string[]): Promise<void> {
    await this.memento.update(OPENED_DATASETS_KEY, [...new Set(sources)]);
  }

  reloadResume(): ReloadResume | undefined {
    return this.memento.get<ReloadResume>(RELOAD_RESUME_KEY);
  }

  async setReloadResume(resume: ReloadResume | undefined): Promise<void> {
    await this.memento.update(RELOAD_RESUME_KEY, resume);
  }
}

/** Where a profile's instance records live in its global storage. */
export function instanceRecordsFile(globalStorageDir: string): string {
  return path.join(globalStorageDir, 'instances.json');
}
