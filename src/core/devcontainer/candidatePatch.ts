import type { ContainerHandle, ExecOptions } from '../runtime/containerRuntime';
import { extractPatch } from '../patch/extractPatch';
import { REPO_DIR, type HostUser } from './devShell';

/**
 * The workspace's diff against the base commit, taken exactly as SWE-Gym rollouts take theirs
 * (extractPatch stages into a throwaway index, so the user's staging area is untouched). Its git
 * commands run as the host user so any object they write into the workspace stays the user's.
 */
export async function candidatePatch(container: ContainerHandle, baseCommit: string, options: { hostUser?: HostUser; signal?: AbortSignal } = {}): Promise<string> {
  const user = options.hostUser && options.hostUser.uid !== 0 ? `${options.hostUser.uid}:${options.hostUser.gid}` : undefined;
  return extractPatch(withExecDefaults(container, { user }), baseCommit, { repoDir: REPO_DIR, signal: options.signal });
}

/** The same container, with env/user/signal added to every exec. */
export function withExecDefaults(container: ContainerHandle, defaults: Pick<ExecOptions, 'env' | 'user' | 'signal'>): ContainerHandle {
  return {
    id: container.id,
    name: container.name,
    exec: (cmd, options = {}) =>
      container.exec(cmd, {
        ...options,
        env: { ...defaults.env, ...options.env },
        user: options.user ?? defaults.user,
        signal: options.signal ?? defaults.signal,
      }),
    spawn: (cmd, options) => container.spawn(cmd, options),
    putFile: (p, c, m) => container.putFile(p, c, m),
    putFiles: (files) => container.putFiles(files),
    readFile: (p) => container.readFile(p),
    copyOut: (from, to) => container.copyOut(from, to),
    copyIn: (from, entries, to, signal) => container.copyIn(from, entries, to, signal),
    remove: () => container.remove(),
  };
}
