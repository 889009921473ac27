import type { ImportedRun, ImportedStep } from './importedRun';
import { readChatRow } from './readSweGymRow';
import { mapCommandLine } from './toolMapping';

/**
 * Nebius's released rows (trajectory-formats.md §3.3, fields from the dataset cards):
 * SWE-rebench-openhands-trajectories (OpenAI messages with tool calls under `trajectory`,
 * `model_patch`, `resolved` as 0/1) and SWE-agent-trajectories (`trajectory` of `{role, text}`
 * turns, `generated_patch`, `target` as the result).
 */
interface RebenchRow {
  trajectory_id?: unknown;
  instance_id?: unknown;
  repo?: unknown;
  trajectory?: unknown;
  tools?: unknown;
  model_patch?: unknown;
  exit_status?: unknown;
  resolved?: unknown;
}

interface SweAgentRow {
  instance_id?: unknown;
  model_name?: unknown;
  target?: unknown;
  trajectory?: unknown;
  exit_status?: unknown;
  generated_patch?: unknown;
}

interface TextTurn {
  role?: unknown;
  text?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A SWE-rebench OpenHands row: `trajectory` holds OpenAI chat messages (`content`), one of them an assistant turn. */
export function isRebenchRow(v: unknown): boolean {
  const r = v as RebenchRow;
  return isObject(r) && typeof r.instance_id === 'string' && Array.isArray(r.trajectory) && r.trajectory.some((m) => isObject(m) && m.role === 'assistant' && 'content' in m);
}

/** A nebius SWE-agent row: `trajectory` holds `{role, text}` turns (no `content`). */
export function isSweAgentRow(v: unknown): boolean {
  const r = v as SweAgentRow;
  return isObject(r) && typeof r.instance_id === 'string' && Array.isArray(r.trajectory) && r.trajectory.length > 0 && r.trajectory.every((m) => isObject(m) && typeof m.role === 'string' && typeof m.text === 'string' && !('content' in m));
}

export function readRebenchRow(v: unknown, file: string, entry: number): ImportedRun {
  const r = v as RebenchRow;
  // The same OpenHands chat as a SWE-Gym row, under `trajectory`; its id is `trajectory_id` and it names no model.
  const run = readChatRow({ instance_id: r.instance_id, messages: r.trajectory, tools: r.tools, resolved: r.resolved, model_patch: r.model_patch, exit_status: r.exit_status }, file, entry, 'swe-gym-row');
  return { ...run, scaffold: 'OpenHands (SWE-rebench row)', model: null, runId: typeof r.trajectory_id === 'string' ? r.trajectory_id : null };
}

/** SWE-agent 0.x turns: the command is the last fenced block of a model turn; the next user turn is its observation. */
const FENCES = /```[^\n`]*\n([\s\S]*?)\n?```/g;

export function readSweAgentRow(v: unknown, file: string, entry: number): ImportedRun {
  const r = v as SweAgentRow;
  const turns = r.trajectory as TextTurn[];
  let system = '';
  let task = '';
  const steps: ImportedStep[] = [];
  const notes: ImportedRun['notes'] = [];
  let last: ImportedStep | undefined;
  for (const [i, t] of turns.entries()) {
    const text = String(t.text);
    if (t.role === 'system' && !system) system = text;
    else if (t.role === 'user' && !task) task = text;
    else if (t.role === 'ai' || t.role === 'assistant') {
      const fence = [...text.matchAll(FENCES)].pop();
      last = { thought: fence ? (text.slice(0, fence.index) + text.slice(fence.index + fence[0].length)).trim() : text, actions: fence ? [mapCommandLine(`call_${i}_0`, fence[1] ?? '', null)] : [] };
      steps.push(last);
    } else if (t.role === 'user') {
      const pending = last?.actions.find((a) => a.observation === null);
      if (pending) pending.observation = text;
      else notes.push({ afterStep: steps.length, content: text });
    }
  }
  // SWE-agent's prompt names its working directory after each observation: `(Current directory: /repo)`.
  const cwd = turns.map((t) => /\(Current directory: (\/[^)\s]*)\)/.exec(String(t.text))?.[1]).find((d) => d && d !== '/');
  return {
    format: 'swe-agent',
    file,
    entry,
    scaffold: 'SWE-agent (nebius row)',
    instanceId: typeof r.instance_id === 'string' ? r.instance_id : '',
    model: typeof r.model_name === 'string' ? r.model_name : null,
    runId: null,
    exitStatus: typeof r.exit_status === 'string' ? r.exit_status : null,
    resolved: typeof r.target === 'boolean' ? r.target : null,
    patch: typeof r.generated_patch === 'string' ? r.generated_patch : null,
    system,
    task,
    steps,
    notes,
    repoDir: cwd ?? null,
    tools: [],
    totals: {},
  };
}
