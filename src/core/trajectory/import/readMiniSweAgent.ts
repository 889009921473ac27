import * as path from 'node:path';
import { contentText } from '../../agent/chatTypes';
import type { LooseMessage } from './chatSteps';
import type { ImportedRun, ImportedStep } from './importedRun';
import { mapCommandLine, mapToolCall, parseArgs } from './toolMapping';

interface MessageExtra {
  actions?: unknown;
  returncode?: unknown;
  interrupt_type?: unknown;
  cost?: unknown;
  timestamp?: unknown;
  response?: { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } };
}

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
  if (typeof t.trajectory_format === 'string') return t.trajectory_format.startsWith('mini-swe-agent');
  // v1 files written before `trajectory_format` existed (2025-08): info.mini_version, or the
  // agent's class, or v1's `MINI_SWE_AGENT_FINAL_OUTPUT` finish signal with fenced bash commands.
  return (
    typeof t.info?.mini_version === 'string' ||
    String(t.info?.config?.agent_type ?? '').includes('minisweagent') ||
    (typeof t.info?.exit_status === 'string' && (t.messages as LooseMessage[]).some((m) => m?.role === 'assistant' && typeof m.content === 'string' && FENCE.test(m.content)))
  );
}

const FENCE = /```(?:bash|mswea_bash_command)\s*\n([\s\S]*?)\n?```/;

/**
 * Steps at each assistant message: tool calls (1.1 tool calling) or the fenced command of its text
 * (v1 and the text-based 1.1 configs); observations are `role: tool` or the next user message.
 * `role: exit` (or its documented `user` form) ends the run.
 */
export function readMiniSweAgent(v: unknown, file: string, entry: number): ImportedRun {
  const t = v as MiniTraj;
  const messages = t.messages as (LooseMessage & { extra?: MessageExtra })[];
  let system = '';
  let task = '';
  const steps: ImportedStep[] = [];
  const notes: ImportedRun['notes'] = [];
  let last: ImportedStep | undefined;
  for (const [i, m] of messages.entries()) {
    const text = contentText(m.content);
    if (m.role === 'system' && !system) system = text;
    else if (m.role === 'user' && !task) task = text;
    else if (m.role === 'user' && !m.extra?.interrupt_type && personCommands(m.extra).length) {
      // Human mode (InteractiveAgent): the person's command is a user message with extra.actions
      // ("User command: ```bash ...```"); its observation follows as a user message.
      last = { thought: '', actions: personCommands(m.extra).map((c, j) => mapCommandLine(`person_${i}_${j}`, c, null)), byPerson: true };
      steps.push(last);
    } else if (m.role === 'assistant') {
      const calls = Array.isArray(m.tool_calls) ? (m.tool_calls as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]) : [];
      const actions = calls.length
        ? calls.map((c, j) => mapToolCall(typeof c.id === 'string' ? c.id : `call_${i}_${j}`, typeof c.function?.name === 'string' ? c.function.name : 'bash', parseArgs(c.function?.arguments), null))
        : FENCE.test(text)
          ? [mapCommandLine(`call_${i}_0`, FENCE.exec(text)?.[1] ?? '', null)]
          : [];
      last = { thought: calls.length ? text : text.replace(FENCE, '').trim(), actions, ...usageOf(m.extra) };
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

/** The commands a user message carries in `extra.actions` (human mode). */
function personCommands(extra: MessageExtra | undefined): string[] {
  const actions = Array.isArray(extra?.actions) ? (extra.actions as { command?: unknown }[]) : [];
  return actions.flatMap((a) => (a && typeof a.command === 'string' && a.command.trim() ? [a.command] : []));
}

/** What a 1.1 assistant message records of its call: `extra.cost`, the raw response's usage, its time. */
function usageOf(extra: MessageExtra | undefined): Pick<ImportedStep, 'promptTokens' | 'completionTokens' | 'costUsd' | 'timestamp'> {
  if (!extra) return {};
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const usage = extra.response?.usage;
  const prompt = n(usage?.prompt_tokens);
  const completion = n(usage?.completion_tokens);
  const cost = n(extra.cost);
  const at = n(extra.timestamp);
  return {
    ...(prompt !== undefined ? { promptTokens: prompt } : {}),
    ...(completion !== undefined ? { completionTokens: completion } : {}),
    ...(cost !== undefined ? { costUsd: cost } : {}),
    ...(at !== undefined ? { timestamp: new Date(at * 1000).toISOString() } : {}),
  };
}
