import { OWNED_STAMP, type HostUser } from './devShell';
import type { ContainerHandle } from '../runtime/containerRuntime';
import { abortError } from '../util/abortError';
import { GitHistoryError, PACK_BASE_HISTORY, type HistoryMode } from './gitHistory';

/** Where the seed container sees the host's (empty) workspace folder; its .git is the metadata folder, mounted below. */
export const SEED_OUT_DIR = '/swe-gym-out';

/**
 * Makes the workspace in `out` (the bind-mounted host folder, its `.git` the bind-mounted
 * metadata folder) from the image's `repo`, all inside the seed container, so nothing is
 * streamed through the engine API:
 * - the working tree is copied as it is (the image may have built files in it) through a tar
 *   pipe, reader and writer side by side (cp -a took about twice as long on 12,000 files), in the
 *   background while the history is packed; the archive names the host user as every file's
 *   owner, so the files land as theirs without a second pass over them;
 * - a new repository gets one pack of exactly the objects reachable from the base commit, written
 *   by `pack-objects` (reusing the image's deltas, no re-hashing on the receiving side as a fetch
 *   would do), so no later commit, tag, ref, reflog entry or packed object is carried over;
 * - the index is built and refreshed after the files have their owner, so its stat data stays
 *   valid and the first `git status` does not hash every file again;
 * - the dev shell's ownership stamp is written last, so its first prompt looks at nothing copied.
 * Names are passed as `./name` (none can be taken for an option) and arguments arrive as $1.., so
 * nothing from the dataset is spliced into the script text.
 */
const SCRIPT = `
set -euo pipefail
repo="$1"; base="$2"; mode="$3"; out="$4"; owner="$5"
g() { git -c safe.directory='*' "$@"; }
${PACK_BASE_HISTORY}
cd "$repo"
[ -d .git ] || { echo "the image has no git repository at $repo" >&2; exit 4; }
g cat-file -e "$base^{commit}" 2>/dev/null || { echo "base commit $base is not in $repo" >&2; exit 3; }
base="$(g rev-parse "$base^{commit}")"
branch="$(g symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
[ -n "$branch" ] || branch=main
as_owner=()
[ -z "$owner" ] || as_owner=(--owner="\${owner%:*}" --group="\${owner#*:}" --numeric-owner)
( find . -mindepth 1 -maxdepth 1 ! -name .git -printf './%P\\0' | tar -c --null -T - -f - \${as_owner[@]+"\${as_owner[@]}"} | tar -C "$out" -xf - ) &
copy=$!
g init -q -b "$branch" "$out"
pack_base_history "$repo" "$out/.git" "$base" "$mode"
g -C "$out" update-ref "refs/heads/$branch" "$base"
wait "$copy"
g -C "$out" read-tree HEAD
g -C "$out" update-index -q --refresh >/dev/null || true
[ -z "$owner" ] || { chown -R "$owner" "$out/.git"; chown "$owner" "$out"; }
# The dev shell's prompt hook looks only at what changed after this (see shellRc).
touch "$out/${OWNED_STAMP}"
[ -z "$owner" ] || chown "$owner" "$out/${OWNED_STAMP}"
test "$(g -C "$out" rev-parse HEAD)" = "$base"
`;

/** Fills the seed container's SEED_OUT_DIR with `repo`'s working tree and its history up to `baseCommit`. */
export async function copyRepositoryAtBase(
  seed: ContainerHandle,
  repo: string,
  baseCommit: string,
  options: { mode?: HistoryMode; owner?: HostUser; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  const owner = options.owner && options.owner.uid !== 0 ? `${options.owner.uid}:${options.owner.gid}` : '';
  const result = await seed.exec(['bash', '-c', SCRIPT, 'copy-repository', repo, baseCommit, options.mode ?? 'full', SEED_OUT_DIR, owner], {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
  });
  if (result.cancelled) throw abortError('Copying the repository');
  if (result.timedOut) throw new GitHistoryError(`Copying the repository ${repo} timed out`);
  if (result.exitCode !== 0) {
    const tail = result.output.trim().split('\n').slice(-5).join('\n');
    throw new GitHistoryError(`Could not copy the repository ${repo} at ${baseCommit}: ${tail || `exit ${result.exitCode}`}`);
  }
}
