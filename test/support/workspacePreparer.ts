/**
 * Another window preparing a workspace: a separate process that runs a campaign's prepareWorkspace
 * on a sample (the workspace-lock test starts it). Prints one JSON line per workspace step and one
 * with the result (or the error), then exits.
 * Usage: node out/test/support/workspacePreparer.js <workspaceRoot> <instanceId> <sessionId>
 */
import { prepareWorkspace } from '../../src/core/devcontainer/launchDevContainer';
import { runtime } from './docker';
import { sample, sampleSpec } from './samples';

async function main(): Promise<void> {
  const [root, id, sessionId] = process.argv.slice(2);
  if (!root || !id || !sessionId) throw new Error('usage: workspacePreparer <workspaceRoot> <instanceId> <sessionId>');
  const spec = await sampleSpec(await sample((i) => i.instance_id === id, id));
  const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  const prepared = await prepareWorkspace(runtime, spec, { workspaceRoot: root, sessionId, onProgress: (p) => p.step !== 'image' && say({ step: p.step, message: p.message }) });
  say({ done: prepared });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) + '\n');
    process.exit(1);
  },
);
