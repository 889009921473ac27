import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StampedDemoEvent } from './demoEvents';

/** A demonstration log never finished nor discarded (a crash, a reload): it can be resumed. */
export interface InterruptedDemo {
  instanceId: string;
  index: number;
  eventsPath: string;
}

/** One run folder per annotator, so `swe-gym export --run` takes a person's demonstrations at once. */
export function demoRunDir(root: string, annotator: string | undefined): string {
  const name = annotator ? annotator.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') : 'demonstrations';
  return path.join(root, name || 'demonstrations');
}

/** The next free `_<n>` of an instance in a run folder (rollouts and demonstrations share the naming). */
export function nextDemoIndex(dir: string, instanceId: string): number {
  const prefix = `${instanceId.replace(/[^A-Za-z0-9._-]/g, '_')}_`;
  let next = 0;
  for (const name of safeList(dir)) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.(?:jsonl|json|files)$/.exec(name.slice(prefix.length));
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return next;
}

/** Logs in a run folder whose demonstration has no closed file and did not end (read from the first and last lines). */
export function findInterrupted(dir: string): InterruptedDemo[] {
  const out: InterruptedDemo[] = [];
  for (const name of safeList(dir)) {
    if (!name.endsWith('.jsonl')) continue;
    const eventsPath = path.join(dir, name);
    if (fs.existsSync(eventsPath.replace(/\.jsonl$/, '.json'))) continue;
    let text: string;
    try {
      text = fs.readFileSync(eventsPath, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n').filter((l) => l.trim());
    const first = parse(lines[0]);
    if (first?.type !== 'demo_started' || typeof first.instanceId !== 'string') continue;
    if (lines.some((l) => l.includes('"type":"demo_finished"') || l.includes('"type":"demo_discarded"'))) continue;
    out.push({ instanceId: first.instanceId, index: typeof first.index === 'number' ? first.index : 0, eventsPath });
  }
  return out;
}

/**
 * A demonstration log's events as they stand, read only (nothing is cut or written): a torn last
 * line (the step in flight at a crash) is left out, as a resume would drop it.
 */
export function readDemoEvents(eventsPath: string): StampedDemoEvent[] {
  const events: StampedDemoEvent[] = [];
  for (const line of fs.readFileSync(eventsPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as StampedDemoEvent);
    } catch {
      break;
    }
  }
  return events;
}

/** Removes a demonstration's log, its stored contents (`.files/`) and any closed file. */
export function removeDemoFiles(eventsPath: string): void {
  if (!eventsPath.endsWith('.jsonl')) throw new Error(`${eventsPath} is not a demonstration log (.jsonl).`);
  fs.rmSync(eventsPath, { force: true });
  fs.rmSync(eventsPath.replace(/\.jsonl$/, '.json'), { force: true });
  fs.rmSync(eventsPath.replace(/\.jsonl$/, '.files'), { recursive: true, force: true });
}

function parse(line: string | undefined): { type?: unknown; instanceId?: unknown; index?: unknown } | undefined {
  try {
    return line ? (JSON.parse(line) as { type?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
