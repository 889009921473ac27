import type { ContainerRuntime } from '../runtime/containerRuntime';
import type { LoadedDataset } from '../dataset/taskInstance';
import { contentText } from '../agent/chatTypes';
import { observationAt, putObservation, type ObservationsByStep } from '../agent/observationsByStep';
import { replayRow, type ReplayOptions } from '../agent/replay';
import { mapPaths, rowWorkspaceDir, type PathMapping } from '../agent/templates/sweGymPreset';
import type { RolloutResult } from '../agent/agentRollout';
import { toSweGymRow } from '../trajectory/exportRows';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { compareObservations, type NoiseKind, type StepVerdict } from './observationCompare';
import { comparePatches, type PatchComparison } from './patchLines';

export interface StepComparison {
  step: number;
  toolCallId: string;
  tool: string;
  verdict: StepVerdict;
  noise: NoiseKind[];
  recorded: string;
  /** Today's observation, and the same with the replay's paths mapped back to the recorded ones. */
  replayed: string;
  replayedInRecordedPaths: string;
  diff?: string;
}

export interface ReplayReport {
  result: RolloutResult;
  /** Recorded paths → the replay's; observations come back through the reverse. */
  pathMap: PathMapping[];
  steps: StepComparison[];
  counts: Record<StepVerdict, number>;
  /** The first step whose observation really differs (the environment diverged there), or null. */
  firstDivergence: { step: number; toolCallId: string; tool: string } | null;
  recordedPatch: string | null;
  patch: PatchComparison | null;
  recordedResolved: boolean | null;
  rewardMatches: boolean | null;
}

/**
 * The path map for replaying a trajectory in an image with the repository at `repoDir`: given pairs
 * first, then the folder the file recorded (an imported run's guessed folder, or the
 * `<uploaded_files>` of its task: `/workspace/<repo>__<version>`, SWE-agent's `/<repo_name>`).
 */
export function guessPathMap(t: ClosedTrajectory, repoDir = '/testbed', given: PathMapping[] = []): PathMapping[] {
  const firstUser = t.messages.find((m) => m.role === 'user');
  const recorded = t.imported?.repo_dir ?? (firstUser ? rowWorkspaceDir(contentText(firstUser.content)) : undefined) ?? null;
  const out = [...given];
  if (recorded && recorded !== repoDir && !out.some((m) => m.from === recorded)) out.push({ from: recorded, to: repoDir });
  return out;
}

/**
 * Replays any trajectory (ours or imported) in a fresh container: the recorded actions run with
 * the path map applied, every step's observation is classified against the recorded one, the
 * patches are compared by changed lines, and the reward against what the file recorded.
 */
export async function replayTrajectory(
  runtime: ContainerRuntime,
  dataset: LoadedDataset,
  t: ClosedTrajectory,
  options: Omit<ReplayOptions, 'pathMap'> & { pathMap?: PathMapping[] } = {},
): Promise<ReplayReport> {
  const repoDir = options.repoDir ?? '/testbed';
  const pathMap = guessPathMap(t, repoDir, options.pathMap);
  const back = pathMap.map((m) => ({ from: m.to, to: m.from }));
  const replayed: ObservationsByStep = new Map();
  const { onRollout, ...rest } = options;
  const outcome = await replayRow(runtime, dataset, toSweGymRow(t), {
    ...rest,
    pathMap,
    onRollout: (r) => {
      r.events.subscribe((e) => {
        if (e.type === 'observation') putObservation(replayed, e.step, e.toolCallId, e.content);
      });
      onRollout?.(r);
    },
  });
  const steps: StepComparison[] = [];
  // Ids repeat across a run (calls numbered per turn, a model taking over): pair by step, and
  // compare only the steps played back (a model going on after them is on its own).
  const played = options.untilStep ?? Infinity;
  let step = 0;
  let calls = new Map<string, { name: string; args: string }>();
  for (const m of t.messages) {
    if (m.role === 'assistant') {
      step++;
      calls = new Map((m.tool_calls ?? []).map((c) => [c.id, { name: c.function.name, args: c.function.arguments }]));
      continue;
    }
    if (m.role !== 'tool' || step > played) continue;
    const actual = observationAt(replayed, step, m.tool_call_id);
    // Nothing recorded (a file that ends at its finish call) or nothing replayed: nothing to compare.
    if (actual === undefined || m.content === '') continue;
    const call = calls.get(m.tool_call_id);
    const tool = call?.name ?? m.name;
    const command = tool === 'execute_bash' ? commandOf(call?.args) : undefined;
    const v = compareObservations(m.content, actual, { tool, command, mapRecorded: (s) => mapPaths(s, pathMap) });
    steps.push({ step, toolCallId: m.tool_call_id, tool, verdict: v.verdict, noise: v.noise, recorded: m.content, replayed: actual, replayedInRecordedPaths: mapPaths(actual, back), ...(v.diff ? { diff: v.diff } : {}) });
  }
  const counts = { same: 0, noise: 0, different: 0 } as Record<StepVerdict, number>;
  for (const s of steps) counts[s.verdict]++;
  const first = steps.find((s) => s.verdict === 'different');
  const recordedPatch = t.patch;
  const result = outcome.result;
  const recordedResolved = t.imported ? t.imported.resolved : (t.reward?.resolved ?? null);
  return {
    result,
    pathMap,
    steps,
    counts,
    firstDivergence: first ? { step: first.step, toolCallId: first.toolCallId, tool: first.tool } : null,
    recordedPatch,
    patch: recordedPatch === null || result.patch === null ? null : comparePatches(mapPaths(recordedPatch, pathMap), result.patch),
    recordedResolved,
    rewardMatches: recordedResolved === null || result.resolved === null ? null : recordedResolved === result.resolved,
  };
}

function commandOf(args: string | undefined): string | undefined {
  try {
    const v = JSON.parse(args ?? '') as { command?: unknown };
    return typeof v.command === 'string' ? v.command : undefined;
  } catch {
    return undefined;
  }
}

/** One line per verdict and the first divergence, for a terminal. */
export function summariseReplay(r: Pick<ReplayReport, 'counts' | 'firstDivergence'>): string {
  const parts = [`${r.counts.same} same, ${r.counts.noise} same up to environment noise, ${r.counts.different} different`];
  parts.push(r.firstDivergence ? `the environment first diverged at step ${r.firstDivergence.step} (${r.firstDivergence.tool})` : 'no step diverged');
  return parts.join('; ');
}
