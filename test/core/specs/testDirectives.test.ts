import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildTestCommand, testDirectives } from '../../../src/core/harness/specs/testDirectives';
import { shellDoubleQuoteIfInert, shellQuote } from '../../../src/core/util/shellQuote';
import { makeInstance } from '../grading/fixtures';

function diff(...paths: string[]): string {
  return paths.map((p) => `diff --git a/${p} b/${p}\nindex 1..2 100644\n--- a/${p}\n+++ b/${p}\n@@ -1 +1 @@\n-a\n+b\n`).join('');
}

test('directives: every b/ path minus non-test endings ("csv" without a dot, as the harness)', () => {
  const inst = makeInstance({ test_patch: diff('tests/test_a.py', 'tests/data/x.json', 'tests/fixtures/foo_csv', 'README.md', 'tests/conftest.py', 'pyproject.toml', 'tests/snap.yml') });
  assert.deepEqual(testDirectives(inst), ['tests/test_a.py', 'tests/conftest.py']);
  assert.equal(buildTestCommand(inst), 'pytest -n0 -rA tests/test_a.py tests/conftest.py');
});

test('a renamed file contributes its new path; the greedy pattern takes the last " b/"', () => {
  const inst = makeInstance({ test_patch: 'diff --git a/tests/old.py b/tests/new.py\nsimilarity index 90%\n' });
  assert.deepEqual(testDirectives(inst), ['tests/new.py']);
});

test('MONAI keeps its trailing space: two spaces before the first path, as in the harness', () => {
  const inst = makeInstance({ instance_id: 'Project-MONAI__MONAI-1010', repo: 'Project-MONAI/MONAI', version: '0.5', test_patch: diff('tests/test_x.py') });
  assert.equal(buildTestCommand(inst), 'pytest -rA  tests/test_x.py');
});

test('django: paths become module names', () => {
  const inst = makeInstance({
    instance_id: 'django__django-11099',
    repo: 'django/django',
    version: '3.0',
    test_patch: diff('tests/auth_tests/test_validators.py', 'tests/admin_views/models.py', 'django/contrib/x.py'),
  });
  assert.deepEqual(testDirectives(inst), ['auth_tests.test_validators', 'admin_views.models', 'django.contrib.x']);
  assert.equal(
    buildTestCommand(inst),
    './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 auth_tests.test_validators admin_views.models django.contrib.x',
  );
});

test('sympy: paths as they are', () => {
  const inst = makeInstance({ instance_id: 'sympy__sympy-20590', repo: 'sympy/sympy', version: '1.7', test_patch: diff('sympy/core/tests/test_basic.py') });
  assert.equal(buildTestCommand(inst), "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose sympy/core/tests/test_basic.py");
});

test('mypy: a double-quoted -k expression of every [case NAME] in the test patch', () => {
  const testPatch =
    'diff --git a/test-data/unit/check-classes.test b/test-data/unit/check-classes.test\n' +
    '@@ -10,6 +10,12 @@\n [case testExisting]\n+[case testNewOne]\n+[case testNewTwo-xfail]\n-[case testRemoved]\n';
  const inst = makeInstance({ instance_id: 'python__mypy-15050', repo: 'python/mypy', version: '1.4', test_patch: testPatch });
  assert.deepEqual(testDirectives(inst), ['testExisting or testNewOne or testNewTwo-xfail or testRemoved']);
  assert.equal(buildTestCommand(inst), 'pytest -n0 -rA -k "testExisting or testNewOne or testNewTwo-xfail or testRemoved"');
  const newer = makeInstance({ instance_id: 'python__mypy-16000', repo: 'python/mypy', version: '1.8', test_patch: '' });
  assert.equal(buildTestCommand(newer), 'pytest -rA -k ""');
});

test('shellQuote: safe words unchanged, everything else single-quoted', () => {
  assert.equal(shellQuote('tests/test_a.py'), 'tests/test_a.py');
  assert.equal(shellQuote('a-b_c.d:e,f=g+h@i%j'), 'a-b_c.d:e,f=g+h@i%j');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellDoubleQuoteIfInert('a or b'), '"a or b"');
  assert.equal(shellDoubleQuoteIfInert('a $(x)'), "'a $(x)'");
});

test('hostile paths and case names reach pytest as literal words and execute nothing (real bash)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swegym-quote-'));
  try {
    const marker = path.join(dir, 'pwned');
    const hostile = [`tests/$(touch ${marker}).py`, `tests/a;touch ${marker};.py`, "tests/it's `touch " + marker + '`.py', 'tests/*.py', 'tests/a b.py'];
    const inst = makeInstance({ test_patch: diff(...hostile) });
    // Replace the test runner with printf to see the argv bash hands it.
    const cmd = buildTestCommand(inst).replace(/^pytest -n0 -rA /, "printf '%s\\0' ");
    const out = execFileSync('/bin/bash', ['-c', cmd], { cwd: dir }).toString();
    assert.deepEqual(out.split('\0').slice(0, -1), hostile);
    assert.equal(fs.existsSync(marker), false, 'a command substitution ran');

    const mypy = makeInstance({ repo: 'python/mypy', version: '1.8', test_patch: `[case testA]\n[case $(touch ${marker})]\n` });
    const k = buildTestCommand(mypy).replace(/^pytest -rA -k /, "printf '%s\\0' ");
    assert.deepEqual(execFileSync('/bin/bash', ['-c', k], { cwd: dir }).toString().split('\0').slice(0, -1), [`testA or $(touch ${marker})`]);
    assert.equal(fs.existsSync(marker), false, 'a command substitution ran');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
