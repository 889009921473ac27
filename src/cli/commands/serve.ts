import * as path from 'node:path';
import { GymSessions } from '../../core/gym/gymSessions';
import { startGymHttpServer } from '../../core/gym/httpServer';
import { parseCommandArgs, positiveInt, progress, UsageError, type CliContext } from '../cliContext';
import { cliRuntime, RUNTIME_OPTIONS, RUNTIME_USAGE } from '../runtimeOptions';
import { parseRules } from './eval';

const USAGE = [
  'swe-gym serve [--port P] [--host 127.0.0.1] [--token T] [--idle-timeout S] [--max-sessions N] [--max-steps N] [--dataset D ...] [--out DIR] [--run-id R]',
  `  [--command-timeout S] [--skip-install] [--rules R] [--no-pull] [--image-template T] ${RUNTIME_USAGE}`,
  'Lets any scaffold drive instances over HTTP+JSON: POST /v1/sessions {dataset, instance_id}, POST /v1/sessions/ID/step {name, arguments},',
  'POST /v1/sessions/ID/evaluate, GET /v1/sessions/ID/trajectory, DELETE /v1/sessions/ID, GET /v1/health; and over MCP (streamable HTTP) at /mcp.',
  'The token may also come from SWE_GYM_TOKEN; a host other than loopback requires one. --dataset limits the datasets clients may open.',
].join('\n');

/** What `serve` and `mcp` share: where sessions run and how they are graded. */
export const SESSION_OPTIONS = {
  ...RUNTIME_OPTIONS,
  'idle-timeout': { type: 'string' },
  'max-sessions': { type: 'string' },
  'max-steps': { type: 'string' },
  dataset: { type: 'string', multiple: true },
  out: { type: 'string' },
  'run-id': { type: 'string' },
  'command-timeout': { type: 'string' },
  'skip-install': { type: 'boolean' },
  rules: { type: 'string' },
  'no-pull': { type: 'boolean' },
  'image-template': { type: 'string' },
} as const;

const OPTIONS = {
  ...SESSION_OPTIONS,
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
} as const;

export const SESSION_USAGE = `[--idle-timeout S] [--max-sessions N] [--max-steps N] [--dataset D ...] [--out DIR] [--run-id R] [--command-timeout S] [--skip-install] [--rules R] [--no-pull] [--image-template T] ${RUNTIME_USAGE}`;

type SessionValues = { [K in keyof typeof SESSION_OPTIONS]?: (typeof SESSION_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof SESSION_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

export function gymSessionsFrom(values: SessionValues): GymSessions {
  return new GymSessions({
    runtime: cliRuntime(values),
    outDir: path.resolve(values.out ?? 'runs'),
    runId: values['run-id'],
    idleTimeoutMs: positiveInt(values['idle-timeout'], 'idle-timeout', 600) * 1000,
    maxSessions: positiveInt(values['max-sessions'], 'max-sessions', 16),
    maxSteps: positiveInt(values['max-steps'], 'max-steps', 1000),
    datasets: values.dataset,
    imageTemplate: values['image-template'],
    allowPull: !values['no-pull'],
    tools: { timeoutMs: values['command-timeout'] ? positiveInt(values['command-timeout'], 'command-timeout', 120) * 1000 : undefined },
    skipInstall: values['skip-install'],
    rules: parseRules(values.rules),
  });
}

/** Runs until cancelled (Ctrl+C), then ends every session and removes its containers. */
export async function serveCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, OPTIONS, USAGE);
  const port = values.port === undefined ? 8765 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes 0-65535, got "${values.port}"`);
  const token = values.token ?? (process.env.SWE_GYM_TOKEN || undefined);
  const sessions = gymSessionsFrom(values);
  let server;
  try {
    server = await startGymHttpServer({ sessions, host: values.host ?? '127.0.0.1', port, token });
  } catch (err) {
    await sessions.close();
    throw new UsageError((err as Error).message);
  }
  progress(ctx, `Gym server on ${server.url} (run ${sessions.runId}; trajectories in ${sessions.runDir}${token ? '; bearer token required' : ''}). Ctrl+C stops it.`);
  // The first line on stdout is the address, for programs that start the server with --port 0.
  ctx.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, run_id: sessions.runId, run_dir: sessions.runDir })}\n`);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  progress(ctx, 'Stopping: ending the sessions and removing their containers...');
  await server.close();
  return 0;
}
