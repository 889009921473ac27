import { contentText } from '../../agent/chatTypes';
import type { ImportedRun, ImportedStep } from './importedRun';
import { guessRepoDir, mapToolCall, parseArgs } from './toolMapping';

interface AtifStep {
  step_id?: unknown;
  timestamp?: unknown;
  source?: unknown;
  message?: unknown;
  reasoning_content?: unknown;
  tool_calls?: { tool_call_id?: unknown; function_name?: unknown; arguments?: unknown }[];
  observation?: { results?: { source_call_id?: unknown; content?: unknown }[] };
  metrics?: { prompt_tokens?: unknown; completion_tokens?: unknown; cost_usd?: unknown };
  extra?: { repo_diff_after?: unknown; exit_code?: unknown };
}

interface Atif {
  schema_version?: unknown;
  session_id?: unknown;
  agent?: { name?: unknown; version?: unknown; model_name?: unknown };
  steps?: unknown;
  final_metrics?: { total_prompt_tokens?: unknown; total_completion_tokens?: unknown; total_cost_usd?: unknown };
  extra?: { instance_id?: unknown; resolved?: unknown; patch?: unknown; exit_status?: unknown };
}

/** Harbor's Agent Trajectory Interchange Format, any `ATIF-v1.x` (read leniently). */
export function isAtif(v: unknown): boolean {
  const t = v as Atif;
  return !!t && typeof t.schema_version === 'string' && /^ATIF-v1\./.test(t.schema_version) && Array.isArray(t.steps);
}

export function readAtif(v: unknown, file: string, entry: number): ImportedRun {
  const t = v as Atif;
  let system = '';
  let task = '';
  const steps: ImportedStep[] = [];
  const notes: ImportedRun['notes'] = [];
  for (const s of t.steps as AtifStep[]) {
    const text = contentText(s.message);
    if (s.source === 'system') system ||= text;
    else if (s.source === 'user') {
      if (!task) task = text;
      else notes.push({ afterStep: steps.length, content: text });
    } else if (s.source === 'agent') {
      const results = s.observation?.results ?? [];
      const calls = s.tool_calls ?? [];
      const exitCode = typeof s.extra?.exit_code === 'number' ? s.extra.exit_code : undefined;
      const actions = calls.map((c, j) => {
        const id = typeof c.tool_call_id === 'string' ? c.tool_call_id : `call_${String(s.step_id)}_${j}`;
        const result = results.find((r) => r.source_call_id === id) ?? (calls.length === 1 ? results[0] : undefined);
        return mapToolCall(id, typeof c.function_name === 'string' ? c.function_name : '', parseArgs(c.arguments), result ? contentText(result.content) : null, calls.length === 1 ? exitCode : undefined);
      });
      steps.push({
        thought: text || (typeof s.reasoning_content === 'string' ? s.reasoning_content : ''),
        actions,
        ...(typeof s.metrics?.prompt_tokens === 'number' ? { promptTokens: s.metrics.prompt_tokens } : {}),
        ...(typeof s.metrics?.completion_tokens === 'number' ? { completionTokens: s.metrics.completion_tokens } : {}),
        ...(typeof s.metrics?.cost_usd === 'number' ? { costUsd: s.metrics.cost_usd } : {}),
        ...(typeof s.timestamp === 'string' ? { timestamp: s.timestamp } : {}),
        ...(typeof s.extra?.repo_diff_after === 'string' ? { diffAfter: s.extra.repo_diff_after } : {}),
      });
    }
  }
  const fm = t.final_metrics ?? {};
  const agent = t.agent ?? {};
  return {
    format: 'atif',
    file,
    entry,
    scaffold: `${typeof agent.name === 'string' ? agent.name : 'agent'}${typeof agent.version === 'string' ? ` ${agent.version}` : ''} (ATIF ${String(t.schema_version).replace(/^ATIF-/, '')})`,
    instanceId: typeof t.extra?.instance_id === 'string' ? t.extra.instance_id : '',
    model: typeof agent.model_name === 'string' ? agent.model_name : null,
    runId: typeof t.session_id === 'string' ? t.session_id : null,
    exitStatus: typeof t.extra?.exit_status === 'string' ? t.extra.exit_status : null,
    resolved: typeof t.extra?.resolved === 'boolean' ? t.extra.resolved : null,
    patch: typeof t.extra?.patch === 'string' ? t.extra.patch : null,
    system,
    task,
    steps,
    notes,
    repoDir: guessRepoDir(task, system),
    tools: [],
    totals: {
      promptTokens: typeof fm.total_prompt_tokens === 'number' ? fm.total_prompt_tokens : undefined,
      completionTokens: typeof fm.total_completion_tokens === 'number' ? fm.total_completion_tokens : undefined,
      costUsd: typeof fm.total_cost_usd === 'number' ? fm.total_cost_usd : undefined,
    },
    startedAt: typeof (t.steps as AtifStep[])[0]?.timestamp === 'string' ? ((t.steps as AtifStep[])[0]?.timestamp as string) : undefined,
  };
}
