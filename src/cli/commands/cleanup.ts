import { reapOurContainers } from '../../core/runtime/reaper';
import { parseCommandArgs, positiveInt, progress, writeJson, type CliContext } from '../cliContext';
import { cliRuntime } from '../runtimeOptions';

const USAGE = 'swe-gym cleanup [--dev] [--any-profile] [--session ID] [--stale-after SECONDS] [--all] [--json]';

/**
 * Removes our containers whose creator is gone (no heartbeat for a while): leftovers of crashed or
 * killed runs, seed containers of interrupted launches included. Running work of other processes,
 * other PID namespaces or other machines keeps beating and is never touched; neither is anything of
 * another profile (user@host) unless --any-profile, nor dev containers unless --dev. --all removes
 * every container of ours, running or not.
 */
export async function cleanupCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    ctx.argv,
    {
      all: { type: 'boolean' },
      dev: { type: 'boolean' },
      'any-profile': { type: 'boolean' },
      session: { type: 'string' },
      'stale-after': { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  const staleAfterSeconds = values['stale-after'] === undefined ? undefined : positiveInt(values['stale-after'], 'stale-after', 1);
  const runtime = cliRuntime();
  await runtime.ping(ctx.signal);
  const removed = await reapOurContainers(runtime, {
    orphansOnly: !values.all,
    includeDev: values.dev,
    anyProfile: values['any-profile'],
    sessionId: values.session,
    staleAfterMs: staleAfterSeconds === undefined ? undefined : staleAfterSeconds * 1000,
  });
  if (values.json) writeJson(ctx, { removed: removed.map((c) => ({ id: c.id, name: c.name, image: c.image, labels: c.labels })) });
  else progress(ctx, removed.length ? `Removed ${removed.length} container(s): ${removed.map((c) => c.name).join(', ')}` : 'No leftover containers.');
  return 0;
}
