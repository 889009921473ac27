import * as fs from 'node:fs/promises';
import { harnessReport } from '../../core/harness/reportFiles';
import { datasetContextOf } from '../../core/spec/datasetContext';
import { gradeWithSpec } from '../../core/spec/gradeWithSpec';
import { makeInstanceSpec } from '../../core/spec/instanceSpec';
import { newRunId } from '../../core/harness/runId';
import { parseCommandArgs, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';
import { loadDatasetForCli, selectInstances } from '../datasetOption';
import { parseRules } from './eval';

const USAGE = 'swe-gym grade --dataset D --instance ID --log FILE [--rules swe-gym|swebench-v4|swebench-v5] [--json]';

/** Grades an existing test log (OpenHands', the harness's, ours) without running anything. */
export async function gradeCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, { dataset: { type: 'string' }, instance: { type: 'string' }, log: { type: 'string' }, rules: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const dataset = await loadDatasetForCli(ctx, requireOption(values.dataset, 'dataset', USAGE));
  const [instance] = selectInstances(dataset, [requireOption(values.instance, 'instance', USAGE)]);
  if (!instance) throw new UsageError('unknown instance');
  const logPath = requireOption(values.log, 'log', USAGE);
  const log = await fs.readFile(logPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`Cannot read --log ${logPath}: ${err.code ?? err.message}`);
  });
  const spec = makeInstanceSpec(instance, datasetContextOf(dataset), { rules: parseRules(values.rules) });
  const rules = spec.rules.reference;
  const parserName = spec.logParser;
  const { grade, statusMap } = gradeWithSpec(spec, log);
  const rejected = grade.reference.rejected;
  const resolved = rejected === null && grade.reference.resolved;
  const report = harnessReport({
    instance_id: instance.instance_id,
    run_id: newRunId('grade'),
    model_name_or_path: 'log',
    // A log rejected for its content is unresolved, with the reason; it is no infrastructure failure.
    status: resolved ? 'resolved' : 'unresolved',
    resolved,
    rules,
    grade,
    statusMap,
    patch: '(not known: graded from a log)',
    testLog: log,
    applyLog: '(not known: graded from a log)',
    skippedInstall: false,
    error: rejected ?? undefined,
    warnings: [],
    durationMs: 0,
    timings: { imageMs: 0, containerMs: 0, applyMs: 0, testsMs: 0, removeMs: 0 },
  });
  if (values.json) {
    writeJson(ctx, { instance_id: instance.instance_id, rules, log_parser: parserName, rejected, resolved, status_map: statusMap, report, strict: grade.strict, rules_disagree: grade.disagree });
  } else {
    const g = grade.reference;
    ctx.stdout.write(
      [
        `${instance.instance_id}: ${resolved ? 'RESOLVED' : 'NOT RESOLVED'} (${g.resolution}, rules ${rules}, parser ${parserName})`,
        rejected === null ? '' : `log rejected: ${rejected}`,
        `FAIL_TO_PASS ${g.tests_status.FAIL_TO_PASS.success.length}/${g.tests_status.FAIL_TO_PASS.success.length + g.tests_status.FAIL_TO_PASS.failure.length}, PASS_TO_PASS ${g.tests_status.PASS_TO_PASS.success.length}/${g.tests_status.PASS_TO_PASS.success.length + g.tests_status.PASS_TO_PASS.failure.length}`,
        `strict (${grade.strict.rules}): ${grade.strict.resolution}${grade.disagree ? '  <- differs' : ''}${grade.strict.notes.length ? `; ${grade.strict.notes.join('; ')}` : ''}`,
      ]
        .filter(Boolean)
        .join('\n') + '\n',
    );
  }
  return 0;
}
