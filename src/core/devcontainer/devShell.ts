import { MARKER_RC, markerRc } from '../demo/shellMarkers';
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
const ROOT_OWNED_SH = '\\( -user 0 -o -group 0 \\)';

export function currentHostUser(): HostUser | undefined {
  if (typeof process.getuid !== 'function' || typeof process.getgid !== 'function') return undefined;
  return { uid: process.getuid(), gid: process.getgid() };
}

/**
 * When the prompt hook last looked (its mtime; in the workspace's metadata, which the dev container
 * sees at /testbed/.git). The launch's copy writes it once every copied file has its owner, so the
 * first prompt looks at nothing the copy made.
 */
export const OWNED_STAMP = '.git/swe-gym-studio-owned';

/**
 * The interactive shell's rc file: the image's own ~/.bashrc first (SWE-bench images activate
 * the conda env `testbed` there), then, when the host user is not root, a prompt hook that hands
 * files the root shell created in /testbed back to the host user, so they stay editable.
 *
 * The hook runs before every prompt, so it must not walk every file (12,000 in a mypy-sized
 * repository): a file made, moved in or extracted changes its folder's ctime (which nothing can
 * set back, unlike an mtime that `tar -x` or `cp -a` restores), so only folders changed since the
 * stamp are looked into, one level deep. A folder made in them is itself changed, so new trees are
 * covered whole. The stamp is set a second back, so a change in the second of a look is looked at
 * again, not missed. Without a stamp (a container of an older launch) it looks at everything once.
 */
export function shellRc(user: HostUser | undefined): string {
  const lines = ['[ -f ~/.bashrc ] && . ~/.bashrc', `cd ${REPO_DIR}`];
  if (user && user.uid !== 0) {
    const owner = `${user.uid}:${user.gid}`;
    const stamp = `${REPO_DIR}/${OWNED_STAMP}`;
    lines.push(
      '__swe_gym_own() {',
      '  local now; printf -v now \'%(%s)T\' -1',
      `  if [ -f ${stamp} ]; then`,
      `    find ${REPO_DIR} -xdev ${NESTED_REPOS_SH} -prune -o -type d -cnewer ${stamp} -exec sh -c 'find "$@" -mindepth 1 -maxdepth 1 ${NESTED_REPOS_SH} -prune -o ${ROOT_OWNED_SH} -print0 | xargs -0r chown -h ${owner}' sh {} + 2>/dev/null`,
      '  else',
      `    find ${REPO_DIR} -xdev ${NESTED_REPOS_SH} -prune -o ${ROOT_OWNED_SH} -exec chown -h ${owner} {} + 2>/dev/null`,
      '  fi',
      `  touch -d "@$((now - 1))" ${stamp} 2>/dev/null`,
      '}',
      'PROMPT_COMMAND="__swe_gym_own${PROMPT_COMMAND:+; $PROMPT_COMMAND}"',
    );
  }
  return lines.join('\n') + '\n';
}

/** Makes the container ready for interactive use on a bind-mounted workspace. */
export async function prepareDevShell(container: ContainerHandle, user: HostUser | undefined, signal?: AbortSignal): Promise<void> {
  // The terminal's marked rc is written here too, so opening the terminal costs no upload.
  await container.putFiles([
    { path: RC_FILE, content: shellRc(user), mode: 0o644 },
    { path: MARKER_RC, content: markerRc(RC_FILE), mode: 0o644 },
  ]);
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
