import * as os from 'node:os';
import { LABEL_CREATED_BY_PID, LABEL_PURPOSE, type ContainerPurpose, type ContainerRuntime, type OurContainer } from './containerRuntime';
import { LABEL_HOST } from './docker/dockerRuntime';

export interface ReapOptions {
  /** Only containers of this session. */
  sessionId?: string;
  purpose?: ContainerPurpose;
  /**
   * With orphansOnly: also dev containers. Off by default, because a dev container outlives its
   * creator on every VS Code reload and only the window that tracks it knows whether it is wanted.
   */
  includeDev?: boolean;
  /** Only containers whose creating process (on this host) is gone: leftovers of a crash. */
  orphansOnly?: boolean;
  /** Only containers at least this old. */
  olderThanMs?: number;
}

/** A container is an orphan when the process that made it, on this very host, has died. */
export function isOrphan(c: OurContainer): boolean {
  if (c.labels[LABEL_HOST] !== os.hostname()) return false;
  const pid = Number(c.labels[LABEL_CREATED_BY_PID]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Finds our containers matching the options and removes them; returns what was removed. */
export async function reapOurContainers(runtime: ContainerRuntime, options: ReapOptions = {}): Promise<OurContainer[]> {
  const now = Date.now();
  const all = await runtime.listOurContainers({ sessionId: options.sessionId, purpose: options.purpose });
  const doomed = all.filter(
    (c) =>
      (!options.orphansOnly || (isOrphan(c) && (options.includeDev || c.labels[LABEL_PURPOSE] !== 'dev'))) &&
      (options.olderThanMs === undefined || now - c.createdAt.getTime() >= options.olderThanMs),
  );
  await Promise.all(doomed.map((c) => runtime.removeContainer(c.id)));
  return doomed;
}
