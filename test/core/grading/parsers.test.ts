import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getLogParser, parseTestLog } from '../../../src/core/grading/logParsers';
import { sympyFailureHeaderId } from '../../../src/core/grading/parsers/sympy';
import { shortenOptionId } from '../../../src/core/grading/parsers/pytest';
import { fixtureLog } from './fixtures';

// Expected maps were checked against the reference Python parsers (SWE-Gym fork, SWE-bench
// 4.1 and 5) run on the same fixture text.

const S3 = 'tests/test_s3/test_s3.py::';

test('pytest: status-first lines, " - " messages dropped, ids cut at the first space, later lines win', () => {
  const sm = getLogParser('pytest')(fixtureLog('swegym-moto-pytest.log'));
  assert.deepEqual(sm, {
    [`${S3}test_put_versioned_object`]: 'FAILED',
    [`${S3}test_list_objects`]: 'PASSED',
    [`${S3}test_create_bucket`]: 'PASSED',
    [`${S3}test_printing`]: 'PASSED',
    [`${S3}test_key_with_spaces[my`]: 'PASSED',
    '[1]': 'SKIPPED',
    [`${S3}test_known_bug`]: 'XFAIL',
    [`${S3}test_bucket_with_fixture`]: 'ERROR',
    [`${S3}test_copy[src`]: 'FAILED',
  });
});

test("pytest: a test's own printed status lines are overwritten by the summary that follows", () => {
  const sm = getLogParser('pytest')(fixtureLog('swegym-moto-pytest.log'));
  // Printed "PASSED ...test_put_versioned_object" inside FAILURES, summary says FAILED.
  assert.equal(sm[`${S3}test_put_versioned_object`], 'FAILED');
  // Printed "FAILED ...test_list_objects - ..." inside PASSES, summary says PASSED.
  assert.equal(sm[`${S3}test_list_objects`], 'PASSED');
  // XPASS is no status.
  assert.equal(Object.hasOwn(sm, `${S3}test_flaky_fixed`), false);
});

test('pytest: SWE-bench 5 drops the SKIPPED [N] summary key, earlier dialects keep "[1]"', () => {
  const log = fixtureLog('swegym-moto-pytest.log');
  assert.equal(parseTestLog('pytest', log, 'swe-gym').statuses['[1]'], 'SKIPPED');
  assert.equal(parseTestLog('pytest', log, 'swebench-v4').statuses['[1]'], 'SKIPPED');
  assert.equal(Object.hasOwn(parseTestLog('pytest', log, 'swebench-v5').statuses, '[1]'), false);
});

test('pytest: a collection error is keyed by the file path', () => {
  assert.deepEqual(getLogParser('pytest')(fixtureLog('collection-error.log')), { 'tests/test_utils.py': 'ERROR' });
});

test('pytest: a non-status first token is kept raw (the reference stores it) but not as a status', () => {
  const parsed = parseTestLog('pytest', 'ERROR: file or directory not found: tests/x.py\nPASSED a\nPASSED');
  assert.deepEqual(parsed.raw, { file: 'ERROR:', a: 'PASSED' });
  assert.deepEqual(parsed.statuses, { a: 'PASSED' });
});

test('pytest: Python whitespace rules (\\x1c splits, U+FEFF does not) and dict ordering on overwrite', () => {
  const parsed = parseTestLog('pytest', 'PASSED a\x1cb\nPASSED \ufeffc\nFAILED x\nPASSED y\nPASSED x');
  assert.deepEqual(Object.entries(parsed.raw), [
    ['a', 'PASSED'],
    ['\ufeffc', 'PASSED'],
    ['x', 'PASSED'],
    ['y', 'PASSED'],
  ]);
});

test('pytest: test ids such as "constructor" and "__proto__" are ordinary keys', () => {
  const sm = getLogParser('pytest')('PASSED constructor\nFAILED __proto__');
  assert.equal(sm.constructor, 'PASSED');
  assert.deepEqual(Object.keys(sm), ['constructor', '__proto__']);
  assert.equal(sm['__proto__'], 'FAILED');
});

test('pytest_options: absolute path parameters shortened to the last component, // and globs kept', () => {
  assert.deepEqual(getLogParser('pytest_options')(fixtureLog('requests-options.log')), {
    'tests/test_requests.py::test_path_param[/file.txt]': 'PASSED',
    'tests/test_requests.py::test_url[//example.com/a/b]': 'PASSED',
    'tests/test_requests.py::test_glob[/tmp/*/b]': 'PASSED',
    'tests/test_requests.py::test_plain': 'FAILED',
  });
});

test('matplotlib: MouseButton names become their values', () => {
  assert.deepEqual(getLogParser('matplotlib')(fixtureLog('matplotlib.log')), {
    'lib/matplotlib/tests/test_widgets.py::test_span_selector_press[1]': 'PASSED',
    'lib/matplotlib/tests/test_widgets.py::test_span_selector_drag[3]': 'FAILED',
    '[2]': 'SKIPPED',
  });
});

test('pydantic: -vv classic "path::test STATUS" lines, ANSI colours, "FAILED [ 83%]", short summary', () => {
  const log = fixtureLog('pydantic-vv-classic.log');
  const expected = {
    'tests/test_main.py::test_success': 'PASSED',
    'tests/test_main.py::test_ultra_simple_failed': 'FAILED',
    'tests/test_main.py::test_param[a': 'PASSED',
    'tests/test_main.py::test_expected_fail': 'XFAIL',
    'tests/test_main.py::test_bracketed': 'FAILED',
    '[1]': 'SKIPPED',
  };
  assert.deepEqual(getLogParser('pydantic')(log), expected);
  // Without the pydantic tweak the bracketed FAILED line is not read.
  const v2 = getLogParser('pytest_v2', 'swebench-v4')(log);
  assert.equal(Object.hasOwn(v2, 'tests/test_main.py::test_bracketed'), false);
  // The plain parser misses the coloured FAILED summary line entirely.
  assert.equal(Object.hasOwn(getLogParser('pytest')(log), 'tests/test_main.py::test_ultra_simple_failed'), false);
});

test('pydantic / v2 in the SWE-Gym dialect: a lone status word is a reference-parser crash', () => {
  // A tab is deleted, not split on: "x.py::t\tPASSED" becomes one word ending in PASSED.
  const parsed = parseTestLog('pydantic', 'tests/x.py::t PASSED\ntests/x.py::u\tPASSED\n', 'swe-gym');
  assert.equal(parsed.harnessErrors.length, 1);
  assert.match(parsed.harnessErrors[0] ?? '', /^line 2: /);
  assert.deepEqual(parseTestLog('pytest_v2', 'PASSED\n', 'swebench-v4').harnessErrors, []);
});

test('pytest_v2: the reference maps the first token to the second on status-ending lines', () => {
  const parsed = parseTestLog('pytest_v2', 'tests/x.py::t[a b] PASSED\nsome log message that FAILED\n', 'swebench-v4');
  assert.deepEqual(parsed.raw, { 'tests/x.py::t[a': 'b]', some: 'log' });
  assert.deepEqual(parsed.statuses, {});
});

test('pytest_v2 in the SWE-bench 5 dialect keeps ids with spaces and cuts FAILED messages', () => {
  const log = '\x1b[32mPASSED\x1b[0m a.py::t[x y]\nFAILED a.py::u[p q] - Assert - more\nb.py::v[1 2] SKIPPED\nSKIPPED [3] a.py:9: r';
  assert.deepEqual(getLogParser('pytest_v2', 'swebench-v5')(log), {
    'a.py::t[x y]': 'PASSED',
    'a.py::u[p q]': 'FAILED',
    'b.py::v[1 2]': 'SKIPPED',
  });
});

test('django: ok/OK/FAIL/ERROR/skipped, "ok" on a later line, FAIL:/ERROR: headers, interrupted pass', () => {
  const C = '(admin_views.tests.AdminViewBasicTest)';
  assert.deepEqual(getLogParser('django')(fixtureLog('django-runtests.log')), {
    [`test_add_view ${C}`]: 'PASSED',
    [`test_change_view ${C}`]: 'FAILED',
    [`test_delete_view ${C}`]: 'ERROR',
    [`test_history_view ${C}`]: 'SKIPPED',
    [`test_long_output ${C}`]: 'PASSED',
    [`test_upper_ok ${C}`]: 'PASSED',
    [`test_interrupted ${C}`]: 'PASSED',
    test_delete_view: 'ERROR',
    test_change_view: 'FAILED',
  });
});

test('django: the --version special case and the django__django-7188 line', () => {
  const sm = getLogParser('django')(
    'test_version (a.B) ... --version is equivalent to version\n' +
      'Applying sites.0002_alter_domain_unique...test_no_migrations (m.T) ... ok\n',
  );
  assert.equal(sm['--version is equivalent to version'], 'PASSED');
  assert.equal(sm['test_no_migrations (m.T)'], 'PASSED');
});

test('unittest: python -m unittest -v output read like Django (expected failures are not recorded)', () => {
  const T = 'tests.test_slug.SlugTest';
  assert.deepEqual(getLogParser('unittest')(fixtureLog('unittest-verbose.log')), {
    [`test_ascii (${T}.test_ascii)`]: 'PASSED',
    [`test_unicode (${T}.test_unicode)`]: 'FAILED',
    [`test_empty (${T}.test_empty)`]: 'SKIPPED',
    [`test_crash (${T}.test_crash)`]: 'ERROR',
    test_unicode: 'FAILED',
  });
});

test('sympy: ok/F/E lines and failure headers; only the SWE-Gym dialect strips the trailing [FAIL]', () => {
  const log = fixtureLog('sympy-bin-test.log');
  const v4 = getLogParser('sympy', 'swebench-v4')(log);
  assert.deepEqual(v4, {
    'sympy/core/tests/test_basic.py:test_structure': 'FAILED',
    test__aresame: 'PASSED',
    test_structure: 'FAILED',
    test_equality: 'ERROR',
  });
  assert.deepEqual(getLogParser('sympy', 'swe-gym')(log), { ...v4, test_last_one: 'PASSED' });
});

test('seaborn: verbose "id PASSED [..]" and summary lines; skips are not recorded', () => {
  assert.deepEqual(getLogParser('seaborn')(fixtureLog('seaborn.log')), {
    'tests/test_core.py::TestVectorPlotter::test_long': 'PASSED',
    'tests/test_core.py::TestVectorPlotter::test_extra': 'PASSED',
    'tests/test_core.py::TestVectorPlotter::test_wide': 'FAILED',
  });
  assert.equal(parseTestLog('seaborn', 'FAILED\n', 'swebench-v4').harnessErrors.length, 1);
  assert.deepEqual(parseTestLog('seaborn', 'FAILED\n', 'swebench-v5').harnessErrors, []);
});

test('sympy failure headers and option ids read exactly as the reference regexes do', () => {
  assert.equal(sympyFailureHeaderId('______ sympy/core/tests/test_basic.py:test_x _______'), 'sympy/core/tests/test_basic.py:test_x');
  // The id runs to the LAST ".py:" that has a space after it, and on to the last space.
  assert.equal(sympyFailureHeaderId('__ a.py:b c.py:d e f'), 'a.py:b c.py:d e');
  assert.equal(sympyFailureHeaderId('x a.py:t'), undefined);
  assert.equal(sympyFailureHeaderId('a.py:t x'), undefined);
  assert.equal(shortenOptionId('t.py::f[a][/x/y]z'), 't.py::f[a][/x/y]');
  assert.equal(shortenOptionId('t.py::f[/x/y]'), 't.py::f[/y]');
  assert.equal(shortenOptionId('t.py::f]['), 't.py::f][');
});
