/**
 * The test log as shown before the person reveals the hidden tests: every hidden test id (and the
 * shorter names pytest prints for it) becomes its hidden label, the test files become numbered
 * placeholders, and the part of the log where the test patch is applied is left out. Pure.
 */
import type { TaskInstance } from '../../core/dataset/taskInstance';
import { diffTargetPaths, preImagePaths } from '../../core/patch/patchPaths';
import { headlinesOf } from './testLogSections';
import { markerTrace, TEST_OUTPUT_START } from '../../core/grading/outputMarkers';

const START_TRACE = markerTrace(TEST_OUTPUT_START);

export interface HiddenTests {
  FAIL_TO_PASS: readonly string[];
  PASS_TO_PASS: readonly string[];
  /** Paths the test patch touches. */
  testFiles: readonly string[];
  testPatch: string;
}

export function hiddenTestsOf(instance: TaskInstance): HiddenTests {
  const testFiles = [...new Set([...preImagePaths(instance.test_patch), ...diffTargetPaths(instance.test_patch)])];
  return { FAIL_TO_PASS: instance.FAIL_TO_PASS, PASS_TO_PASS: instance.PASS_TO_PASS, testFiles, testPatch: instance.test_patch };
}

export function hiddenLabel(group: 'FAIL_TO_PASS' | 'PASS_TO_PASS', index: number, total: number): string {
  return `hidden test ${index + 1} of ${total} (${group})`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Shorter names are replaced only as whole tokens and only when long enough not to be common words. */
const MIN_SHORT_NAME = 6;

export const APPLY_HIDDEN = '[the hidden test patch is applied here: its log is left out until the tests are revealed]';

export function redactLog(log: string, hidden: HiddenTests): string {
  let out = dropTestPatchApply(log);
  if (hidden.testPatch.trim()) out = out.split(hidden.testPatch.trim()).join('[hidden test patch]');
  const exact: [string, string][] = [];
  const short: [string, string][] = [];
  for (const group of ['FAIL_TO_PASS', 'PASS_TO_PASS'] as const) {
    const ids = hidden[group];
    ids.forEach((id, i) => {
      const label = `‹${hiddenLabel(group, i, ids.length)}›`;
      exact.push([id, label]);
      for (const h of headlinesOf(id)) if (h !== id && h.length >= MIN_SHORT_NAME) short.push([h, label]);
    });
  }
  // Longest first, so an id is never half-replaced by a shorter one it contains.
  for (const [id, label] of exact.sort((a, b) => b[0].length - a[0].length)) out = out.split(id).join(label);
  const seen = new Set<string>();
  for (const [name, label] of short.sort((a, b) => b[0].length - a[0].length)) {
    if (seen.has(name)) continue;
    seen.add(name);
    // A name shared by several hidden tests is not attributed to any one of them.
    const shared = short.filter(([n]) => n === name).length > 1;
    out = out.replace(new RegExp(`(?<![\\w.])${escape(name)}(?![\\w])`, 'g'), shared ? '‹hidden test›' : label);
  }
  const files = hidden.testFiles.map((file, i) => [file, `‹hidden test file ${i + 1}›`] as const).sort((a, b) => b[0].length - a[0].length);
  for (const [file, label] of files) out = out.split(file).join(label);
  return out;
}

/** From the traced `git apply -v -` of the test patch up to the test output marker. */
function dropTestPatchApply(log: string): string {
  const lines = log.split('\n');
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (!skipping && /^\+ git apply -v -\s*$/.test(line.replace(/\r$/, ''))) {
      skipping = true;
      out.push(APPLY_HIDDEN);
      continue;
    }
    if (skipping && line.startsWith(START_TRACE)) skipping = false;
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}
