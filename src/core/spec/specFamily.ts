import { FAMILY_NAME, familyOfRepo } from '../dataset/flavor';
import type { DatasetFlavor } from '../dataset/taskInstance';
import { RULE_SET_LABELS, type RuleSet } from '../grading/ruleSet';
import type { DatasetContext } from './datasetContext';

export interface SpecFamily {
  readonly flavor: DatasetFlavor;
  /** Why, in words a user can check. */
  readonly reason: string;
}

export interface SpecRules {
  /** The dataset's own harness's rules (or the user's choice): the reward follows them. */
  readonly reference: RuleSet;
  /** Always SWE-bench 5's, shown beside the reference verdict. */
  readonly strict: 'swebench-v5';
  readonly reason: string;
}

/**
 * The family of one row. SWE-Gym's and SWE-bench's repositories do not overlap, so a row's
 * repository is a better witness than how a converted file happened to store its test lists;
 * only a dataset named for its family (or the bundled samples) keeps its family regardless.
 */
export function familyOf(repo: string, context: DatasetContext): SpecFamily {
  const datasetReason = `the dataset is taken as ${context.flavor}: ${context.flavorReason ?? 'its loader gave no reason'}`;
  const strong = context.flavorBasis === 'samples' || context.flavorBasis === 'name' || context.flavorBasis === 'path' || context.flavor === 'samples';
  if (!strong) {
    const byRepo = familyOfRepo(repo);
    if (byRepo !== undefined && (byRepo !== context.flavor || context.flavorBasis !== 'repos')) {
      return { flavor: byRepo, reason: `its repository ${repo} is one of ${FAMILY_NAME[byRepo]}'s` };
    }
  }
  return { flavor: context.flavor, reason: datasetReason };
}

/** The dataset family's harness rules unless the settings choose others, and SWE-bench 5's as the strict ones. */
export function rulesFor(family: SpecFamily, chosen: RuleSet | undefined): SpecRules {
  if (chosen !== undefined) return { reference: chosen, strict: 'swebench-v5', reason: `${RULE_SET_LABELS[chosen]}: chosen in the settings` };
  const reference: RuleSet = family.flavor === 'swe-bench' ? 'swebench-v4' : 'swe-gym';
  const whose = family.flavor === 'swe-bench' ? "SWE-bench's own harness" : family.flavor === 'samples' ? 'the SWE-Gym harness (the samples follow it)' : "SWE-Gym's own harness";
  return { reference, strict: 'swebench-v5', reason: `${RULE_SET_LABELS[reference]}, ${whose}, because ${family.reason}` };
}
