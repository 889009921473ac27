import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunTable } from '../../core/agent/runTable';
import { readTrajectoryEvents } from '../../core/trajectory/readTrajectory';
import type { AgentStats } from '../../shared/agentStats';
import type { AgentRunRow } from '../../shared/agentView';
import { statsOf } from './agentStats';
import type { RunOwners } from './runOwners';
import { Disposable } from '../util/disposable';

/** Where the table was kept before it moved to a file (read until the file's first write takes it over). */
const LEGACY_KEY = 'sweGym.agentRuns.v1';
const MAX_PER_INSTANCE = 200;

/**
 * The agent rollouts of every instance, newest first, in a file of the profile's global storage
 * (launching can reload the window). Rows are written when a rollout starts and again when it
 * ends, so a rollout the window took down with it shows as interrupted rather than vanishing.
 * Every window of the profile shares the file: each change is made under a cross-process lock on
 * what the file holds at that moment (core RunTable), so two windows writing at once both keep
 * their change, and a row names the extension host that runs it (`owner`): only a row whose owner
 * is gone is taken for interrupted. Another window's changes are seen as they are written.
 */
export class AgentRunStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose rollouts changed (here or in another window). */
  readonly onDidChange = this.changed.event;
  readonly table: RunTable<AgentRunRow>;
  /** Each instance's rows as this window last saw them, to tell which another window changed. */
  private seen = new Map<string, string>();

  constructor(
    memento: vscode.Memento,
    /** Which extension hosts are alive; `owners.self` is this one. */
    readonly owners: RunOwners,
    file: string,
  ) {
    super();
    this.table = new RunTable<AgentRunRow>(file, { maxPerInstance: MAX_PER_INSTANCE, legacy: () => memento.get<Record<string, AgentRunRow[]>>(LEGACY_KEY) });
    this.remember();
    this.watchOtherWindows(file);
  }

  rows(instanceId: string): AgentRunRow[] {
    return this.table.rows(instanceId);
  }

  row(instanceId: string, rolloutId: string): AgentRunRow | undefined {
    return this.rows(instanceId).find((r) => r.rolloutId === rolloutId);
  }

  instanceIds(): string[] {
    return this.table.instanceIds();
  }

  /** The index of a rollout about to be made, never handed to another (window) too. */
  reserveIndex(instanceId: string): Promise<number> {
    return this.table.reserveIndex(instanceId);
  }

  async upsert(row: AgentRunRow): Promise<void> {
    await this.table.upsert(row);
    this.announce([row.instanceId]);
  }

  /** Changes a row as it is now (another window may have changed it since it was read here). */
  async patch(instanceId: string, rolloutId: string, change: (row: AgentRunRow) => AgentRunRow | undefined): Promise<AgentRunRow | undefined> {
    const next = await this.table.patch(instanceId, rolloutId, change);
    if (next) this.announce([instanceId]);
    return next;
  }

  /**
   * Rows still marked running that no live extension host runs were cut off by a reload or a
   * crash (a row another open window runs is left alone); their figures are taken from the event
   * log they left (the last step it recorded). Resolves to the rows it marked.
   */
  async markInterrupted(live: ReadonlySet<string>): Promise<AgentRunRow[]> {
    const cutOff = (r: AgentRunRow, now: number) => (r.state === 'running' || r.state === 'paused') && !live.has(r.rolloutId) && !this.owners.isAlive(r.owner, now);
    const candidates = Object.values(this.table.read().instances).flat().filter((r) => cutOff(r, Date.now()));
    if (!candidates.length) return [];
    // The logs are read before the lock is taken; the rows are judged again under it.
    const recovered = new Map<string, Partial<AgentRunRow>>();
    for (const r of candidates) recovered.set(r.rolloutId, await progressFromLog(r.eventsPath));
    const marked = await this.table.update((data) => {
      const now = Date.now();
      const out: AgentRunRow[] = [];
      for (const [id, rows] of Object.entries(data.instances)) {
        data.instances[id] = rows.map((r) => {
          if (!recovered.has(r.rolloutId) || !cutOff(r, now)) return r;
          const m: AgentRunRow = { ...r, ...recovered.get(r.rolloutId), state: 'interrupted', exitReason: r.exitReason ?? 'interrupted' };
          out.push(m);
          return m;
        });
      }
      return out;
    });
    this.announce([...new Set(marked.map((r) => r.instanceId))]);
    return marked;
  }

  stats(instanceId: string): AgentStats {
    return statsOf(this.rows(instanceId));
  }

  /** Fires for the instances whose rows differ from what this window last saw. */
  private announce(candidates?: string[]): void {
    const before = this.seen;
    this.remember();
    const ids = candidates ?? [...new Set([...before.keys(), ...this.seen.keys()])];
    for (const id of ids) if (candidates || before.get(id) !== this.seen.get(id)) this.changed.fire(id);
  }

  private remember(): void {
    this.seen = new Map(Object.entries(this.table.read().instances).map(([id, rows]) => [id, JSON.stringify(rows)]));
  }

  /** Another window's write replaces the file: its rows show here without a reload. */
  private watchOtherWindows(file: string): void {
    let watcher: fs.FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      watcher = fs.watch(path.dirname(file), (_event, name) => {
        if (name !== path.basename(file) || timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          this.announce();
        }, 50);
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // No watching (an odd file system): this window sees other windows' rows when it next reads them.
    }
    this.register({
      dispose: () => {
        if (timer) clearTimeout(timer);
        watcher?.close();
      },
    });
  }
}

/** Steps, tokens and cost as of the last step an event log recorded; nothing when it cannot be read. */
async function progressFromLog(eventsPath: string | undefined): Promise<Partial<AgentRunRow>> {
  if (!eventsPath || !fs.existsSync(eventsPath)) return {};
  try {
    const { events } = await readTrajectoryEvents(eventsPath);
    const last = [...events].reverse().find((e) => e.type === 'step_finished');
    if (last?.type !== 'step_finished') return {};
    return { steps: last.step, promptTokens: last.totals.promptTokens, completionTokens: last.totals.completionTokens, costUsd: last.totals.costUsd };
  } catch {
    return {};
  }
}
