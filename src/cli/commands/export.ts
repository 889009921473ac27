import * as path from 'node:path';
import { EXPORT_FORMATS, exportRun, type ExportFormat } from '../../core/trajectory/exportRows';
import { parseCommandArgs, positiveInt, progress, requireOption, UsageError, writeJson, type CliContext } from '../cliContext';

const USAGE = 'swe-gym export --run DIR --format swe-gym|sft|predictions [--per-instance N] [--index K] [--output FILE] [--include-revealed] [--json]';

export async function exportCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    ctx.argv,
    { run: { type: 'string' }, format: { type: 'string' }, 'per-instance': { type: 'string' }, index: { type: 'string' }, output: { type: 'string' }, 'include-revealed': { type: 'boolean' }, json: { type: 'boolean' } },
    USAGE,
  );
  const runDir = path.resolve(requireOption(values.run, 'run', USAGE));
  const format = requireOption(values.format, 'format', USAGE);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format takes one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`);
  const index = values.index === undefined ? undefined : Number(values.index);
  if (index !== undefined && (!Number.isInteger(index) || index < 0)) throw new UsageError(`--index takes a rollout's file index, the K of <instance>_K.json (0, 1, ...; the UI's #1 is 0), got "${values.index}"`);
  const outcome = await exportRun(runDir, format as ExportFormat, {
    perInstance: values['per-instance'] ? positiveInt(values['per-instance'], 'per-instance', 1) : undefined,
    index,
    outFile: values.output ? path.resolve(values.output) : undefined,
    includeRevealed: values['include-revealed'],
  });
  for (const u of outcome.unclosed) progress(ctx, `warning: ${u} was never closed (the rollout was interrupted); it is not exported`);
  if (values.json) writeJson(ctx, { file: outcome.file, written: outcome.written, skipped: outcome.skipped, unclosed: outcome.unclosed });
  else ctx.stdout.write(`${outcome.written} ${format} line(s) written to ${outcome.file}${outcome.skipped.length ? ` (${outcome.skipped.length} left out: ${summariseSkips(outcome.skipped)})` : ''}\n`);
  return 0;
}

function summariseSkips(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
}
