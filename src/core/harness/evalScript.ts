import { randomBytes } from 'node:crypto';
import type { TaskInstance } from '../dataset/taskInstance';
import { preImagePaths } from '../patch/patchPaths';
import { shellQuote } from '../util/shellQuote';
import { buildTestCommand } from './specs/testDirectives';
import { resolveRepoSpec } from './specs/repoSpecs';

export const TEST_OUTPUT_START = '>>>>> Start Test Output';
export const TEST_OUTPUT_END = '>>>>> End Test Output';
const ENV_ACTIVATION = ['source /opt/miniconda3/bin/activate', 'conda activate testbed'];

export interface EvalScript {
  text: string;
  /** Where the script leaves the test command's exit code (a per-run nonce keeps patches from guessing it). */
  exitCodeFile: string;
  skippedInstall: boolean;
}

/**
 * The SWE-bench eval script for one instance: show the state, re-run the install step, reset the
 * test files, apply the hidden test patch from a quoted heredoc, run the tests, reset again.
 * Everything that comes from the row is quoted or fed through a quoted heredoc.
 */
export function buildEvalScript(instance: TaskInstance, options: { skipInstall?: boolean; repoDir?: string } = {}): EvalScript {
  const spec = resolveRepoSpec(instance);
  const repoDir = options.repoDir ?? '/testbed';
  const base = checkedCommit(instance.base_commit);
  const testFiles = preImagePaths(instance.test_patch).map(shellQuote).join(' ');
  const nonce = randomBytes(8).toString('hex');
  const exitCodeFile = `/tmp/.swe-gym-test-exit-${nonce}`;
  const delimiter = heredocDelimiter(instance.test_patch);
  const reset = testFiles ? [`git checkout ${base} ${testFiles}`] : [];
  // Only `install` is re-run at eval time; `pre_install` belongs to the image build, as in the harness.
  const install = spec.install && !options.skipInstall ? [spec.install] : [];
  const lines = [
    '#!/bin/bash',
    'set -xo pipefail',
    ...ENV_ACTIVATION,
    `cd ${shellQuote(repoDir)}`,
    ...spec.eval_commands,
    `git config --global --add safe.directory ${shellQuote(repoDir)}`,
    `cd ${shellQuote(repoDir)}`,
    'git status',
    'git show',
    `git -c core.fileMode=false diff ${base}`,
    ...ENV_ACTIVATION,
    ...install,
    ...reset,
    `git apply -v - <<'${delimiter}'`,
    instance.test_patch.replace(/\n?$/, ''),
    delimiter,
    `: '${TEST_OUTPUT_START}'`,
    buildTestCommand(instance),
    `printf '%s\\n' "$?" > ${exitCodeFile}`,
    `: '${TEST_OUTPUT_END}'`,
    ...reset,
    '',
  ];
  return { text: lines.join('\n'), exitCodeFile, skippedInstall: Boolean(spec.install) && Boolean(options.skipInstall) };
}

function checkedCommit(commit: string): string {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new Error(`base_commit "${commit}" is not a commit hash`);
  return commit;
}

/** The harness's delimiter, unless the patch itself contains that line. */
function heredocDelimiter(patch: string): string {
  let d = 'EOF_114329324912';
  while (patch.split('\n').includes(d)) d = `EOF_${randomBytes(6).toString('hex')}`;
  return d;
}
