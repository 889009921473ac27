import * as path from 'node:path';
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
  /** How the first valid row stored its test lists: the fallback when no name says it. */
  testListEncoding?: TestListEncoding;
}

/**
 * Our own package folder (`swe-gym-studio`) is ignored: otherwise every file inside a checkout of
 * this project would look like SWE-Gym.
 */
const IGNORED_SEGMENTS = new Set(['swe-gym-studio']);

function flavorOfText(text: string): DatasetFlavor | undefined {
  const t = text.toLowerCase();
  if (IGNORED_SEGMENTS.has(t)) return undefined;
  if (/swe[-_]?gym/.test(t)) return 'swe-gym';
  if (/swe[-_]?bench|princeton-nlp/.test(t)) return 'swe-bench';
  return undefined;
}

/**
 * Which family a dataset belongs to (image naming, default grading rules): the samples file is
 * 'samples'; then a name or path saying SWE-Gym or SWE-bench/princeton-nlp decides; otherwise the
 * test-list encoding (lists => SWE-Gym, JSON strings => SWE-bench), and SWE-bench when unknown.
 */
export function detectFlavor(hints: FlavorHints): DatasetFlavor {
  if (hints.isSamples) return 'samples';
  const byName = flavorOfText(hints.name);
  if (byName) return byName;
  for (const p of hints.paths ?? []) {
    const segments = path.resolve(p).split(path.sep).reverse();
    for (const segment of segments) {
      const bySegment = flavorOfText(segment);
      if (bySegment) return bySegment;
    }
  }
  if (hints.testListEncoding === 'array') return 'swe-gym';
  return 'swe-bench';
}
