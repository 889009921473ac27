import * as path from 'node:path';
import { SWE_BENCH_TABLE } from '../harness/specs/sweBenchTable';
import { SWE_GYM_TABLE } from '../harness/specs/sweGymTable';
import { tableEntry } from '../harness/specs/specTable';
import type { DatasetFlavor } from './taskInstance';

/** How a source stored FAIL_TO_PASS / PASS_TO_PASS: real lists (SWE-Gym) or JSON text (SWE-bench). */
export type TestListEncoding = 'array' | 'json-string';

export interface FlavorHints {
  /** The dataset's name (Hugging Face repo id, or file / folder name). Checked first. */
  name: string;
  /** Files or folders it came from; their path segments are checked nearest-first after the name. */
  paths?: readonly string[];
  /** True for the bundled samples dataset. */
  isSamples?: boolean;
  /** The rows' repositories (`owner/name`): SWE-Gym's and SWE-bench's do not overlap. */
  repos?: Iterable<string>;
  /** How the first valid row stored its test lists: the last resort when nothing else says it. */
  testListEncoding?: TestListEncoding;
}

/** What decided the family, strongest first: a row's own repository may overrule only the weaker ones. */
export type FlavorBasis = 'samples' | 'name' | 'path' | 'repos' | 'encoding' | 'default';

export interface FlavorVerdict {
  flavor: DatasetFlavor;
  basis: FlavorBasis;
  /** Why, in words a user can check: "its name says SWE-Gym", "its repositories are SWE-Gym's". */
  reason: string;
}

/**
 * Our own package folder (`swe-gym-studio`) is ignored: otherwise every file inside a checkout of
 * this project would look like SWE-Gym.
 */
const IGNORED_SEGMENTS = new Set(['swe-gym-studio']);

function flavorOfText(text: string): 'swe-gym' | 'swe-bench' | undefined {
  const t = text.toLowerCase();
  if (IGNORED_SEGMENTS.has(t)) return undefined;
  if (/swe[-_]?gym/.test(t)) return 'swe-gym';
  if (/swe[-_]?bench|princeton-nlp/.test(t)) return 'swe-bench';
  return undefined;
}

/** The family whose spec table (and only that one) lists the repository. */
export function familyOfRepo(repo: string): 'swe-gym' | 'swe-bench' | undefined {
  const gym = tableEntry(SWE_GYM_TABLE, repo) !== undefined;
  const bench = tableEntry(SWE_BENCH_TABLE, repo) !== undefined;
  if (gym === bench) return undefined;
  return gym ? 'swe-gym' : 'swe-bench';
}

export const FAMILY_NAME: Record<'swe-gym' | 'swe-bench', string> = { 'swe-gym': 'SWE-Gym', 'swe-bench': 'SWE-bench' };

/**
 * Which family a dataset belongs to (image naming, default grading rules), and why: the samples
 * file is 'samples'; then a name or path saying SWE-Gym or SWE-bench/princeton-nlp decides; then
 * the rows' repositories when they all belong to one family (converted copies store the test
 * lists either way, so the repository is the better witness); then the test-list encoding (lists
 * => SWE-Gym, JSON strings => SWE-bench), and SWE-bench when nothing says.
 */
export function explainFlavor(hints: FlavorHints): FlavorVerdict {
  if (hints.isSamples) return { flavor: 'samples', basis: 'samples', reason: 'the bundled sample tasks' };
  const byName = flavorOfText(hints.name);
  if (byName) return { flavor: byName, basis: 'name', reason: `its name (${hints.name}) says ${FAMILY_NAME[byName]}` };
  for (const p of hints.paths ?? []) {
    const segments = path.resolve(p).split(path.sep).reverse();
    for (const segment of segments) {
      const bySegment = flavorOfText(segment);
      if (bySegment) return { flavor: bySegment, basis: 'path', reason: `its path (${segment}) says ${FAMILY_NAME[bySegment]}` };
    }
  }
  const families = new Set<string | undefined>();
  for (const repo of hints.repos ?? []) families.add(familyOfRepo(repo));
  if (families.size === 1) {
    const [only] = families;
    if (only === 'swe-gym' || only === 'swe-bench') return { flavor: only, basis: 'repos', reason: `its repositories are ${FAMILY_NAME[only]}'s` };
  }
  if (hints.testListEncoding === 'array') return { flavor: 'swe-gym', basis: 'encoding', reason: 'its test lists are stored as lists, as SWE-Gym stores them' };
  if (hints.testListEncoding === 'json-string') return { flavor: 'swe-bench', basis: 'encoding', reason: 'its test lists are stored as JSON text, as SWE-bench stores them' };
  return { flavor: 'swe-bench', basis: 'default', reason: 'nothing names its family; SWE-bench is the default' };
}

export function detectFlavor(hints: FlavorHints): DatasetFlavor {
  return explainFlavor(hints).flavor;
}
