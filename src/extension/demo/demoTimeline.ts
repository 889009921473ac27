import { OBSERVATION_PREFIX } from '../../core/agent/tools/toolExecutor';
import type { RecordedAction, StampedDemoEvent } from '../../core/demo/demoEvents';
import type { DemoRecorder } from '../../core/demo/demoRecorder';
import { readDemoEvents } from '../../core/demo/demoFiles';
import type { DemoActionRow, DemoInterruptedView, DemoRecordingView, DemoTimelineItem } from '../../shared/demoPanel';

/** How much of an observation a step row shows (the step view has all of it). */
const OBSERVATION_LINES = 8;
const OBSERVATION_CHARS = 600;

/** A recording as the demonstration panel shows it, read from the recorder's log in memory. */
export function recordingView(r: DemoRecorder): DemoRecordingView {
  return {
    state: r.state === 'paused' ? 'paused' : 'recording',
    activeMs: r.activeMs,
    readAt: Date.now(),
    annotator: r.header.annotator ?? null,
    pendingNote: r.note ?? null,
    steps: r.stepCount,
    actions: r.actionCount,
    timeline: timeline(r.history, r.header.repoDir),
    eventsPath: r.eventsPath,
  };
}

/** An interrupted recording as the panel shows it before Resume: read from its log on disk. */
export function interruptedView(eventsPath: string): DemoInterruptedView {
  const events = readDemoEvents(eventsPath);
  const first = events[0];
  const header = first?.type === 'demo_started' ? first : undefined;
  let activeMs = 0;
  let steps = 0;
  let actions = 0;
  for (const e of events) {
    if ('activeMs' in e && typeof e.activeMs === 'number') activeMs = e.activeMs;
    if (e.type === 'demo_step') {
      steps = Math.max(steps, e.step);
      actions += e.actions.length;
    }
  }
  return { activeMs, annotator: header?.annotator ?? null, steps, actions, timeline: timeline(events, header?.repoDir ?? '/testbed'), eventsPath };
}

/** Steps, test runs, reveals, pauses in log order; a step's note as it stands (later changes applied). */
export function timeline(events: readonly StampedDemoEvent[], repoDir: string): DemoTimelineItem[] {
  const out: DemoTimelineItem[] = [];
  const steps = new Map<number, Extract<DemoTimelineItem, { kind: 'step' }>>();
  for (const e of events) {
    switch (e.type) {
      case 'demo_step': {
        const item: Extract<DemoTimelineItem, { kind: 'step' }> = { kind: 'step', step: e.step, source: e.source, activeMs: e.activeMs, ...(e.note ? { note: e.note } : {}), actions: e.actions.map((a) => actionRow(a, repoDir)) };
        steps.set(e.step, item);
        out.push(item);
        break;
      }
      case 'demo_step_note': {
        const s = steps.get(e.step);
        if (s) {
          if (e.text) s.note = e.text;
          else delete s.note;
        }
        break;
      }
      case 'demo_test_run':
        out.push({ kind: 'test_run', activeMs: e.activeMs, status: e.status, resolved: e.resolved });
        break;
      case 'demo_reveal':
        out.push({ kind: 'reveal', what: e.what, activeMs: e.activeMs, beforeStart: !!e.beforeStart });
        break;
      case 'demo_paused':
        out.push({ kind: 'pause', activeMs: e.activeMs });
        break;
      case 'demo_resumed':
        out.push({ kind: 'resume', activeMs: e.activeMs });
        break;
      case 'demo_resumed_after_crash':
        out.push({ kind: 'crash', activeMs: e.activeMs });
        break;
      default:
        break;
    }
  }
  return out;
}

function actionRow(a: RecordedAction, repoDir: string): DemoActionRow {
  const observation = a.name === 'execute_bash' ? commandOutput(a) : a.observation;
  return { tool: a.name, label: actionLabel(a, repoDir), observation: shortObservation(observation), ...(a.exitCode !== undefined ? { exitCode: a.exitCode } : {}) };
}

/**
 * What a command printed, without the released format's frame around it (the echoed command line
 * before, the interpreter, prompt and exit code after): the row shows the command and exit code already.
 */
export function commandOutput(a: Pick<RecordedAction, 'arguments' | 'observation'>): string {
  let text = (a.observation.startsWith(OBSERVATION_PREFIX) ? a.observation.slice(OBSERVATION_PREFIX.length) : a.observation).replace(/\r\n/g, '\n');
  let command = '';
  try {
    const args = JSON.parse(a.arguments) as { command?: unknown };
    if (typeof args.command === 'string') command = args.command.replace(/\r\n/g, '\n').replace(/\n+$/, '');
  } catch {
    // Not JSON: nothing to take off.
  }
  if (command && text.startsWith(command)) text = text.slice(command.length).replace(/^\n/, '');
  text = text.replace(/\[Python Interpreter: [^\]\n]*\][\s\S]*$/, '').replace(/\n?[^\n]*[#$] ?\n\[Command finished with exit code -?\d+\]\s*$/, '').replace(/\n*\[Command finished with exit code -?\d+\]\s*$/, '');
  return text.trim() ? text.replace(/\s+$/, '') : '(no output)';
}

/** `str_replace src/x.py`, `create tests/t.py`, or the command line. */
export function actionLabel(a: Pick<RecordedAction, 'name' | 'arguments'>, repoDir: string): string {
  let args: Record<string, unknown> = {};
  try {
    args = JSON.parse(a.arguments) as Record<string, unknown>;
  } catch {
    return a.arguments.slice(0, 200);
  }
  if (typeof args.command === 'string' && typeof args.path === 'string') {
    const p = args.path.startsWith(`${repoDir}/`) ? args.path.slice(repoDir.length + 1) : args.path;
    return `${args.command} ${p}`;
  }
  const cmd = typeof args.command === 'string' ? args.command : JSON.stringify(args);
  const first = cmd.split('\n')[0] ?? '';
  return first.length > 200 ? `${first.slice(0, 199)}…` : `${first}${cmd.includes('\n') ? ' …' : ''}`;
}

function shortObservation(o: string): string {
  const text = o.startsWith(OBSERVATION_PREFIX) ? o.slice(OBSERVATION_PREFIX.length) : o;
  const lines = text.split('\n');
  let short = lines.slice(0, OBSERVATION_LINES).join('\n');
  if (short.length > OBSERVATION_CHARS) short = short.slice(0, OBSERVATION_CHARS);
  return short.length < text.length ? `${short.trimEnd()}\n…` : short;
}
