import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { buildEvalScript } from '../../../src/core/harness/evalScript';

const testPatch = ['diff --git a/conans/test/x_test.py b/conans/test/x_test.py', '--- a/conans/test/x_test.py', '+++ b/conans/test/x_test.py', '@@ -1 +1 @@', '-a', '+b', ''].join('\n');

function conanRow(extra: Partial<TaskInstance> = {}): TaskInstance {
  return {
    instance_id: 'conan-io__conan-13403', repo: 'conan-io/conan', version: '2.0', base_commit: '55163679ad1fa933f671ddf186e53b92bf39bbdb',
    patch: '', test_patch: testPatch, problem_statement: '', hints_text: '', created_at: '', FAIL_TO_PASS: [], PASS_TO_PASS: [], ...extra,
  };
}

test('the eval script has the harness order: env, eval commands, state, install, reset, test patch, tests, reset', () => {
  const { text } = buildEvalScript(conanRow());
  const lines = text.split('\n');
  const at = (needle: string) => lines.findIndex((l) => l.startsWith(needle) || (needle.includes('pip install') && l.includes(needle)));
  const order = [
    'set -xo pipefail', 'source /opt/miniconda3/bin/activate', 'cd /testbed', 'export PYTHONPATH=${PYTHONPATH:-}:$(pwd)',
    'git config --global --add safe.directory /testbed', 'git status', 'git show', 'git -c core.fileMode=false diff 55163679',
    'python -m pip install -r conans/requirements.txt', 'git checkout 55163679ad1fa933f671ddf186e53b92bf39bbdb conans/test/x_test.py',
    "git apply -v - <<'EOF_114329324912'", "pytest -n0 -rA conans/test/x_test.py",
  ].map(at);
  assert.ok(order.every((i) => i >= 0), `all present: ${order}`);
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'in the harness order');
  assert.ok(!text.includes('apt-get'), 'pre_install belongs to the image build, not the eval script');
  assert.equal(lines.filter((l) => l.startsWith('git checkout 5516')).length, 2, 'test files reset before and after');
});

test('--skip-install drops the install re-run and says so', () => {
  const skipped = buildEvalScript(conanRow(), { skipInstall: true });
  assert.equal(skipped.skippedInstall, true);
  assert.ok(!skipped.text.includes('pip install'));
  assert.equal(buildEvalScript(conanRow()).skippedInstall, false);
});

test('nothing from the row reaches the shell unquoted', () => {
  assert.throws(() => buildEvalScript(conanRow({ base_commit: 'HEAD; rm -rf /' })), /not a commit hash/);
  const hostile = testPatch.replace(/conans\/test\/x_test\.py/g, 'tests/$(touch pwned).py');
  const { text } = buildEvalScript(conanRow({ test_patch: hostile }));
  assert.match(text, /git checkout 55163679ad1fa933f671ddf186e53b92bf39bbdb 'tests\/\$\(touch pwned\)\.py'/);
  const delimiterInPatch = `${testPatch}EOF_114329324912\n`;
  const d = buildEvalScript(conanRow({ test_patch: delimiterInPatch })).text;
  const heredoc = /git apply -v - <<'(EOF_[0-9a-f]+)'/.exec(d)?.[1];
  assert.ok(heredoc && heredoc !== 'EOF_114329324912', 'a delimiter inside the patch is never used to end the heredoc');
});

test('the script runs from memory: the test command’s status is the exit status, the hidden test patch goes on stdin, nothing names a file', () => {
  const big = testPatch + ['diff --git a/conans/test/big_test.py b/conans/test/big_test.py', '--- a/conans/test/big_test.py', '+++ b/conans/test/big_test.py', '@@ -1 +1,5000 @@', ...Array.from({ length: 5000 }, (_, i) => `+x${i} = ${'1'.repeat(60)}`), ''].join('\n');
  const { run, text } = buildEvalScript(conanRow({ test_patch: big }));
  assert.ok(Buffer.byteLength(big) > 256 * 1024, 'a test patch over the 128 KiB argument limit');
  assert.ok(Buffer.byteLength(run.body) < 4096, 'the test patch is not in the argument');
  const lines = run.body.split('\n');
  const tests = lines.indexOf('pytest -n0 -rA conans/test/x_test.py conans/test/big_test.py');
  assert.deepEqual(lines.slice(tests + 1), ['{ __swe_gym_tests=$?; } 2>/dev/null', ": '>>>>> End Test Output'", 'git checkout 55163679ad1fa933f671ddf186e53b92bf39bbdb conans/test/x_test.py conans/test/big_test.py', '{ exit "$__swe_gym_tests"; } 2>/dev/null'], 'the exec exit status is the test command’s, kept untraced through the end marker and the reset');
  assert.equal(`${run.testsStdin}\n`, big, 'stdin plus the here-string newline is the heredoc body');
  for (const part of [run.body, text]) assert.doesNotMatch(part, /\/eval\.sh|swe-gym-test-exit|"\$\?"/, 'no status file, no script file');
});
