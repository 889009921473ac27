import { randomBytes } from 'node:crypto';
import type { TaskInstance } from '../dataset/taskInstance';
import { preImagePaths } from '../patch/patchPaths';
import { shellQuote } from '../util/shellQuote';
import { testCommandFor } from './specs/testDirectives';
import { resolveRepoSpec } from './specs/repoSpecs';
import { INSTALL_END, INSTALL_START, TEST_OUTPUT_END, TEST_OUTPUT_START } from '../grading/outputMarkers';

const ENV_ACTIVATION = ['source /opt/miniconda3/bin/activate', 'conda activate testbed'];
/** Linux refuses a single argv string of 128 KiB or more (MAX_ARG_STRLEN). */
const MAX_ARG_BYTES = 128 * 1024 - 1;
/** The test command's status, kept through the end marker and the reset after the tests. */
const TEST_STATUS_VAR = '__swe_gym_tests';

/**
 * How the script runs: as the tail of one `bash -c` process whose text is an argument, so nothing
 * a candidate writes in the container can change it while it runs (bash reads a script file as it
 * goes). The grade's one exec (harness/gradeScript.ts) reads both patches from stdin, applies the
 * candidate, then runs this body; its output from `set -x` on is the log `/bin/bash /eval.sh`
 * would print, and the exec exits with the test command's status.
 */
export interface EvalRun {
  /** Set-up, install, reset, test patch (from `$p`), tests, end marker, reset; exits with the test command's status. */
  body: string;
  /** The hidden test patch, as its heredoc would give it: the grade reads it from stdin into `$p`. */
  testsStdin: string;
}

export interface EvalScript {
  /** The script as the harness writes it to /eval.sh (kept in the run's outputs). */
  text: string;
  run: EvalRun;
  skippedInstall: boolean;
}

/** What an eval script is made of; an InstanceSpec holds these, each read from the row once. */
export interface EvalScriptParts {
  instanceId: string;
  baseCommit: string;
  testPatch: string;
  /** The repo's install re-run, if it has one. */
  install?: string;
  evalCommands: readonly string[];
  testCommand: string;
  repoDir: string;
  skipInstall: boolean;
}

/**
 * The SWE-bench eval script for one instance: show the state, re-run the install step, reset the
 * test files, apply the hidden test patch from a quoted heredoc, run the tests, reset again.
 * Everything that comes from the row is quoted or fed through a quoted heredoc (or stdin).
 */
export function buildEvalScript(instance: TaskInstance, options: { skipInstall?: boolean; repoDir?: string } = {}): EvalScript {
  const spec = resolveRepoSpec(instance);
  const testPatch = instance.test_patch;
  return evalScriptFrom({
    instanceId: instance.instance_id,
    baseCommit: instance.base_commit,
    testPatch,
    ...(spec.install !== undefined ? { install: spec.install } : {}),
    evalCommands: spec.eval_commands,
    testCommand: testCommandFor(instance.repo, testPatch, spec.test_cmd),
    repoDir: options.repoDir ?? '/testbed',
    skipInstall: Boolean(options.skipInstall),
  });
}

export function evalScriptFrom(parts: EvalScriptParts): EvalScript {
  const { repoDir, testPatch } = parts;
  const base = checkedCommit(parts.baseCommit);
  const testFiles = preImagePaths(testPatch).map(shellQuote).join(' ');
  const delimiter = heredocDelimiter(testPatch);
  const reset = testFiles ? [`git checkout ${base} ${testFiles}`] : [];
  // Only `install` is re-run at eval time; `pre_install` belongs to the image build, as in the harness.
  // An ERR trap records a failure anywhere in it (its last command, e.g. `hash -r`, hides the exit code);
  // both markers are no-op lines that `set -x` prints, so the log says how the step went.
  const install =
    parts.install && !parts.skipInstall
      ? [`: '${INSTALL_START}'`, "unset __swe_gym_install; trap '__swe_gym_install=${__swe_gym_install:-$?}' ERR", parts.install, 'trap - ERR', `: "${INSTALL_END} \${__swe_gym_install:-0}"`]
      : [];
  const testPatchBody = testPatch.replace(/\n?$/, '');
  const head = [
    'set -xo pipefail',
    ...ENV_ACTIVATION,
    `cd ${shellQuote(repoDir)}`,
    ...parts.evalCommands,
    `git config --global --add safe.directory ${shellQuote(repoDir)}`,
    `cd ${shellQuote(repoDir)}`,
    'git status',
    'git show',
    `git -c core.fileMode=false diff ${base}`,
    ...ENV_ACTIVATION,
    ...install,
    ...reset,
  ];
  const testCommand = [`: '${TEST_OUTPUT_START}'`, parts.testCommand];
  const tail = [`: '${TEST_OUTPUT_END}'`, ...reset];
  const text = ['#!/bin/bash', ...head, `git apply -v - <<'${delimiter}'`, testPatchBody, delimiter, ...testCommand, ...tail, ''].join('\n');
  const run: EvalRun = {
    // A here-string gives `git apply` the heredoc's bytes, and xtrace prints neither. The status is
    // kept and returned in groups whose trace goes to /dev/null, so the log stays the script's.
    body: [...head, 'git apply -v - <<<"$p"', ...testCommand, `{ ${TEST_STATUS_VAR}=$?; } 2>/dev/null`, ...tail, `{ exit "$${TEST_STATUS_VAR}"; } 2>/dev/null`].join('\n'),
    testsStdin: testPatchBody,
  };
  // The grade's prelude (patch step) comes on top; it is well under 1 KiB.
  if (Buffer.byteLength(run.body) > MAX_ARG_BYTES - 2048) throw new Error(`The eval script of ${parts.instanceId} is too long to pass as one argument (${Buffer.byteLength(run.body)} bytes, at most ${MAX_ARG_BYTES - 2048}).`);
  return { text, run, skippedInstall: Boolean(parts.install) && parts.skipInstall };
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
