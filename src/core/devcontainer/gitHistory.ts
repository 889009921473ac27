import type { ContainerHandle } from '../runtime/containerRuntime';
import { abortError } from '../util/abortError';

export type HistoryMode = 'full' | 'shallow';

/**
 * The one cut every solver's repository goes through (the dev container's workspace copy and
 * every rollout, fork and replay container): `pack_base_history REPO DEST_GIT_DIR BASE MODE`
 * writes into DEST_GIT_DIR (a fresh repository) one pack of exactly the objects reachable from
 * BASE (shallow: its tree only, DEST marked shallow), read from REPO's objects by `pack-objects`
 * with their deltas reused and nothing re-hashed. Nothing else of REPO's .git is carried over.
 * pack-objects writes its temp files into the object folder it is given: the new one (a rename
 * across file systems would fail). Needs `g` (git with safe.directory) and the cwd in REPO.
 */
export const PACK_BASE_HISTORY = `
pack_base_history() {
  local src="$1" dest="$2" base="$3" mode="$4"
  pack() { GIT_OBJECT_DIRECTORY="$dest/objects" GIT_ALTERNATE_OBJECT_DIRECTORIES="$src/.git/objects" g pack-objects -q --delta-base-offset "$@" "$dest/objects/pack/pack" >/dev/null; }
  if [ "$mode" = shallow ]; then
    g rev-list --objects -n 1 "$base" | pack
    echo "$base" > "$dest/shallow"
  else
    echo "$base" | pack --revs
  fi
}
`;

/**
 * Replaces the repository's .git with a new one that holds only the base commit and its
 * ancestors: one pack of exactly the objects reachable from the base commit, written by
 * `pack-objects` from the image's objects (their deltas reused, nothing re-hashed, as the launch's
 * workspace copy does), so no later commit, tag, ref, reflog entry or packed object survives. The
 * old index comes along for its stat data (`reset` then rebuilds it from HEAD without hashing
 * every file again); if it cannot be used it is dropped. Without `refreshIndex` the index keeps that
stat data unchecked (`read-tree -m`): the look at every file (seconds on a cold overlay of 12,000
files) is left to the first `git status`, for a launch that gives its prompt first. The working tree is left as it is (the
 * image may have built files in it). Arguments arrive as $1.. so nothing from the dataset is
 * spliced into the script text.
 */
const SCRIPT = `
set -euo pipefail
repo="$1"; base="$2"; mode="$3"; refresh="$4"
g() { git -c safe.directory='*' "$@"; }
${PACK_BASE_HISTORY}
cd "$repo"
g cat-file -e "$base^{commit}" 2>/dev/null || { echo "base commit $base is not in $repo" >&2; exit 3; }
base="$(g rev-parse "$base^{commit}")"
branch="$(g symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
[ -n "$branch" ] || branch=main
clean="$(mktemp -d /tmp/swe-gym-clean.XXXXXX)"
g init -q -b "$branch" "$clean"
pack_base_history "$repo" "$clean/.git" "$base" "$mode"
g -C "$clean" update-ref "refs/heads/$branch" "$base"
cp .git/index "$clean/.git/index" 2>/dev/null || true
rm -rf "$repo/.git"
mv "$clean/.git" "$repo/.git"
rm -rf "$clean"
if [ "$refresh" = no ]; then
  g read-tree -m HEAD 2>/dev/null || { rm -f .git/index; g read-tree HEAD; }
else
  g reset -q 2>/dev/null || { rm -f .git/index; g reset -q; }
fi
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
  options: { mode?: HistoryMode; refreshIndex?: boolean; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  const result = await container.exec(['bash', '-c', SCRIPT, 'truncate-history', repo, baseCommit, options.mode ?? 'full', options.refreshIndex === false ? 'no' : 'yes'], {
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
