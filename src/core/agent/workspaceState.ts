import { shellQuote } from '../util/shellQuote';
import type { ControlShell } from './tools/controlShell';

/**
 * The working tree (untracked files included) as a git tree id, without touching the user's index:
 * two snapshots tell whether anything changed and what, e.g. hand edits made while paused.
 */
export async function snapshotTree(shell: ControlShell, repoDir: string): Promise<string> {
  const r = await shell.run(
    `cd ${shellQuote(repoDir)} || exit 1; idx=$(mktemp /tmp/.swe-gym-snap-XXXXXX); cp "$(git rev-parse --git-path index)" "$idx" 2>/dev/null; ` +
      `GIT_INDEX_FILE="$idx" git add -A >/dev/null 2>&1 && GIT_INDEX_FILE="$idx" git write-tree; rc=$?; rm -f "$idx"; exit $rc`,
  );
  const tree = r.output.trim().split('\n').pop() ?? '';
  if (r.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(tree)) throw new Error(`Could not snapshot ${repoDir}: ${r.output.trim().slice(0, 300)}`);
  return tree;
}

/** The unified diff and the changed paths between two snapshots (or a commit and a snapshot). */
export async function diffTrees(shell: ControlShell, repoDir: string, from: string, to: string): Promise<{ diff: string; files: string[] }> {
  const q = shellQuote(repoDir);
  const names = await shell.run(`cd ${q} && git -c core.quotepath=false diff --name-only ${from} ${to}`);
  const diff = await shell.run(`cd ${q} && git -c core.quotepath=false diff --no-color ${from} ${to}`);
  return { diff: diff.output, files: names.output.split('\n').filter(Boolean) };
}
