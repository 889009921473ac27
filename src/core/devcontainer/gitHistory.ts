import type { ContainerHandle } from '../runtime/containerRuntime';
import { abortError } from '../util/abortError';

export type HistoryMode = 'full' | 'shallow';

/**
 * Replaces the repository's .git with a new one that holds only the base commit and its
 * ancestors: one pack of exactly the objects reachable from the base commit, written by
 * `pack-objects` from the image's objects (their deltas reused, nothing re-hashed, as the launch's
 * workspace copy does), so no later commit, tag, ref, reflog entry or packed object survives. The
 * old index comes along for its stat data (`reset` then rebuilds it from HEAD without hashing
 * every file again); if it cannot be used it is dropped. The working tree is left as it is (the
 * image may have built files in it). Arguments arrive as $1.. so nothing from the dataset is
 * spliced into the script text.
 */
const SCRIPT = `
set -euo pipefail
repo="$1"; base="$2"; mode="$3"
g() { git -c safe.directory='*' "$@"; }
cd "$repo"
g cat-file -e "$base^{commit}" 2>/dev/null || { echo "base commit $base is not in $repo" >&2; exit 3; }
base="$(g rev-parse "$base^{commit}")"
branch="$(g symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
[ -n "$branch" ] || branch=main
clean="$(mktemp -d /tmp/swe-gym-clean.XXXXXX)"
g init -q -b "$branch" "$clean"
pack() { GIT_OBJECT_DIRECTORY="$clean/.git/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES="$repo/.git/objects" g pack-objects -q --delta-base-offset "$@" "$clean/.git/objects/pack/pack" >/dev/null; }
if [ "$mode" = shallow ]; then
  g rev-list --objects -n 1 "$base" | pack
  echo "$base" > "$clean/.git/shallow"
else
  echo "$base" | pack --revs
fi
g -C "$clean" update-ref "refs/heads/$branch" "$base"
cp .git/index "$clean/.git/index" 2>/dev/null || true
rm -rf "$repo/.git"
mv "$clean/.git" "$repo/.git"
rm -rf "$clean"
g reset -q 2>/dev/null || { rm -f .git/index; g reset -q; }
g reflog expire --expire=now --all
rm -f .git/FETCH_HEAD .git/ORIG_HEAD
test "$(g rev-parse HEAD)" = "$base"
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
