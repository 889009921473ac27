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

/**
 * How the script runs: as two `bash -c` processes whose script text is an argument, so nothing a
 * candidate writes in the container can change it while it runs (bash reads a script file as it
 * goes). The first ends with the test command, so the engine's exit code of that exec is the test
 * command's own status; the second prints the end marker and resets the test files. Their output,
 * one after the other, is the log `/bin/bash /eval.sh` would print.
 */
export interface EvalRun {
  /** `bash -c` text: set-up, install, reset, test patch (read from stdin), start marker, tests. */
  tests: string;
  /** What to write on the first exec's stdin: the hidden test patch, as its heredoc would give it. */
  testsStdin: string;
  /** `bash -c` text: end marker and the reset after the tests. */
  reset: string;
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
    // stdin is read whole before anything runs (xtrace is still off, so the log does not show it);
    // a here-string then gives `git apply` the heredoc's bytes, and xtrace prints neither.
    tests: ['exec 2>&1', 'p=$(cat; printf x); p=${p%x}', ...head, 'git apply -v - <<<"$p"', ...testCommand].join('\n'),
    testsStdin: testPatchBody,
    reset: ['exec 2>&1', 'set -xo pipefail', ...tail].join('\n'),
  };
  for (const part of [run.tests, run.reset]) {
    if (Buffer.byteLength(part) > MAX_ARG_BYTES) throw new Error(`The eval script of ${parts.instanceId} is too long to pass as one argument (${Buffer.byteLength(part)} bytes, at most ${MAX_ARG_BYTES}).`);
  }
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
