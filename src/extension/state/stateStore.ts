import * as vscode from 'vscode';
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

const INSTANCES_KEY = 'sweGym.instances.v1';
const OPENED_DATASETS_KEY = 'sweGym.openedDatasets.v1';
const RELOAD_RESUME_KEY = 'sweGym.reloadResume.v1';
const MAX_HISTORY = 50;

/**
 * Everything that must survive a reload, in globalState: launching adds a folder to the window,
 * which can restart the extension host and changes the workspace, so workspaceState would lose it.
 */
export class StateStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose record changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {
    super();
  }

  private all(): Record<string, InstanceRecord> {
    return this.memento.get<Record<string, InstanceRecord>>(INSTANCES_KEY) ?? {};
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

  async update(instanceId: string, change: (record: InstanceRecord) => InstanceRecord): Promise<void> {
    const all = this.all();
    all[instanceId] = change({ ...(all[instanceId] ?? {}) });
    await this.memento.update(INSTANCES_KEY, all);
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
    const session = this.get(instanceId).session;
    if (session && !!session.terminalOpen !== open) await this.setSession(instanceId, { ...session, terminalOpen: open || undefined });
  }

  async setTerminalPending(instanceId: string, pending: boolean, pageOpen = false): Promise<void> {
    const session = this.get(instanceId).session;
    if (session && (!!session.terminalPending !== pending || !!session.pageOpen !== (pending && pageOpen))) {
      await this.setSession(instanceId, { ...session, terminalPending: pending || undefined, pageOpen: (pending && pageOpen) || undefined });
    }
  }

  async setSession(instanceId: string, session: SessionRecord | undefined): Promise<void> {
    await this.update(instanceId, (r) => ({ ...r, session }));
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
