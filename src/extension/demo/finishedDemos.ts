import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { FinishedDemoRow } from '../../shared/demoPanel';

const cache = new Map<string, { mtimeMs: number; row: FinishedDemoRow | null }>();

/**
 * The closed demonstrations of an instance in a run folder (`<instance>_<n>.json` with a
 * `demonstration` block), newest first. A file is read again only when it changed.
 */
export function finishedDemos(dir: string, instanceId: string): FinishedDemoRow[] {
  const prefix = `${instanceId.replace(/[^A-Za-z0-9._-]/g, '_')}_`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const rows: FinishedDemoRow[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d+\.json$/.test(name.slice(prefix.length))) continue;
    const file = path.join(dir, name);
    const row = readRow(file, instanceId);
    if (row) rows.push(row);
  }
  return rows.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}

function readRow(file: string, instanceId: string): FinishedDemoRow | null {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.row;
  let row: FinishedDemoRow | null = null;
  try {
    const t = JSON.parse(fs.readFileSync(file, 'utf8')) as ClosedTrajectory;
    const d = t.demonstration;
    if (d && t.instance_id === instanceId) {
      row = {
        file,
        demoId: t.rollout_id,
        index: t.index,
        finishedAt: t.finished_at,
        activeMs: d.active_ms,
        steps: d.recorded_steps,
        resolved: t.reward ? t.reward.resolved : null,
        status: t.reward?.status ?? null,
        annotator: d.annotator ?? null,
        revealed: d.reveals.map((r) => r.what),
      };
    }
  } catch {
    row = null;
  }
  cache.set(file, { mtimeMs, row });
  return row;
}
