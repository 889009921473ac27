import { loadClosedTrajectory } from '../../core/trajectory/readTrajectory';
import type { ClosedTrajectory } from '../../core/trajectory/trajectoryTypes';
import type { InstanceRef } from '../datasets/datasetStore';
import type { ImportedRunStore } from '../trajectories/importedRunStore';
import type { TrajectoryPanels } from '../trajectoryView/trajectoryPanel';

/** How a demonstration is named where imported runs name their scaffold. */
export const DEMO_SCAFFOLD = 'human demonstration';

/**
 * A finished demonstration in the step view runs of other scaffolds open in (steps with the
 * person's notes as thoughts, observations, the grade taken at finish; per-step diffs and a
 * replay from its buttons; continue from any step). It is added to the imported runs under its
 * own id, so opening it again replaces the entry rather than adding one.
 */
export async function openDemonstrationSteps(file: string, ref: InstanceRef, d: { store: ImportedRunStore; panels: TrajectoryPanels }): Promise<string> {
  const t = await loadClosedTrajectory(file);
  if (!t.demonstration) throw new Error(`${file} is not a demonstration.`);
  if (t.instance_id !== ref.instance.instance_id) throw new Error(`${file} is a demonstration of ${t.instance_id}, not ${ref.instance.instance_id}.`);
  const asRun: ClosedTrajectory = {
    ...t,
    imported: {
      format: 'swe-gym-studio demonstration',
      file,
      entry: 0,
      scaffold: DEMO_SCAFFOLD,
      source_instance_id: t.instance_id,
      exit_status: t.exit_reason,
      resolved: t.reward ? t.reward.resolved : null,
      repo_dir: '/testbed',
    },
  };
  const row = await d.store.add(asRun, ref.entry.source);
  await d.store.save();
  if (t.reward) await d.store.setGrade(row.rolloutId, { status: t.reward.status, resolved: t.reward.resolved, ...(t.reward.error ? { error: t.reward.error } : {}), at: t.finished_at, durationMs: 0 });
  d.store.announce([t.instance_id]);
  const panel = d.panels.show(ref);
  await panel.select(row.rolloutId);
  return row.rolloutId;
}
