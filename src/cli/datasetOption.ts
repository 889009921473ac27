import { loadDataset } from '../core/dataset/loadDataset';
import type { LoadedDataset, TaskInstance } from '../core/dataset/taskInstance';
import { progress, UsageError, type CliContext } from './cliContext';

/** Loads --dataset, printing skipped malformed rows to stderr (the rest still loads). */
export async function loadDatasetForCli(ctx: CliContext, source: string): Promise<LoadedDataset> {
  const dataset = await loadDataset(source, { signal: ctx.signal });
  for (const issue of dataset.issues.slice(0, 20)) {
    progress(ctx, `warning: skipped ${issue.file} row ${issue.row + 1}${issue.instance_id ? ` (${issue.instance_id})` : ''}${issue.field ? ` field ${issue.field}` : ''}: ${issue.message}`);
  }
  if (dataset.issues.length > 20) progress(ctx, `warning: ... and ${dataset.issues.length - 20} more malformed rows skipped`);
  return dataset;
}

/** The instances named on the command line (all when none), in dataset order; unknown ids are an error. */
export function selectInstances(dataset: LoadedDataset, ids: string[] | undefined): TaskInstance[] {
  if (!ids?.length) return dataset.instances;
  const wanted = new Set(ids);
  const known = new Set(dataset.instances.map((i) => i.instance_id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new UsageError(`Unknown instance id(s) in ${dataset.name}: ${unknown.join(', ')}`);
  return dataset.instances.filter((i) => wanted.has(i.instance_id));
}
