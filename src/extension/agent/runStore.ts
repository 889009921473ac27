import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { readTrajectoryEvents } from '../../core/trajectory/readTrajectory';
import type { AgentStats } from '../../shared/agentStats';
import type { AgentRunRow } from '../../shared/agentView';
import { statsOf } from './agentStats';
import type { RunOwners } from './runOwners';
import { Disposable } from '../util/disposable';

const KEY = 'sweGym.agentRuns.v1';
const MAX_PER_INSTANCE = 200;

/**
 * The agent rollouts of every instance, newest first, in globalState (launching can reload the
 * window). Rows are written when a rollout starts and again when it ends, so a rollout the window
 * took down with it shows as interrupted rather than vanishing. Every window of the profile shares
 * globalState: a row names the extension host that runs it (`owner`), and only a row whose owner
 * is gone is taken for interrupted.
 */
export class AgentRunStore extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the instance id whose rollouts changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly memento: vscode.Memento,
    /** Which extension hosts are alive; `owners.self` is this one. */
    readonly owners: RunOwners,
  ) {
    super();
  }

  private all(): Record<string, AgentRunRow[]> {
    return this.memento.get<Record<string, AgentRunRow[]>>(KEY) ?? {};
  }

  rows(instanceId: string): AgentRunRow[] {
    return this.all()[instanceId] ?? [];
  }

  row(instanceId: string, rolloutId: string): AgentRunRow | undefined {
    return this.rows(instanceId).find((r) => r.rolloutId === rolloutId);
  }

  instanceIds(): string[] {
    return Object.keys(this.all()).filter((id) => this.rows(id).length > 0);
  }

  nextIndex(instanceId: string): number {
    return this.rows(instanceId).reduce((n, r) => Math.max(n, r.index + 1), 0);
  }

  async upsert(row: AgentRunRow): Promise<void> {
    const all = this.all();
    const rows = (all[row.instanceId] ?? []).filter((r) => r.rolloutId !== row.rolloutId);
    all[row.instanceId] = [row, ...rows].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, MAX_PER_INSTANCE);
    await this.memento.update(KEY, all);
    this.changed.fire(row.instanceId);
  }

  /**
   * Rows still marked running that no live extension host runs were cut off by a reload or a
   * crash (a row another open window runs is left alone); their figures are taken from the event
   * log they left (the last step it recorded). Resolves to the rows it marked.
   */
  async markInterrupted(live: ReadonlySet<string>): Promise<AgentRunRow[]> {
    const now = Date.now();
    const cutOff = (r: AgentRunRow) => (r.state === 'running' || r.state === 'paused') && !live.has(r.rolloutId) && !this.owners.isAlive(r.owner, now);
    const recovered = new Map<string, Partial<AgentRunRow>>();
    for (const r of Object.values(this.all()).flat().filter(cutOff)) recovered.set(r.rolloutId, await progressFromLog(r.eventsPath));
    const all = this.all();
    const touched: string[] = [];
    for (const [id, rows] of Object.entries(all)) {
      if (!rows.some(cutOff)) continue;
      all[id] = rows.map((r) => (cutOff(r) ? { ...r, ...recovered.get(r.rolloutId), state: 'interrupted', exitReason: r.exitReason ?? 'interrupted' } : r));
      touched.push(id);
    }
    if (!touched.length) return [];
    await this.memento.update(KEY, all);
    for (const id of touched) this.changed.fire(id);
    return touched.flatMap((id) => (all[id] ?? []).filter((r) => recovered.has(r.rolloutId)));
  }

  stats(instanceId: string): AgentStats {
    return statsOf(this.rows(instanceId));
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
