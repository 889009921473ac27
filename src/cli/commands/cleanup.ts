import { reapOurContainers } from '../../core/runtime/reaper';
import { DockerRuntime } from '../../core/runtime/docker/dockerRuntime';
import { parseCommandArgs, progress, writeJson, type CliContext } from '../cliContext';

const USAGE = 'swe-gym cleanup [--all] [--json]';

/** Removes our containers left behind by crashed runs (all of ours with --all). */
export async function cleanupCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
  const removed = await reapOurContainers(new DockerRuntime(), { orphansOnly: !values.all });
  if (values.json) writeJson(ctx, { removed: removed.map((c) => ({ id: c.id, name: c.name, image: c.image, labels: c.labels })) });
  else progress(ctx, removed.length ? `Removed ${removed.length} container(s): ${removed.map((c) => c.name).join(', ')}` : 'No leftover containers.');
  return 0;
}
