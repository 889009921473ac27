import { plural } from '../../shared/plural';
import type { TaskInstance } from '../../core/dataset/taskInstance';
import type { Difficulty } from '../../shared/instancePage';

const cache = new WeakMap<TaskInstance, Difficulty>();

/**
 * Files and changed lines of the gold patch plus the test counts. A line scan rather than a full
 * parse: sorting 66,894 instances by difficulty must stay fast, and lazy datasets read each patch
 * from disk, so the result is cached per instance.
 */
export function difficultyOf(instance: TaskInstance): Difficulty {
  const hit = cache.get(instance);
  if (hit) return hit;
  let files = 0;
  let lines = 0;
  let inHunk = false;
  for (const line of instance.patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      files++;
      inHunk = false;
    } else if (line.startsWith('@@')) {
      inHunk = true;
    } else if (inHunk && (line.startsWith('+') || line.startsWith('-'))) {
      lines++;
    }
  }
  const d: Difficulty = {
    goldFiles: files,
    goldLines: lines,
    failToPass: instance.FAIL_TO_PASS.length,
    passToPass: instance.PASS_TO_PASS.length,
    ...(instance.difficulty ? { label: instance.difficulty } : {}),
  };
  cache.set(instance, d);
  return d;
}

/** One number to sort by: changed lines dominate, files and FAIL_TO_PASS tests break ties. */
export function difficultyScore(d: Difficulty): number {
  return d.goldLines * 10 + d.goldFiles * 25 + d.failToPass;
}

export function describeDifficulty(d: Difficulty): string {
  const parts = [plural(d.goldFiles, 'file'), plural(d.goldLines, 'line'), `${d.failToPass} F2P`];
  if (d.label) parts.push(d.label);
  return parts.join(' · ');
}
