import type { ContainerPurpose, ContainerRuntime } from './containerRuntime';
import { reapOurContainers } from './reaper';

/**
 * What a window's containers other than its dev containers are for cannot outlive the window:
 * an agent rollout or a fork (its process is gone with the host), a grade or the warm container
 * waiting for the next one, a seed copying a workspace. Dev containers are kept: a reload finds
 * them again.
 */
const GONE_WITH_THE_WINDOW: readonly ContainerPurpose[] = ['agent', 'eval', 'seed'];

/**
 * Removes this window's own containers of those purposes. Bounded: VS Code gives deactivate a few
 * seconds, and a stopped engine must not hold the window; what is left then shows in the next
 * window's leftover offer (its heartbeat stops with this host).
 */
export async function removeWindowContainers(runtime: ContainerRuntime, sessionId: string, timeoutMs = 4_000): Promise<number> {
  const removed = Promise.all(GONE_WITH_THE_WINDOW.map((purpose) => reapOurContainers(runtime, { sessionId, purpose }).catch(() => [])));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
  try {
    const lists = await Promise.race([removed, timeout]);
    return lists ? lists.reduce((n, l) => n + l.length, 0) : 0;
  } finally {
    clearTimeout(timer);
  }
}
