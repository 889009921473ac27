/**
 * Which harness's semantics to reproduce.
 * - 'swe-gym': the SWE-Gym fork of SWE-bench (SWE-Gym/SWE-Bench-Fork), the reference for SWE-Gym.
 * - 'swebench-v4': SWE-bench 4.1, the reference for SWE-bench / Lite / Verified.
 * - 'swebench-v5': SWE-bench 5, whose stricter grading closes known reward hacks.
 * 'swe-gym' and 'swebench-v4' grade alike; they differ only in small parser details.
 */
export type RuleSet = 'swe-gym' | 'swebench-v4' | 'swebench-v5';

export const RULE_SETS: readonly RuleSet[] = ['swe-gym', 'swebench-v4', 'swebench-v5'];

export const RULE_SET_LABELS: Readonly<Record<RuleSet, string>> = {
  'swe-gym': 'SWE-Gym harness (SWE-bench 4.1 grading)',
  'swebench-v4': 'SWE-bench 4.1',
  'swebench-v5': 'SWE-bench 5 (strict)',
};
