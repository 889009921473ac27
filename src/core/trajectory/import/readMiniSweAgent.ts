import * as path from 'node:path';
import { contentText } from '../../agent/chatTypes';
import type { LooseMessage } from './chatSteps';
import type { ImportedRun, ImportedStep } from './importedRun';
import { mapCommandLine, mapToolCall, parseArgs } from './toolMapping';

interface MiniTraj {
  trajectory_format?: unknown;
  instance_id?: unknown;
  messages?: unknown;
  info?: {
    exit_status?: unknown;
    submission?: unknown;
    mini_version?: unknown;
    model_stats?: { instance_cost?: unknown };
    config?: { agent_type?: unknown; model?: { model_name?: unknown }; environment?: { cwd?: unknown } };
  };
}

/** A mini-swe-agent `.traj.json` (`trajectory_format` mini-swe-agent-1 or -1.1). */
export function isMiniSweAgent(v: unknown): boolean {
  const t = v as MiniTraj;
  if (!t || !Array.isArray(t.messages)) return false;
  return (typeof t.trajectory_format === 'string' && t.trajectory_format.startsWith('mini-swe-agent')) || String(t.info?.config?.agent_type ?? '').includes('minisweagent');
}

const FENCE = /```(?:bash|mswea_bash_command)\s*\n([\s\S]*?)\n?```/;

/**
 * Steps at each assistant message: tool calls (1.1 tool calling) or the fenced command of its text
 * (v1 and the text-based 1.1 configs); observations are `role: tool` or the next user message.
 * `role: exit` (or its documented `user` form) ends the run.
 */
export function readMiniSweAgent(v: unknown, file: string, entry: number): ImportedRun {
  const t = v as MiniTraj;
  const messages = t.messages as (LooseMessage & { extra?: { returncode?: unknown; interrupt_type?: unknown } })[];
  let system = '';
  let task = '';
  const steps: ImportedStep[] = [];
  const notes: ImportedRun['notes'] = [];
  let last: ImportedStep | undefined;
  for (const [i, m] of messages.entries()) {
    const text = contentText(m.content);
    if (m.role === 'system' && !system) system = text;
    else if (m.role === 'user' && !task) task = text;
    else if (m.role === 'assistant') {
      const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]) : [];
      const actions = calls.length
        ? calls.map((c, j) => mapToolCall(typeof c.id === 'string' ? c.id : `call_${i}_${j}`, typeof c.function?.name === 'string' ? c.function.name : 'bash', parseArgs(c.function?.arguments), null))
        : FENCE.test(text)
          ? [mapCommandLine(`call_${i}_0`, FENCE.exec(text)?.[1] ?? '', null)]
          : [];
      last = { thought: calls.length ? text : text.replace(FENCE, '').trim(), actions };
      steps.push(last);
    } else if (m.role === 'tool' || (m.role === 'user' && last?.actions.some((a) => a.observation === null) && !m.extra?.interrupt_type)) {
      const action = last?.actions.find((a) => a.observation === null && (typeof m.tool_call_id !== 'string' || a.id === m.tool_call_id)) ?? last?.actions.find((a) => a.observation === null);
      if (!action) continue;
      action.observation = text;
      const code = typeof m.extra?.returncode === 'number' ? m.extra.returncode : Number(/<returncode>(-?\d+)<\/returncode>/.exec(text)?.[1] ?? NaN);
      if (Number.isFinite(code)) action.exitCode = code;
    } else if (m.role === 'user') notes.push({ afterStep: steps.length, content: text });
  }
  const info = t.info ?? {};
  const stem = path.basename(file).replace(/\.traj\.json$/, '').replace(/\.json$/, '');
  const cwd = info.config?.environment?.cwd;
  return {
    format: 'mini-swe-agent',
    file,
    entry,
    scaffold: `mini-swe-agent${typeof info.mini_version === 'string' ? ` ${info.mini_version}` : ''}`,
    instanceId: typeof t.instance_id === 'string' ? t.instance_id : stem,
    model: typeof info.config?.model?.model_name === 'string' ? info.config.model.model_name : null,
    runId: null,
    exitStatus: typeof info.exit_status === 'string' ? info.exit_status : null,
    resolved: null,
    patch: typeof info.submission === 'string' ? info.submission : null,
    system,
    task,
    steps,
    notes,
    repoDir: typeof cwd === 'string' && cwd.startsWith('/') ? cwd : '/testbed',
    tools: [],
    totals: { costUsd: typeof info.model_stats?.instance_cost === 'number' ? info.model_stats.instance_cost : undefined },
  };
}
