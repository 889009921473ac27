import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What every command gets: its arguments, where to print, and the run's cancellation. */
export interface CliContext {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--help` on a command: main prints the usage and exits 0. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
}

/** node:util parseArgs, with unknown options reported as usage errors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested(`usage: ${usage}`);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n\nusage: ${usage}`);
  }
}

export function requireOption(value: string | undefined, name: string, usage: string): string {
  if (!value) throw new UsageError(`--${name} is required\n\nusage: ${usage}`);
  return value;
}

export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} takes a whole number of at least 1, got "${value}"`);
  return n;
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress goes to stderr so stdout stays parseable. */
export function progress(ctx: CliContext, line: string): void {
  ctx.stderr.write(`${line}\n`);
}
