import { Campaign } from '../../core/campaign/campaign';
import { parseCommandArgs, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';

const USAGE = 'swe-gym campaign status --dir D [--json]   (D: the annotator’s folder holding campaign.json)';

/** `campaign status`: where a demonstration campaign stands ("12 of 50"), what was skipped and why. */
export async function campaignCommand(ctx: CliContext): Promise<number> {
  const [sub, ...rest] = ctx.argv;
  if (sub !== 'status') throw new UsageError(`${sub ? `unknown subcommand "${sub}"` : 'a subcommand is required'}\n\nusage: ${USAGE}`);
  const { values } = parseCommandArgs(rest, { dir: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  const dir = requireOption(values.dir, 'dir', USAGE);
  const c = Campaign.open(dir);
  if (!c) throw new UsageError(`No campaign in ${dir} (no campaign.json there).`);
  const p = c.progress();
  if (values.json) {
    writeJson(ctx, { name: c.name, annotator: c.annotator, dataset: c.dataset, picked_by: c.pickedBy, ...p, items: c.items });
    return 0;
  }
  const resolved = c.items.filter((x) => x.state === 'done' && x.resolved).length;
  const lines = [
    `${c.name}${c.annotator ? ` (${c.annotator})` : ''}: ${p.finished ? `finished, ${p.total} of ${p.total}` : p.text}`,
    `  ${p.done} done (${resolved} resolved), ${p.skipped} skipped, ${p.total - p.done - p.skipped} to go`,
    ...(p.current ? [`  now: ${p.current}${p.next ? `; next: ${p.next}` : ''}`] : []),
    ...c.items.filter((x) => x.state === 'skipped').map((x) => `  skipped ${x.instance_id}: ${x.reason ?? ''}`),
  ];
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
