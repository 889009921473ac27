import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LoadedDataset, TaskInstance } from '../dataset/taskInstance';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { datasetContextOf } from '../spec/datasetContext';
import { makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import { toSweGymRow } from '../trajectory/exportRows';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { AgentRollout, type RolloutOptions, type RolloutResult } from './agentRollout';
import { contentText, type ToolCall } from './chatTypes';
import type { StampedEvent } from './events';
import { forkCarryFromEvents, type ForkCarry } from './forkCarry';
import type { ModelProvider } from './model/modelProvider';
import { putObservation, type ObservationsByStep } from './observationsByStep';
import { ReplayProvider, type RecordedTurn } from './model/replayProvider';
import { mapPaths, rowWorkspaceDir, templateFromSweGymRow, type PathMapping } from './templates/sweGymPreset';

/** A recorded rollout as SWE-Gym rows hold it (only what a replay needs is required). */
export interface RecordedRow {
  instance_id: string;
  run_id?: string;
  resolved?: boolean;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string; name?: string }[];
  tools: unknown[];
  test_result?: { git_patch?: string; report?: { resolved?: boolean } };
}

/**
 * Reads recorded rows: a SWE-Gym row (JSON object), a JSON list of rows, JSON Lines of rows, or
 * one of our closed trajectories (turned into its row).
 */
export async function loadRecordedRows(file: string): Promise<RecordedRow[]> {
  const text = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let values: unknown[];
  try {
    const v: unknown = JSON.parse(text);
    values = Array.isArray(v) ? v : [v];
  } catch {
    values = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch (err) {
          throw new Error(`${file} is neither JSON nor JSON Lines (line ${i + 1}: ${(err as Error).message}).`);
        }
      });
  }
  return values.map((v, i) => {
    const t = v as Partial<ClosedTrajectory>;
    const row = (t.format === TRAJECTORY_FORMAT ? toSweGymRow(t as ClosedTrajectory) : v) as Partial<RecordedRow>;
    if (typeof row.instance_id !== 'string' || !Array.isArray(row.messages) || !Array.isArray(row.tools)) {
      throw new Error(`${path.basename(file)} entry ${i + 1} is not a SWE-Gym row (it needs instance_id, messages and tools).`);
    }
    return row as RecordedRow;
  });
}

/** The dataset instance a row belongs to: its id, or its id without the `_<n>` rollout suffix. */
export function instanceForRow(dataset: LoadedDataset, rowId: string): TaskInstance {
  const exact = dataset.instances.find((i) => i.instance_id === rowId);
  if (exact) return exact;
  const base = rowId.replace(/_\d+$/, '');
  const found = dataset.instances.find((i) => i.instance_id === base);
  if (!found) throw new Error(`No instance ${base} in ${dataset.name} for the recorded row ${rowId}.`);
  return found;
}

/** The row's assistant turns (paths mapped) and its observations by step and tool call id (paths mapped). */
export function recordedTurns(row: RecordedRow, mappings: PathMapping[]): { turns: RecordedTurn[]; observations: ObservationsByStep } {
  const turns: RecordedTurn[] = [];
  const observations: ObservationsByStep = new Map();
  for (const m of row.messages) {
    if (m.role === 'assistant') {
      const calls = (m.tool_calls ?? []).map((c) => c as ToolCall).filter((c) => c?.function?.name);
      turns.push({
        content: contentText(m.content) ? mapPaths(contentText(m.content), mappings) : null,
        toolCalls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.function.name, arguments: mapPaths(c.function.arguments ?? '', mappings) } })),
      });
    } else if (m.role === 'tool' && m.tool_call_id) {
      putObservation(observations, turns.length, m.tool_call_id, mapPaths(contentText(m.content), mappings));
    }
  }
  return { turns, observations };
}

/** FROM=TO pairs; the row's own /workspace folder maps to the repository folder unless given. */
export function replayMappings(row: RecordedRow, repoDir: string, extra: PathMapping[] = []): PathMapping[] {
  const firstUser = row.messages.find((m) => m.role === 'user');
  const workspace = firstUser ? rowWorkspaceDir(contentText(firstUser.content)) : undefined;
  const out = [...extra];
  if (workspace && workspace !== repoDir && !out.some((m) => m.from === workspace)) out.push({ from: workspace, to: repoDir });
  return out;
}

export interface ReplayOutcome {
  result: RolloutResult;
  mappings: PathMapping[];
  recordedPatch: string | null;
  recordedResolved: boolean | null;
  /** The fresh patch equals the recorded one (after path mapping; null when the row has none). */
  patchMatches: boolean | null;
  rewardMatches: boolean | null;
  mismatches: { step: number; toolCallId: string; firstDifferentLine: number }[];
}

export interface ReplayOptions extends Omit<RolloutOptions, 'runtime' | 'spec' | 'model' | 'template' | 'opening' | 'expectedObservations'>, SpecSettings {
  pathMap?: PathMapping[];
  /** Take over after the recorded turns (or after `untilStep`) with this model. */
  then?: ModelProvider;
  /** Replay only the first k assistant turns. */
  untilStep?: number;
  onRollout?: (rollout: AgentRollout) => void;
}

/**
 * The rollout a replay runs, not started yet (views track it before it runs): the row's prompts,
 * tools and assistant turns (up to `untilStep`, then `then` goes on), its paths mapped.
 */
export function replayRollout(runtime: ContainerRuntime, dataset: LoadedDataset, row: RecordedRow, options: ReplayOptions = {}): { rollout: AgentRollout; mappings: PathMapping[]; recordedTurns: number } {
  const instance = instanceForRow(dataset, row.instance_id);
  const repoDir = options.repoDir ?? '/testbed';
  const mappings = replayMappings(row, repoDir, options.pathMap);
  const { turns, observations } = recordedTurns(row, mappings);
  const played = options.untilStep !== undefined ? turns.slice(0, options.untilStep) : turns;
  const template = templateFromSweGymRow(row);
  const system = row.messages.find((m) => m.role === 'system');
  const firstUser = row.messages.find((m) => m.role === 'user');
  const { pathMap: _p, then, untilStep: _u, onRollout: _o, imageTemplate, allowPull, skipInstall, rules, ...rest } = options;
  const rollout = new AgentRollout({
    ...rest,
    runtime,
    spec: makeInstanceSpec(instance, datasetContextOf(dataset), { imageTemplate, allowPull, skipInstall, rules }),
    model: new ReplayProvider(played, then?.modelName ?? `replay:${row.run_id ?? 'recorded'}`, then),
    template: { ...template, tools: row.tools as typeof template.tools },
    opening: { system: mapPaths(contentText(system?.content), mappings), firstUser: mapPaths(contentText(firstUser?.content), mappings) },
    // Only the played-back steps have a recorded counterpart; a model going on after them is on its own.
    expectedObservations: new Map([...observations].filter(([step]) => step <= played.length)),
    // One step more than the turns: a recording that ends without finish (mini-swe-agent submits
    // with a command) ends as replay_exhausted, saying so, not as a step budget hit.
    budgets: { maxSteps: played.length + (then ? 50 : 1), ...options.budgets },
    index: options.index ?? Number(/_(\d+)$/.exec(row.instance_id)?.[1] ?? 0),
  });
  return { rollout, mappings, recordedTurns: turns.length };
}

/**
 * Replays a recorded rollout: its assistant turns are played back as the model's answers and their
 * actions run afresh in a new container, with the row's prompts and tools; observations that
 * differ from the recorded ones are reported; the result is rewarded like any rollout.
 */
export async function replayRow(runtime: ContainerRuntime, dataset: LoadedDataset, row: RecordedRow, options: ReplayOptions = {}): Promise<ReplayOutcome> {
  const { rollout, mappings } = replayRollout(runtime, dataset, row, options);
  options.onRollout?.(rollout);
  const mismatches: ReplayOutcome['mismatches'] = [];
  rollout.events.subscribe((e) => {
    if (e.type === 'replay_mismatch') mismatches.push({ step: e.step, toolCallId: e.toolCallId, firstDifferentLine: e.firstDifferentLine });
  });
  const result = await rollout.run();
  const recordedPatch = row.test_result?.git_patch !== undefined ? mapPaths(row.test_result.git_patch, mappings) : null;
  const recordedResolved = row.resolved ?? row.test_result?.report?.resolved ?? null;
  return {
    result,
    mappings,
    recordedPatch,
    recordedResolved,
    patchMatches: recordedPatch === null || result.patch === null ? null : recordedPatch === result.patch,
    rewardMatches: recordedResolved === null || result.resolved === null ? null : recordedResolved === result.resolved,
    mismatches,
  };
}

/**
 * A new rollout that replays the first `atStep` turns of another in a fresh container, then lets
 * `model` go on from there (fork from step k). It carries what a person did in the source before
 * step k (notes, hand edits applied again, edited observations) and flags replayed observations
 * that differ from the source's. With the source's event log the hand edits can be applied again;
 * from a closed file alone the notes are carried as the model saw them.
 */
export function forkRollout(source: ClosedTrajectory, atStep: number, options: Omit<RolloutOptions, 'template' | 'opening' | 'expectedObservations' | 'fork'>, sourceEvents?: readonly StampedEvent[]): AgentRollout {
  const row = toSweGymRow(source);
  const { turns } = recordedTurns(row, []);
  if (atStep < 0 || atStep > turns.length) throw new Error(`Step ${atStep} is outside the recorded trajectory (1..${turns.length}).`);
  const template = templateFromSweGymRow(row);
  const system = source.messages.find((m) => m.role === 'system');
  const firstUser = source.messages.find((m) => m.role === 'user');
  const fork = sourceEvents ? forkCarryFromEvents(sourceEvents, source.rollout_id, atStep) : forkCarryFromMessages(source, atStep, template.autoReply);
  return new AgentRollout({
    ...options,
    model: new ReplayProvider(turns.slice(0, atStep), options.model.modelName, options.model),
    template: { ...template, name: `${source.template} (fork of ${source.rollout_id} at step ${atStep})`, tools: source.tools },
    opening: { system: contentText(system?.content), firstUser: contentText(firstUser?.content) },
    fork,
  });
}

/** A fork's carry from the conversation alone: observations as the model saw them, later user messages as notes. */
function forkCarryFromMessages(source: ClosedTrajectory, atStep: number, autoReply: string): ForkCarry {
  const carry: ForkCarry = { of: { rolloutId: source.rollout_id, step: atStep }, humanSteps: [], observationEdits: new Map(), observations: new Map() };
  let turn = 0;
  let users = 0;
  for (const m of source.messages) {
    if (m.role === 'assistant') turn++;
    else if (m.role === 'tool' && turn <= atStep) putObservation(carry.observations, turn, m.tool_call_id, contentText(m.content));
    else if (m.role === 'user' && users++ > 0 && turn < atStep && contentText(m.content) !== autoReply) carry.humanSteps.push({ afterStep: turn, content: contentText(m.content), files: [], diff: '' });
  }
  return carry;
}
