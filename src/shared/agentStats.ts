/** How often agents resolved an instance: the figures of the run table, the tree row and the instance page. */
export interface AgentStats {
  rollouts: number;
  /** Rollouts that never reached the model (errors of the run): left out of every figure. */
  runErrors: number;
  /** Rollouts with a reward. */
  rewarded: number;
  /** Rewarded rollouts left out of the figures: they started in a dev container that was not at the base commit. */
  notCounted: number;
  resolved: number;
  successRate: number;
  /** Unbiased pass@k over the rewarded rollouts, k = 1..rewarded. */
  passAtK: Record<string, number>;
}
