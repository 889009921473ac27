import type { ContainerHandle } from '../runtime/containerRuntime';

export const REPO_DIR = '/testbed';
export const RC_FILE = '/tmp/.swe-gym-studio/bashrc';

export interface HostUser {
  uid: number;
  gid: number;
}

/**
 * The hand-back skips a `.git` made below /testbed (a repository planted in a subfolder): left to
 * root, host git run by another user refuses it as of dubious ownership instead of honouring its
 * configuration. The workspace's own /testbed/.git (the mounted metadata) is handed back.
 */
const NESTED_REPOS_SH = `\\( -name .git ! -path ${REPO_DIR}/.git \\)`;

export function currentHostUser(): HostUser | undefined {
  if (typeof process.getuid !== 'function' || typeof process.getgid !== 'function') return undefined;
  return { uid: process.getuid(), gid: process.getgid() };
}

/**
 * The interactive shell's rc file: the image's own ~/.bashrc first (SWE-bench images activate
 * the conda env `testbed` there), then, when the host user is not root, a prompt hook that hands
 * files the root shell created in /testbed back to the host user, so they stay editable.
 */
export function shellRc(user: HostUser | undefined): string {
  const lines = ['[ -f ~/.bashrc ] && . ~/.bashrc', `cd ${REPO_DIR}`];
  if (user && user.uid !== 0) {
    const owner = `${user.uid}:${user.gid}`;
    lines.push(
      `__swe_gym_own() { find ${REPO_DIR} -xdev ${NESTED_REPOS_SH} -prune -o \\( -user 0 -o -group 0 \\) -exec chown -h ${owner} {} + 2>/dev/null; }`,
      'PROMPT_COMMAND="__swe_gym_own${PROMPT_COMMAND:+; $PROMPT_COMMAND}"',
    );
  }
  return lines.join('\n') + '\n';
}

/** Makes the container ready for interactive use on a bind-mounted workspace. */
export async function prepareDevShell(container: ContainerHandle, user: HostUser | undefined, signal?: AbortSignal): Promise<void> {
  await container.putFile(RC_FILE, shellRc(user), 0o644);
  // The bind-mounted repo belongs to the host user; root's git would refuse it as "dubious".
  const r = await container.exec(['git', 'config', '--system', '--add', 'safe.directory', '*'], { signal, timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`Could not configure git in the container: ${r.output.trim() || `exit ${r.exitCode}`}`);
}

/** Gives every file under /testbed back to the host user (files made by root in the container). */
export async function restoreOwnership(container: ContainerHandle, user: HostUser | undefined, signal?: AbortSignal): Promise<void> {
  if (!user || user.uid === 0) return;
  const owner = `${user.uid}:${user.gid}`;
  const nestedRepos = ['(', '-name', '.git', '!', '-path', `${REPO_DIR}/.git`, ')', '-prune', '-o'];
  await container.exec(['find', REPO_DIR, '-xdev', ...nestedRepos, '(', '!', '-user', String(user.uid), '-o', '!', '-group', String(user.gid), ')', '-exec', 'chown', '-h', owner, '{}', '+'], {
    signal,
    timeoutMs: 120_000,
  });
}
