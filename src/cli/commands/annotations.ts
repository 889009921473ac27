import * as path from 'node:path';
import { annotationRows, collectRuns, formatRows, readValidationFlags, type AnnotationFormat } from '../../core/annotations/annotationExport';
import { datasetContextOf } from '../../core/spec/datasetContext';
import { writeFileDurably } from '../../core/util/durableWrite';
import { parseCommandArgs, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';
import { instanceIds } from './eval';

const USAGE = 'swe-gym annotations --dataset D --out FILE(.csv|.jsonl) [--runs DIR]... [--validation FILE] [--format csv|jsonl] [--all] [--instances ID...] [--json]';

/**
 * People's difficulty answers beside each instance's objective figures (gold patch size,
 * FAIL_TO_PASS count, agent success rate, human time-to-solve) and the automatic flags: test ids
 * no log can hold (always, from the rows), and those of `swe-gym validate --json` (--validation).
 */
export async function annotationsCommand(ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    ctx.argv,
    {
      dataset: { type: 'string' },
      out: { type: 'string' },
      runs: { type: 'string', multiple: true },
      validation: { type: 'string' },
      format: { type: 'string' },
      all: { type: 'boolean' },
      instances: { type: 'string', multiple: true },
      'skip-install': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  const out = path.resolve(requireOption(values.out, 'out', USAGE));
  const format = (values.format ?? path.extname(out).slice(1).toLowerCase()) as AnnotationFormat;
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError(`--out must end in .csv or .jsonl (or give --format csv|jsonl), got "${path.basename(out)}"`);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const instances = selectInstances(dataset, instanceIds(values, positionals));
  const runs = (values.runs ?? []).map((d) => path.resolve(d));
  const found = await collectRuns(runs);
  const validation = values.validation ? readValidationFlags(path.resolve(values.validation)) : undefined;
  const known = new Set(dataset.instances.map((i) => i.instance_id));
  const strangers = new Set(found.annotations.map((a) => a.instance_id).filter((id) => !known.has(id)));
  if (strangers.size) progress(ctx, `warning: ${strangers.size} annotated instance(s) are not in ${dataset.name} and are left out: ${[...strangers].slice(0, 5).join(', ')}`);
  const rows = annotationRows(instances, found, {
    context: datasetContextOf(dataset),
    settings: { skipInstall: values['skip-install'] },
    ...(validation ? { validation } : {}),
    all: values.all,
  });
  writeFileDurably(out, formatRows(rows, format));
  const annotated = new Set(rows.filter((r) => r.annotator).map((r) => r.instance_id)).size;
  const flagged = rows.filter((r) => r.unmatchable_tests.length || r.missing_from_log?.length || r.fail_to_pass_passing_on_base?.length || r.flaky_tests?.length).length;
  if (values.json) writeJson(ctx, { file: out, format, rows: rows.length, annotated_instances: annotated, annotations: found.annotations.length, trajectories: found.trajectories.length, flagged_rows: flagged, validation: validation ? validation.size : null });
  else ctx.stdout.write(`${rows.length} row(s) written to ${out} (${annotated} annotated instance(s), ${found.trajectories.length} trajectories read, ${flagged} row(s) flagged${validation ? '' : '; no --validation: only the row checks are flagged'})\n`);
  // Without folders there are no answers, no rollouts and no demonstrations to read: say where they are.
  if (!runs.length) progress(ctx, 'note: no --runs given, so no answers or trajectories were read: pass the demonstrations folder (sweGym.demo.outputDir: one folder per annotator) and agent run folders with --runs DIR');
  return 0;
}
