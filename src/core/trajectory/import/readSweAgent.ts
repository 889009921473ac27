import * as path from 'node:path';
import { contentText } from '../../agent/chatTypes';
import type { ImportedRun, ImportedStep } from './importedRun';
import { mapCommandLine, mapToolCall, parseArgs } from './toolMapping';

interface TrajStep {
  response?: unknown;
  thought?: unknown;
  action?: unknown;
  observation?: unknown;
  execution_time?: unknown;
  state?: { diff?: unknown; working_dir?: unknown };
}

interface HistoryItem {
  role?: unknown;
  content?: unknown;
  message_type?: unknown;
  is_demo?: unknown;
  tool_calls?: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[];
}

interface Traj {
  trajectory?: unknown;
  history?: unknown;
  info?: { submission?: unknown; exit_status?: unknown; model_stats?: { instance_cost?: unknown; tokens_sent?: unknown; tokens_received?: unknown }; swe_agent_version?: unknown };
  replay_config?: unknown;
}

interface ReplayConfig {
  env?: { repo?: { repo_name?: unknown; github_url?: unknown; path?: unknown } };
  agent?: { model?: { name?: unknown } };
  problem_statement?: { id?: unknown; text?: unknown };
}

/** A SWE-agent `.traj` (v1.x: `trajectory`, `history`, `info`, `replay_config`). */
export function isSweAgentTraj(v: unknown): boolean {
  const t = v as Traj;
  return !!t && Array.isArray(t.trajectory) && typeof t.info === 'object' && t.info !== null;
}

export function readSweAgent(v: unknown, file: string, entry: number): ImportedRun {
  const t = v as Traj;
  const cfg = replayConfig(t.replay_config);
  const history = (Array.isArray(t.history) ? (t.history as HistoryItem[]) : []).filter((h) => h && !h.is_demo && h.message_type !== 'demonstration');
  const assistants = history.filter((h) => h.role === 'assistant');
  const steps: ImportedStep[] = (t.trajectory as TrajStep[]).map((s, i) => {
    const observation = typeof s.observation === 'string' ? s.observation : null;
    const calls = assistants[i]?.tool_calls ?? [];
    const actions = calls.length
      ? calls.map((c, j) => mapToolCall(typeof c.id === 'string' ? c.id : `call_${i}_${j}`, typeof c.function?.name === 'string' ? c.function.name : 'bash', parseArgs(c.function?.arguments), j === 0 ? observation : null))
      : typeof s.action === 'string' && s.action.trim()
        ? [mapCommandLine(`step_${i}`, s.action, observation)]
        : [];
    return { thought: typeof s.thought === 'string' ? s.thought : '', actions, ...(typeof s.state?.diff === 'string' ? { diffAfter: s.state.diff } : {}) };
  });
  const system = contentText(history.find((h) => h.role === 'system')?.content);
  const task = contentText(history.find((h) => h.role === 'user')?.content) || (typeof cfg.problem_statement?.text === 'string' ? cfg.problem_statement.text : '');
  const stats = t.info?.model_stats;
  const repoName = typeof cfg.env?.repo?.repo_name === 'string' ? cfg.env.repo.repo_name : typeof cfg.env?.repo?.github_url === 'string' ? cfg.env.repo.github_url.split('/').pop()?.replace(/\.git$/, '') : undefined;
  const stem = path.basename(file).replace(/\.traj$/, '').replace(/\.json$/, '');
  const version = typeof t.info?.swe_agent_version === 'string' ? ` ${t.info.swe_agent_version}` : '';
  return {
    format: 'swe-agent',
    file,
    entry,
    scaffold: `SWE-agent${version}`,
    instanceId: typeof cfg.problem_statement?.id === 'string' ? cfg.problem_statement.id : stem,
    model: typeof cfg.agent?.model?.name === 'string' ? cfg.agent.model.name : null,
    runId: null,
    exitStatus: typeof t.info?.exit_status === 'string' ? t.info.exit_status : null,
    resolved: null,
    patch: typeof t.info?.submission === 'string' ? t.info.submission : null,
    system,
    task,
    steps,
    notes: [],
    // SWE-agent puts the repository at /<repo_name> (`/testbed` in SWE-bench images).
    repoDir: repoName ? `/${repoName}` : '/testbed',
    tools: [],
    totals: { promptTokens: num(stats?.tokens_sent), completionTokens: num(stats?.tokens_received), costUsd: num(stats?.instance_cost) },
  };
}

/** `replay_config` is a JSON string since v1 (an object in older files, or missing). */
function replayConfig(raw: unknown): ReplayConfig {
  if (typeof raw === 'string') {
    try {
      return JSON.parse(raw) as ReplayConfig;
    } catch {
      return {};
    }
  }
  return raw && typeof raw === 'object' ? (raw as ReplayConfig) : {};
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
