import type { ToolSchema } from '../../agent/chatTypes';
import { stepsFromChat, type LooseMessage } from './chatSteps';
import type { ImportedAction, ImportedRun, ImportedStep } from './importedRun';
import { guessRepoDir, mapToolCall } from './toolMapping';

interface OhEvent {
  id?: unknown;
  timestamp?: unknown;
  source?: unknown;
  message?: unknown;
  action?: unknown;
  observation?: unknown;
  args?: Record<string, unknown>;
  content?: unknown;
  extras?: { metadata?: { exit_code?: unknown } } & Record<string, unknown>;
  cause?: unknown;
  tool_call_metadata?: { tool_call_id?: unknown; function_name?: unknown };
  llm_metrics?: { accumulated_token_usage?: { prompt_tokens?: unknown; completion_tokens?: unknown }; accumulated_cost?: unknown };
}

interface OhRow {
  instance_id?: unknown;
  instruction?: unknown;
  history?: unknown;
  test_result?: { git_patch?: unknown; report?: { resolved?: unknown } };
  report?: { resolved?: unknown };
  metadata?: { agent_class?: unknown; llm_config?: { model?: unknown }; eval_output_dir?: unknown };
  metrics?: { accumulated_cost?: unknown; accumulated_token_usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } };
  error?: unknown;
  raw_completions?: { messages?: unknown; tools?: unknown };
}

/** An OpenHands V0 evaluation row (`output.jsonl`: `history` of events), or a saved list of events. */
export function isOpenHandsV0(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every((e) => e && typeof e === 'object' && !Array.isArray(e) && ('action' in e || 'observation' in e));
  const r = v as OhRow;
  return !!r && Array.isArray(r.history) && (typeof r.instruction === 'string' || typeof r.metadata === 'object' || typeof r.instance_id === 'string');
}

export function readOpenHands(v: unknown, file: string, entry: number): ImportedRun {
  const row: OhRow = Array.isArray(v) ? { history: v } : (v as OhRow);
  // Older rows keep history as [action, observation] pairs (compatibility_for_eval_history_pairs).
  const events = (row.history as unknown[]).flatMap((e) => (Array.isArray(e) ? e : [e])).filter((e): e is OhEvent => !!e && typeof e === 'object');
  const resolved = pickBool(row.test_result?.report?.resolved, row.report?.resolved);
  const model = typeof row.metadata?.llm_config?.model === 'string' ? row.metadata.llm_config.model : null;
  const agent = typeof row.metadata?.agent_class === 'string' ? row.metadata.agent_class : 'CodeActAgent';
  const patch = typeof row.test_result?.git_patch === 'string' ? row.test_result.git_patch : null;
  const rawMessages = row.raw_completions?.messages;
  // raw_completions is the last model call's exact conversation: the cleanest transcript when present.
  const parts = Array.isArray(rawMessages) && rawMessages.length > 2 ? stepsFromChat(rawMessages as LooseMessage[], { tools: row.raw_completions?.tools as ToolSchema[] | undefined }) : fromEvents(events);
  const task = parts.task || (typeof row.instruction === 'string' ? row.instruction : '');
  const finished = events.some((e) => e.action === 'finish');
  return {
    format: 'openhands-v0',
    file,
    entry,
    scaffold: `OpenHands ${agent}`,
    instanceId: typeof row.instance_id === 'string' ? row.instance_id : '',
    model,
    runId: null,
    exitStatus: typeof row.error === 'string' && row.error ? `error: ${row.error}` : finished ? 'finished' : 'stopped',
    resolved,
    patch,
    ...parts,
    task,
    repoDir: guessRepoDir(task, typeof row.instruction === 'string' ? row.instruction : undefined),
    tools: Array.isArray(row.raw_completions?.tools) ? (row.raw_completions.tools as ImportedRun['tools']) : [],
    totals: {
      promptTokens: num(row.metrics?.accumulated_token_usage?.prompt_tokens),
      completionTokens: num(row.metrics?.accumulated_token_usage?.completion_tokens),
      costUsd: num(row.metrics?.accumulated_cost),
    },
    startedAt: typeof events[0]?.timestamp === 'string' ? events[0].timestamp : undefined,
  };
}

/** Actions paired with their observations by `cause`; environment events and the agent's state changes skipped. */
function fromEvents(events: OhEvent[]): Pick<ImportedRun, 'system' | 'task' | 'steps' | 'notes'> {
  const out: Pick<ImportedRun, 'system' | 'task' | 'steps' | 'notes'> = { system: '', task: '', steps: [], notes: [] };
  const byActionId = new Map<unknown, ImportedAction>();
  // llm_metrics on an agent's action are the run's running totals: a step's share is the increase.
  let spent = { cost: 0, prompt: 0, completion: 0 };
  const usage = (e: OhEvent): Pick<ImportedStep, 'promptTokens' | 'completionTokens' | 'costUsd'> => {
    const m = e.llm_metrics;
    if (!m || e.source !== 'agent') return {};
    const now = { cost: num(m.accumulated_cost) ?? spent.cost, prompt: num(m.accumulated_token_usage?.prompt_tokens) ?? spent.prompt, completion: num(m.accumulated_token_usage?.completion_tokens) ?? spent.completion };
    const step = { promptTokens: now.prompt - spent.prompt, completionTokens: now.completion - spent.completion, costUsd: now.cost - spent.cost };
    spent = now;
    return step.promptTokens >= 0 && step.completionTokens >= 0 && step.costUsd >= 0 ? step : {};
  };
  for (const e of events) {
    if (e.source === 'environment') continue;
    const args = e.args ?? {};
    if (typeof e.action === 'string') {
      if (e.action === 'system') {
        out.system = str(args.content);
        continue;
      }
      if (e.action === 'message') {
        const text = str(args.content) || str(e.message);
        if (e.source === 'user' && !out.task) out.task = text;
        else if (e.source === 'user') out.notes.push({ afterStep: out.steps.length, content: text });
        else out.steps.push({ thought: text, actions: [], ...usage(e) });
        continue;
      }
      const action = actionOf(e, args);
      if (!action) continue;
      const step: ImportedStep = { thought: str(args.thought), actions: [action], ...usage(e), ...(typeof e.timestamp === 'string' ? { timestamp: e.timestamp } : {}) };
      out.steps.push(step);
      byActionId.set(e.id, action);
    } else if (typeof e.observation === 'string') {
      const action = byActionId.get(e.cause);
      if (!action || action.observation !== null) continue;
      action.observation = str(e.content);
      const code = e.extras?.metadata?.exit_code;
      if (typeof code === 'number') action.exitCode = code;
    }
  }
  return out;
}

function actionOf(e: OhEvent, args: Record<string, unknown>): ImportedAction | undefined {
  const id = typeof e.tool_call_metadata?.tool_call_id === 'string' ? e.tool_call_metadata.tool_call_id : `event_${String(e.id)}`;
  switch (e.action) {
    case 'run':
      return mapToolCall(id, 'execute_bash', { command: str(args.command) }, null);
    case 'edit':
      return mapToolCall(id, 'str_replace_editor', args, null);
    case 'read': {
      const range = Array.isArray(args.view_range) ? args.view_range : undefined;
      return mapToolCall(id, 'str_replace_editor', { command: 'view', path: args.path, ...(range ? { view_range: range } : {}) }, null);
    }
    case 'finish':
      return mapToolCall(id, 'finish', {}, null);
    case 'run_ipython':
      return mapToolCall(id, 'execute_ipython_cell', { code: str(args.code) }, null);
    case 'think':
      return undefined;
    default:
      return typeof e.action === 'string' ? mapToolCall(id, e.action, args, null) : undefined;
  }
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function pickBool(...vs: unknown[]): boolean | null {
  for (const v of vs) if (typeof v === 'boolean') return v;
  return null;
}
