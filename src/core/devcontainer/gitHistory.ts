import type { ContainerHandle } from '../runtime/containerRuntime';
import { abortError } from '../util/abortError';

export type HistoryMode = 'full' | 'shallow';

/**
 * Replaces the repository's .git with a new one that holds only the base commit and its
 * ancestors: a fetch of one ref into an empty repository transfers exactly the reachable
 * objects, so no later commit, tag, ref, reflog entry or packed object survives. The working
 * tree is left as it is (the image may have built files in it). Arguments arrive as $1.. so
 * nothing from the dataset is spliced into the script text.
 */
const SCRIPT = `
set -euo pipefail
repo="$1"; base="$2"; mode="$3"
cd "$repo"
git -c safe.directory='*' cat-file -e "$base^{commit}" 2>/dev/null || { echo "base commit $base is not in $repo" >&2; exit 3; }
branch="$(git -c safe.directory='*' symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
[ -n "$branch" ] || branch=main
clean="$(mktemp -d /tmp/swe-gym-clean.XXXXXX)"
git init -q -b swe-gym-studio-init "$clean"
git -c safe.directory='*' update-ref refs/swe-gym-studio/base "$base"
depth=()
[ "$mode" = shallow ] && depth=(--depth 1)
git -C "$clean" -c safe.directory='*' fetch -q --no-tags "\${depth[@]}" "$repo" "refs/swe-gym-studio/base:refs/heads/$branch"
git -C "$clean" symbolic-ref HEAD "refs/heads/$branch"
rm -rf "$repo/.git"
mv "$clean/.git" "$repo/.git"
rm -rf "$clean"
git reset -q
git reflog expire --expire=now --all
rm -f .git/FETCH_HEAD .git/ORIG_HEAD
test "$(git rev-parse HEAD)" = "$(git rev-parse "$base^{commit}")"
`;

export class GitHistoryError extends Error {
  override name = 'GitHistoryError';
}

/** Rewrites `repo`'s history in the container so it ends at `baseCommit`. */
export async function truncateHistoryToBase(
  container: ContainerHandle,
  repo: string,
  baseCommit: string,
  options: { mode?: HistoryMode; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  const result = await container.exec(['bash', '-c', SCRIPT, 'truncate-history', repo, baseCommit, options.mode ?? 'full'], {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
  });
  if (result.cancelled) throw abortError('Preparing the git history');
  if (result.timedOut) throw new GitHistoryError(`Preparing the git history of ${repo} timed out`);
  if (result.exitCode !== 0) {
    const tail = result.output.trim().split('\n').slice(-5).join('\n');
    throw new GitHistoryError(`Could not prepare the git history of ${repo} at ${baseCommit}: ${tail || `exit ${result.exitCode}`}`);
  }
}
