import type { AgentRollout } from '../agent/agentRollout';
import type { ModelCallHooks, ModelProvider, ModelRequest, ModelTurn } from '../agent/model/modelProvider';
import { replayRollout, type ReplayOptions } from '../agent/replay';
import type { LoadedDataset } from '../dataset/taskInstance';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { toSweGymRow } from '../trajectory/exportRows';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { guessPathMap, replayTrajectory, type ReplayReport } from './replayTrajectory';

/** Who goes on after step N: a person in the container (the dev container), or a model. */
export type ContinueMode = { by: 'hand'; container: NonNullable<ReplayOptions['container']> } | { by: 'model'; model: ModelProvider };

export interface ContinueOptions extends Omit<ReplayOptions, 'untilStep' | 'then' | 'container'> {
  /** Replay steps 1..step (0: none), then hand over. */
  step: number;
  mode: ContinueMode;
}

export interface ContinueReport extends Omit<ReplayReport, 'patch' | 'rewardMatches'> {
  continuedFrom: number;
  by: 'hand' | 'model';
  /** Steps the model took after the replayed ones (0 by hand). */
  continuedSteps: number;
}

/**
 * The model going on after step N, its tool call ids kept apart from the recorded ones: a model
 * naming a call as the recording did (call_0, ...) would otherwise be taken for the recorded step.
 */
class DistinctIds implements ModelProvider {
  constructor(
    private readonly inner: ModelProvider,
    private readonly recorded: ReadonlySet<string>,
  ) {}

  get modelName(): string {
    return this.inner.modelName;
  }

  async complete(request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn> {
    const turn = await this.inner.complete(request, hooks);
    if (!turn.toolCalls.some((c) => this.recorded.has(c.id))) return turn;
    return { ...turn, toolCalls: turn.toolCalls.map((c) => (this.recorded.has(c.id) ? { ...c, id: `${c.id}-continued` } : c)) };
  }
}

function recordedIds(t: ClosedTrajectory): Set<string> {
  return new Set(t.messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [])));
}

/** Why a by-hand continuation does not replay onto a dev container with changes (the rollout's closing message). */
export function dirtyContainerRefusal(changed: readonly string[], step: number): string {
  return `Refused: the container is not at the base commit (changed: ${changed.join(', ') || 'unknown files'}), so steps 1..${step} were not replayed onto those changes. Discard them (or relaunch the instance) and continue again.`;
}

/**
 * By hand the replay ends by running out of recorded turns after step N (replay_exhausted, N
 * steps), never by a budget of the model that is not there.
 */
function byHandBudgets(step: number): { maxSteps: number } {
  return { maxSteps: step + 1 };
}

/** Refused before any container work: the step is outside the recorded run. */
export function checkContinueStep(t: ClosedTrajectory, step: number): number {
  const turns = t.messages.filter((m) => m.role === 'assistant').length;
  if (!Number.isInteger(step) || step < 0 || step > turns) throw new Error(`Step ${step} is outside the recorded run of ${t.instance_id} (0..${turns}).`);
  return turns;
}

/**
 * The rollout that continues a run (ours or imported) from step N, not started yet: the recorded
 * actions 1..N replayed with the path map applied, then the model's own turns, or nothing more
 * (by hand: it ends after step N and leaves the container as step N left it, for a person).
 * By hand it runs in the given container (the dev container), which must be at the base commit:
 * otherwise the replayed steps would land on someone else's changes.
 */
export function continuationRollout(runtime: ContainerRuntime, dataset: LoadedDataset, t: ClosedTrajectory, o: ContinueOptions, onRefused?: (changed: string[]) => void): AgentRollout {
  checkContinueStep(t, o.step);
  const { step, mode, ...rest } = o;
  const pathMap = guessPathMap(t, o.repoDir ?? '/testbed', o.pathMap);
  const { rollout } = replayRollout(runtime, dataset, toSweGymRow(t), {
    ...rest,
    pathMap,
    untilStep: step,
    ...(mode.by === 'model' ? { then: new DistinctIds(mode.model, recordedIds(t)) } : { container: mode.container, reward: false as const, budgets: byHandBudgets(step) }),
    config: { ...rest.config, continue_of: { rollout_id: t.rollout_id, instance_id: t.instance_id, step, by: mode.by } },
  });
  if (mode.by === 'hand') {
    rollout.events.subscribe((e) => {
      if (e.type === 'rollout_started' && e.environment && !e.environment.startedClean) {
        const changed = e.environment.changedAtStart ?? [];
        rollout.cancel(dirtyContainerRefusal(changed, step));
        onRefused?.(changed);
      }
    });
  }
  return rollout;
}

/**
 * Continues a run from step N and reports the replayed steps as a replay does (same / noise /
 * different, the first divergence). `swe-gym replay --continue-from-step N --continue-with-model M`
 * and the extension's Continue from Step both come here.
 */
export async function continueFromStep(runtime: ContainerRuntime, dataset: LoadedDataset, t: ClosedTrajectory, o: ContinueOptions): Promise<ContinueReport> {
  checkContinueStep(t, o.step);
  const { step, mode, onRollout, ...rest } = o;
  let dirty: string[] | undefined;
  const report = await replayTrajectory(runtime, dataset, t, {
    ...rest,
    untilStep: step,
    ...(mode.by === 'model' ? { then: new DistinctIds(mode.model, recordedIds(t)) } : { container: mode.container, reward: false as const, budgets: byHandBudgets(step) }),
    config: { ...rest.config, continue_of: { rollout_id: t.rollout_id, instance_id: t.instance_id, step, by: mode.by } },
    onRollout: (r) => {
      if (mode.by === 'hand') {
        r.events.subscribe((e) => {
          if (e.type === 'rollout_started' && e.environment && !e.environment.startedClean) {
            dirty = e.environment.changedAtStart ?? [];
            r.cancel(dirtyContainerRefusal(dirty, step));
          }
        });
      }
      onRollout?.(r);
    },
  });
  if (dirty) throw new Error(dirtyContainerRefusal(dirty, step));
  // Only the replayed steps have a recorded counterpart; what the model did after them is its own.
  const steps = report.steps.filter((s) => s.step <= step);
  const counts = { same: 0, noise: 0, different: 0 };
  for (const s of steps) counts[s.verdict]++;
  const first = steps.find((s) => s.verdict === 'different');
  const { patch: _patch, rewardMatches: _rm, ...kept } = report;
  return {
    ...kept,
    steps,
    counts,
    firstDivergence: first ? { step: first.step, toolCallId: first.toolCallId, tool: first.tool } : null,
    continuedFrom: step,
    by: mode.by,
    continuedSteps: Math.max(0, report.result.steps - step),
  };
}
