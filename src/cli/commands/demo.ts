import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDatasetSource } from '../../core/dataset/resolveSource';
import { runEvaluation } from '../../core/harness/runEvaluation';
import { loadPredictions, type Prediction } from '../../core/predictions/loadPredictions';
import { cliRuntime, RUNTIME_OPTIONS, RUNTIME_USAGE } from '../runtimeOptions';
import { parseCommandArgs, positiveInt, progress, type CliContext } from '../cliContext';
import { loadDatasetForCli } from '../datasetOption';
import { evaluationTable, resultLine } from '../evaluationTable';

const USAGE = `swe-gym demo [--workers N] [--out DIR] ${RUNTIME_USAGE}`;

/**
 * The first thing a newcomer runs: the bundled samples evaluated with the gold patches (reward 1),
 * empty patches (reward 0) and tempting-but-wrong fixes (reward 0), in real containers.
 */
export async function demoCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, { ...RUNTIME_OPTIONS, workers: { type: 'string' }, out: { type: 'string' } }, USAGE);
  const dataset = await loadDatasetForCli(ctx, 'samples');
  const samplesDir = path.dirname(resolveDatasetSource('samples').files[0] ?? '.');
  const tempting = path.join(samplesDir, 'predictions', 'tempting-fixes.jsonl');
  const predictions: Prediction[] = [
    ...(await loadPredictions('gold', dataset)),
    ...(await loadPredictions('empty', dataset)),
    ...(fs.existsSync(tempting) ? await loadPredictions(tempting, dataset) : []),
  ];
  const runtime = cliRuntime(values);
  const outDir = path.resolve(values.out ?? 'runs');
  const workers = positiveInt(values.workers, 'workers', 2);
  progress(ctx, `Evaluating ${predictions.length} predictions on ${dataset.instances.length} sample tasks with ${workers} workers`);
  // One run per model keeps the harness layout (<run>/<model>/<instance>) unambiguous.
  const byModel = new Map<string, Prediction[]>();
  for (const p of predictions) byModel.set(p.model_name_or_path, [...(byModel.get(p.model_name_or_path) ?? []), p]);
  const all = [];
  for (const [model, preds] of byModel) {
    const outcome = await runEvaluation(runtime, dataset, preds, {
      workers,
      outDir,
      signal: ctx.signal,
      onEvent: (e) => {
        if (e.type === 'done') progress(ctx, `[${model} ${e.completed}/${e.total}] ${resultLine(e.result)}`);
      },
    });
    all.push(...outcome.results);
  }
  ctx.stdout.write(`\n${evaluationTable(all)}\n\nOutputs (report.json, test_output.txt, eval.sh, patch.diff) are in ${outDir}\n`);
  const goldOk = all.filter((r) => r.model_name_or_path === 'gold').every((r) => r.resolved);
  const othersOk = all.filter((r) => r.model_name_or_path !== 'gold').every((r) => !r.resolved);
  progress(ctx, goldOk && othersOk ? 'As expected: every gold patch resolves its task, nothing else does.' : 'UNEXPECTED rewards: see the table above.');
  return goldOk && othersOk ? 0 : 1;
}
