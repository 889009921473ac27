import type { ToolSchema } from '../../agent/chatTypes';
import { stepsFromChat, type LooseMessage } from './chatSteps';
import type { ImportedRun } from './importedRun';
import { guessRepoDir } from './toolMapping';

interface RowLike {
  instance_id?: unknown;
  run_id?: unknown;
  resolved?: unknown;
  messages?: unknown;
  tools?: unknown;
  test_result?: { git_patch?: unknown; report?: { resolved?: unknown } };
  model_patch?: unknown;
  exit_status?: unknown;
}

/** A SWE-Gym sampled-trajectory row (OpenAI messages with native tool calls, `tools`, `test_result`). */
export function isSweGymRow(v: unknown): boolean {
  const r = v as RowLike;
  return !!r && Array.isArray(r.messages) && (r.messages as LooseMessage[]).some((m) => m?.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0);
}

/** The SFT text form: `{messages}` whose assistant turns write calls as `<function=NAME>` text. */
export function isSftText(v: unknown): boolean {
  const r = v as RowLike;
  return !!r && Array.isArray(r.messages) && (r.messages as LooseMessage[]).some((m) => m?.role === 'assistant' && typeof m.content === 'string' && m.content.includes('<function='));
}

export function readChatRow(v: unknown, file: string, entry: number, format: 'swe-gym-row' | 'sft-text'): ImportedRun {
  const r = v as RowLike;
  const tools = Array.isArray(r.tools) ? (r.tools as ToolSchema[]) : undefined;
  // In the text form every tool result is a user turn: `EXECUTION RESULT of [...]` (OpenHands)
  // or SWE-agent's `OBSERVATION:` (SWE-smith); a user turn answering a call is its observation.
  const parts = stepsFromChat(r.messages as LooseMessage[], { textCalls: format === 'sft-text', tools, userObservations: format === 'sft-text' });
  // The SFT form keeps resolved rollouts only (rejection sampling), so an SFT line says resolved.
  const resolved = format === 'sft-text' && r.resolved === undefined ? true : typeof r.resolved === 'boolean' ? r.resolved : typeof r.resolved === 'number' ? r.resolved > 0 : typeof r.test_result?.report?.resolved === 'boolean' ? r.test_result.report.resolved : null;
  const patch = typeof r.test_result?.git_patch === 'string' ? r.test_result.git_patch : typeof r.model_patch === 'string' ? r.model_patch : null;
  const runId = typeof r.run_id === 'string' ? r.run_id : null;
  const finished = parts.steps.some((s) => s.actions.some((a) => a.tool === 'finish'));
  return {
    format,
    file,
    entry,
    scaffold: format === 'swe-gym-row' ? 'OpenHands (SWE-Gym row)' : (r.messages as LooseMessage[]).some((m) => m?.role === 'user' && typeof m.content === 'string' && m.content.startsWith('EXECUTION RESULT of [')) ? 'OpenHands (SFT text form)' : 'SFT text form',
    instanceId: typeof r.instance_id === 'string' ? r.instance_id : '',
    // SWE-Gym run ids start with the model: `gpt-4o-2024-08-06_maxiter_50_N_...`.
    model: runId ? (runId.split('_maxiter_')[0] ?? runId) : null,
    runId,
    exitStatus: typeof r.exit_status === 'string' ? r.exit_status : finished ? 'finished' : null,
    resolved,
    patch,
    ...parts,
    repoDir: guessRepoDir(parts.task),
    tools: tools ?? [],
    totals: {},
  };
}
