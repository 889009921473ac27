import { shellQuote } from '../util/shellQuote';
import type { ControlShell } from './tools/controlShell';
import { snapshotTree } from './workspaceState';

/** Where a rollout ran and whether it began where a fresh one would: what decides if it counts. */
export interface RolloutEnvironment {
  /** `fresh`: a new container of the image, history cut at the base commit; `dev`: the person's dev container. */
  container: 'fresh' | 'dev';
  /** The repository was at the base commit with no change (untracked files included) when the rollout began. */
  startedClean: boolean;
  /** What differed from the base commit at the start (dev containers only; at most 50 paths). */
  changedAtStart?: string[];
  /** Whether its reward counts toward success rates and pass@k: fresh containers, or a dev container that started clean. */
  counted: boolean;
}

/**
 * Compares the repository with the base commit before the first step: HEAD must be the base commit
 * and the working tree (untracked files included, ignored ones not) its tree. A dev container left
 * edited by a person or an earlier rollout fails this, and its rollouts are kept out of the figures.
 */
export async function checkStartState(shell: ControlShell, repoDir: string, baseCommit: string): Promise<{ startedClean: boolean; changedAtStart: string[] }> {
  const q = shellQuote(repoDir);
  const head = await shell.run(`cd ${q} && git rev-parse HEAD ${shellQuote(`${baseCommit}^{tree}`)}`);
  const [headId, baseTree] = head.output.trim().split('\n');
  const tree = await snapshotTree(shell, repoDir);
  const names = await shell.run(`cd ${q} && git -c core.quotepath=false diff --name-only ${shellQuote(baseCommit)} ${tree}`);
  const changed = names.output.split('\n').filter(Boolean).slice(0, 50);
  if (head.exitCode !== 0 || !baseTree) return { startedClean: false, changedAtStart: changed };
  const headMoved = headId !== baseCommit;
  return { startedClean: !headMoved && tree === baseTree, changedAtStart: headMoved ? ['(HEAD is not the base commit)', ...changed] : changed };
}
