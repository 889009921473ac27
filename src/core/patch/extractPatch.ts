import type { ContainerHandle } from '../runtime/containerRuntime';

/**
 * The candidate patch as SWE-Gym's rollouts take it: every change staged (untracked files
 * included), binary files dropped, `git diff --no-color --cached <base>`. A throwaway index keeps
 * the user's own staging area untouched.
 */
export async function extractPatch(container: ContainerHandle, baseCommit: string, options: { repoDir?: string; signal?: AbortSignal } = {}): Promise<string> {
  const cwd = options.repoDir ?? '/testbed';
  const index = `/tmp/.swe-gym-index-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const env = { GIT_INDEX_FILE: index, GIT_LITERAL_PATHSPECS: '1' };
  const git = async (args: string[], useIndex = true) => {
    const r = await container.exec(['git', '-c', 'core.quotepath=false', ...args], { cwd, env: useIndex ? env : undefined, signal: options.signal, timeoutMs: 300_000 });
    if (r.exitCode !== 0) throw new Error(`git ${args[0]} failed in ${cwd} (exit ${r.exitCode ?? 'killed'}): ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  };
  try {
    const realIndex = (await git(['rev-parse', '--path-format=absolute', '--git-path', 'index'], false)).trim();
    // Starting from a copy of the real index keeps git's stat cache: `add -A` stays fast on big repos.
    // -p keeps the index's mtime, so git's racy-entry check still sees a same-size edit made in the same second.
    const copy = await container.exec(['cp', '-p', realIndex, index]);
    if (copy.exitCode !== 0) await git(['read-tree', baseCommit]);
    await git(['add', '-A']);
    const numstat = await git(['diff', '--cached', '--numstat', '-z', baseCommit]);
    const binaries = parseBinaryPaths(numstat);
    if (binaries.length) await git(['reset', '-q', baseCommit, '--', ...binaries]);
    // The repository's own config is the container's to write: no external diff tool, no textconv.
    return await git(['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--cached', baseCommit]);
  } finally {
    await container.exec(['rm', '-f', index]).catch(() => undefined);
  }
}

/** `--numstat -z` marks binary files with `-\t-\t`; renames carry two NUL-separated paths. */
export function parseBinaryPaths(numstatZ: string): string[] {
  const out: string[] = [];
  const fields = numstatZ.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? '';
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(f);
    if (!m) continue;
    const binary = m[1] === '-' && m[2] === '-';
    const paths = m[3] === '' ? [fields[++i] ?? '', fields[++i] ?? ''] : [m[3] ?? ''];
    if (binary) out.push(...paths.filter(Boolean));
  }
  return out;
}
