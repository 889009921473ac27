import { createHash } from 'node:crypto';
import type { ChatMessage, ToolSchema } from '../../agent/chatTypes';
import type { ExitReason } from '../../agent/events';
import { DEFAULT_TOOLS } from '../../agent/tools/toolSchemas';
import type { LoadedDataset, TaskInstance } from '../../dataset/taskInstance';
import { TRAJECTORY_FORMAT, type ClosedTrajectory, type StepRecord } from '../trajectoryTypes';
import type { ImportedRun } from './importedRun';

/**
 * The dataset instance an imported run is about: its id, its id without SWE-Gym's `_<n>` rollout
 * suffix, or (for files that carry no id, like SFT lines) the instance whose issue text the task
 * quotes.
 */
export function instanceForRun(dataset: LoadedDataset, run: ImportedRun): TaskInstance {
  const id = run.instanceId;
  if (id) {
    const found = dataset.instances.find((i) => i.instance_id === id) ?? dataset.instances.find((i) => i.instance_id === id.replace(/_\d+$/, ''));
    if (found) return found;
  }
  const task = squash(run.task);
  const byIssue = task ? dataset.instances.filter((i) => i.problem_statement.trim() && task.includes(squash(i.problem_statement).slice(0, 400))) : [];
  if (byIssue.length === 1 && byIssue[0]) return byIssue[0];
  if (byIssue.length > 1) throw new Error(`its task quotes the issue of ${byIssue.length} instances of ${dataset.name} (${byIssue.map((i) => i.instance_id).slice(0, 3).join(', ')}...)`);
  throw new Error(id ? `no instance ${id.replace(/_\d+$/, '')} in ${dataset.name}` : `it names no instance and its task quotes no issue of ${dataset.name}`);
}

/** An imported run in our trajectory format: the conversation in OpenAI form with our tools, per-step records, the source kept. */
export function toClosedTrajectory(run: ImportedRun, instance: TaskInstance): ClosedTrajectory {
  const messages: ChatMessage[] = [{ role: 'system', content: run.system }, { role: 'user', content: run.task }];
  const stepRecords: StepRecord[] = [];
  const notes = [...run.notes];
  const flushNotes = (afterStep: number) => {
    while (notes.length && (notes[0]?.afterStep ?? 0) <= afterStep) messages.push({ role: 'user', content: notes.shift()?.content ?? '' });
  };
  flushNotes(0);
  run.steps.forEach((s, i) => {
    messages.push({
      role: 'assistant',
      content: s.thought || null,
      ...(s.actions.length ? { tool_calls: s.actions.map((a) => ({ id: a.id, type: 'function' as const, function: { name: a.tool, arguments: JSON.stringify(a.args) } })) } : {}),
    });
    for (const a of s.actions) messages.push({ role: 'tool', content: a.observation ?? '', tool_call_id: a.id, name: a.tool });
    stepRecords.push({
      step: i + 1,
      duration_ms: 0,
      prompt_tokens: s.promptTokens ?? 0,
      completion_tokens: s.completionTokens ?? 0,
      cost_usd: s.costUsd ?? 0,
      tool_calls: s.actions.map((a) => a.tool),
      exit_codes: s.actions.map((a) => a.exitCode ?? null),
    });
    flushNotes(i + 1);
  });
  flushNotes(Number.POSITIVE_INFINITY);
  const sum = (k: 'prompt_tokens' | 'completion_tokens' | 'cost_usd') => stepRecords.reduce((n, r) => n + r[k], 0);
  const index = Number(/_(\d+)$/.exec(run.instanceId)?.[1] ?? 0);
  const id = createHash('sha256').update(`${run.file}\0${run.entry}`).digest('hex').slice(0, 10);
  const tools: ToolSchema[] = run.tools.length && run.steps.every((s) => s.actions.every((a) => run.tools.some((t) => t.function.name === a.tool))) ? (run.tools as ToolSchema[]) : DEFAULT_TOOLS;
  const diffs = run.steps.map((s) => s.diffAfter ?? null);
  const personSteps = run.steps.flatMap((s, i) => (s.byPerson ? [i + 1] : []));
  const started = run.startedAt ?? new Date(0).toISOString();
  return {
    format: TRAJECTORY_FORMAT,
    rollout_id: `import-${run.format}-${id}`,
    run_id: run.runId ?? `import-${run.format}`,
    instance_id: instance.instance_id,
    index: Number.isFinite(index) ? index : 0,
    model: run.model ?? 'unknown',
    template: `imported:${run.format}`,
    config: { imported_from: run.file, entry: run.entry },
    started_at: started,
    finished_at: started,
    exit_reason: exitReason(run.exitStatus),
    ...(run.exitStatus ? { exit_message: run.exitStatus } : {}),
    steps: run.steps.length,
    usage: { prompt_tokens: run.totals.promptTokens ?? sum('prompt_tokens'), completion_tokens: run.totals.completionTokens ?? sum('completion_tokens'), estimated: false },
    cost_usd: run.totals.costUsd ?? sum('cost_usd'),
    duration_ms: 0,
    messages,
    tools,
    step_records: stepRecords,
    patch: run.patch,
    reward: null,
    events_file: '',
    imported: {
      format: run.format,
      file: run.file,
      entry: run.entry,
      scaffold: run.scaffold,
      source_instance_id: run.instanceId,
      exit_status: run.exitStatus,
      resolved: run.resolved,
      repo_dir: run.repoDir,
      ...(diffs.some((d) => d !== null) ? { step_diffs: diffs } : {}),
      ...(personSteps.length ? { person_steps: personSteps } : {}),
    },
  };
}

/** The scaffolds' exit statuses in our words (the original stays in exit_message). */
function exitReason(status: string | null): ExitReason {
  const s = (status ?? '').toLowerCase();
  if (/exit_cost|cost/.test(s)) return 'max_cost';
  if (/exit_context|context/.test(s)) return 'context_overflow';
  if (/limitsexceeded|max_iter|max_steps|step_limit/.test(s)) return 'max_steps';
  if (/timeexceeded|total_execution_time|timeout/.test(s)) return 'max_time';
  if (/error|exception|exit_format|exit_api|exit_environment/.test(s)) return 'environment_error';
  return 'finished';
}

function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
