import * as path from 'node:path';
import { newRunId } from '../../core/harness/runId';
import { importRuns } from '../../core/trajectory/import/importRuns';
import { parseCommandArgs, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';

const USAGE = 'swe-gym import FILE|DIR --dataset D [--out DIR] [--json]';

/** Other scaffolds' trajectories (SWE-Gym rows, OpenHands, SWE-agent, mini-swe-agent, SFT text, ATIF) into our format. */
export async function importCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(ctx.argv, { dataset: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new UsageError(`import takes one file or folder, got ${positionals.length}.\n${USAGE}`);
  const target = path.resolve(positionals[0] as string);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const outDir = path.resolve(values.out ?? path.join('runs', newRunId('import')));
  const summary = await importRuns(target, dataset, {
    outDir,
    signal: ctx.signal,
    onFailure: (f) => progress(ctx, `skipped ${f.file}${f.entry !== undefined && f.entry > 0 ? ` (entry ${f.entry + 1})` : ''}: ${f.error}`),
    onNote: (n) => progress(ctx, `note: ${n.file}: ${n.message}`),
    onRun: (r) => progress(ctx, `${r.trajectory.imported?.format}: ${r.trajectory.instance_id}_${r.trajectory.index}, ${r.trajectory.steps} step(s)`),
  });
  const rows = summary.imported.map(({ trajectory: t, path: p }) => ({
    instance_id: t.instance_id,
    index: t.index,
    format: t.imported?.format,
    scaffold: t.imported?.scaffold,
    model: t.model,
    exit_status: t.imported?.exit_status ?? null,
    steps: t.steps,
    resolved: t.imported?.resolved ?? null,
    source: t.imported?.file,
    trajectory: p,
  }));
  if (values.json) writeJson(ctx, { out: outDir, imported: rows, failures: summary.failures, notes: summary.notes });
  else {
    ctx.stdout.write(`${rows.length} run(s) imported into ${outDir}${summary.failures.length ? `, ${summary.failures.length} skipped (see above)` : ''}${summary.notes.length ? `, ${summary.notes.length} note(s) (see above)` : ''}\n`);
    for (const r of rows) ctx.stdout.write(`  ${r.instance_id}_${r.index}  ${r.scaffold}  ${r.model}  ${r.exit_status ?? '-'}  ${r.steps} steps  ${r.resolved === null ? 'reward unknown' : r.resolved ? 'resolved' : 'unresolved'}\n`);
  }
  // A folder holding only known non-trajectories (a predictions file) is told so, not an error.
  return summary.imported.length === 0 && (summary.failures.length > 0 || summary.notes.length === 0) ? 1 : 0;
}
