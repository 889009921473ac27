import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { SELECTION_FILE, selectBestOfN } from '../../core/verifier/bestOfN';
import { Verifier } from '../../core/verifier/verifierScore';
import { parseCommandArgs, positiveInt, progress, requireOption, writeJson, type CliContext } from '../cliContext';
import { formatTable } from '../table';

const USAGE = [
  'swe-gym select --run DIR --verifier-model M [--base-url U] [--workers N] [--top-logprobs K] [--json]',
  'Best-of-N with a verifier: each rewarded rollout of the run is scored by the model at U (P(YES) from its log-probabilities),',
  'the highest-scored one per instance is picked, and best-of-N success is reported beside pass@N and the mean success.',
  `The scores are written to DIR/${SELECTION_FILE}. The API key comes from OPENAI_API_KEY (optional for local servers).`,
].join('\n');

const OPTIONS = {
  run: { type: 'string' },
  'verifier-model': { type: 'string' },
  'base-url': { type: 'string' },
  workers: { type: 'string' },
  'top-logprobs': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export async function selectCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, OPTIONS, USAGE);
  const runDir = path.resolve(requireOption(values.run, 'run', USAGE));
  const model = requireOption(values['verifier-model'], 'verifier-model', USAGE);
  const verifier = new Verifier({ model, baseURL: values['base-url'], apiKey: process.env.OPENAI_API_KEY, topLogprobs: values['top-logprobs'] ? positiveInt(values['top-logprobs'], 'top-logprobs', 20) : undefined });
  progress(ctx, `Scoring the rollouts of ${runDir} with ${model}`);
  const selection = await selectBestOfN(runDir, model, (t, signal) => verifier.score(t, signal), {
    workers: positiveInt(values.workers, 'workers', 4),
    signal: ctx.signal,
    onScored: (done, total) => {
      if (done === total || done % 10 === 0) progress(ctx, `[${done}/${total}] scored`);
    },
  });
  await fs.writeFile(path.join(runDir, SELECTION_FILE), `${JSON.stringify(selection, null, 2)}\n`);
  const s = selection.summary;
  if (values.json) writeJson(ctx, selection);
  else {
    const rows = selection.instances.flatMap((i) =>
      i.rollouts.map((r) => [i.instance_id, String(r.index), r.score === null ? '-' : r.score.toFixed(4), r.resolved ? '1' : '0', r.index === i.picked ? (i.tied ? 'picked (tie)' : 'picked') : '']),
    );
    ctx.stdout.write(
      `${formatTable(['instance', '#', 'verifier P(YES)', 'reward', ''], rows)}\n\n` +
        `${s.instances} instance(s), ${s.rollouts} rollout(s): best-of-N ${pct(s.best_of_n)}, pass@N ${pct(s.pass_at_n)}, mean ${pct(s.mean_success)}\n` +
        `scores in ${path.join(runDir, SELECTION_FILE)}\n`,
    );
  }
  for (const i of selection.instances) if (i.message) progress(ctx, `note: ${i.instance_id}: ${i.message}`);
  for (const i of selection.instances) for (const r of i.rollouts) if (r.error) progress(ctx, `warning: ${i.instance_id}_${r.index}: ${r.error}`);
  if (s.unscored === s.rollouts) {
    progress(ctx, `error: the verifier scored none of the ${s.rollouts} rollout(s); best-of-N is meaningless here (see the warnings above).`);
    return 1;
  }
  return 0;
}
