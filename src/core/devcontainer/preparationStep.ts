import type { ContainerHandle } from '../runtime/containerRuntime';
import { throwIfAborted } from '../util/abortError';

/**
 * One command that readies a dev container or its workspace (early launch, remote seeding): a cancel
 * is the launch's AbortError, never a failure; a failure throws with the command's own output,
 * prefixed by `what` ("Preparing the dev container").
 */
export async function runPreparation(container: ContainerHandle, cmd: string[], what: string, signal?: AbortSignal): Promise<void> {
  const r = await container.exec(cmd, { signal, timeoutMs: 300_000 });
  if (r.cancelled) throwIfAborted(signal, 'Launch');
  if (r.exitCode !== 0) throw new Error(`${what} failed (\`${cmd.slice(0, 3).join(' ')}\`): ${r.output.trim() || `exit ${r.exitCode}`}`);
}
