/**
 * The Test log's pure parts in plain Node: each test's own section of a real pytest log (captured
 * from pytest 9 on a small failing file), the redaction shown before the tests are revealed, and
 * the install step read back from the eval script's markers (the script's own lines run by bash).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { buildEvalScript } from '../../../src/core/harness/evalScript';
import { installStepOf } from '../../../src/core/harness/installStep';
import { redactLog } from '../../../src/extension/testing/redactLog';
import { failureTexts, headlinesOf } from '../../../src/extension/testing/testLogSections';

const PYTEST_LOG = "============================= test session starts ==============================\nplatform linux -- Python 3.11.7, pytest-9.0.3, pluggy-1.6.0\nbenchmark: 5.2.3 (defaults: timer=time.perf_counter disable_gc=False min_rounds=5 min_time=0.000005 max_time=1.0 calibration_precision=10 warmup=False warmup_iterations=100000)\nrootdir: /tmp/pu-py\nplugins: hypothesis-6.155.2, benchmark-5.2.3\ncollected 5 items\n\ntests/test_align.py F.FFE                                                [100%]\n\n==================================== ERRORS ====================================\n________________________ ERROR at setup of test_fixture ________________________\n\n    @pytest.fixture\n    def broken():\n>       raise RuntimeError(\"fixture broke\")\nE       RuntimeError: fixture broke\n\ntests/test_align.py:19: RuntimeError\n=================================== FAILURES ===================================\n____________________________ TestAlign.test_center _____________________________\n\nself = <test_align.TestAlign object at 0x7f2f1a21f8d0>\n\n    def test_center(self):\n>       assert center(\"ab\", 5) == \" ab  \"\nE       AssertionError: assert 'ab   ' == ' ab  '\nE         \nE         -  ab  \nE         ? -\nE         + ab   \nE         ?     +\n\ntests/test_align.py:8: AssertionError\n________________________________ test_width[3] _________________________________\n\nw = 3\n\n    @pytest.mark.parametrize(\"w\", [3, 4])\n    def test_width(w):\n>       assert len(center(\"ab\", w)) == w + 1\nE       AssertionError: assert 3 == (3 + 1)\nE        +  where 3 = len('ab ')\nE        +    where 'ab ' = center('ab', 3)\n\ntests/test_align.py:15: AssertionError\n________________________________ test_width[4] _________________________________\n\nw = 4\n\n    @pytest.mark.parametrize(\"w\", [3, 4])\n    def test_width(w):\n>       assert len(center(\"ab\", w)) == w + 1\nE       AssertionError: assert 4 == (4 + 1)\nE        +  where 4 = len('ab  ')\nE        +    where 'ab  ' = center('ab', 4)\n\ntests/test_align.py:15: AssertionError\n==================================== PASSES ====================================\n=========================== short test summary info ============================\nPASSED tests/test_align.py::TestAlign::test_left\nERROR tests/test_align.py::test_fixture - RuntimeError: fixture broke\nFAILED tests/test_align.py::TestAlign::test_center - AssertionError: assert '...\nFAILED tests/test_align.py::test_width[3] - AssertionError: assert 3 == (3 + 1)\nFAILED tests/test_align.py::test_width[4] - AssertionError: assert 4 == (4 + 1)\n===================== 3 failed, 1 passed, 1 error in 3.63s =====================\n";

const MYPY_LOG = [
  '=================================== FAILURES ===================================',
  '_________________ testSlotsDefinitionWithStrAndListAndTuple __________________',
  'data: /testbed/test-data/unit/check-slots.test:469:',
  'E   AssertionError: Unexpected type checker output (/testbed/test-data/unit/check-slots.test, line 469)',
  '----------------------------- Captured stderr call -----------------------------',
  'Expected:',
  '  main:3: error: "B" has no attribute "c" (diff)',
  'Actual:',
  '  main:4: error: "B" has no attribute "c" (diff)',
  '',
  'Alignment of first line difference:',
  '  E: main:3: error: "B" has no attribute "c"',
  '=========================== short test summary info ============================',
  'FAILED mypy/test/testcheck.py::TypeCheckSuite::check-slots.test::testSlotsDefinitionWithStrAndListAndTuple',
].join('\n');

const IDS = {
  center: 'tests/test_align.py::TestAlign::test_center',
  left: 'tests/test_align.py::TestAlign::test_left',
  width3: 'tests/test_align.py::test_width[3]',
  width4: 'tests/test_align.py::test_width[4]',
  fixture: 'tests/test_align.py::test_fixture',
};

describe('per-test failure text from a pytest log', () => {
  it('names the heads pytest prints for an id', () => {
    assert.deepEqual(headlinesOf(IDS.center), ['TestAlign.test_center', 'test_center']);
    assert.deepEqual(headlinesOf(IDS.width3), ['test_width[3]']);
  });

  it('gives each failed test its own section, with expected and actual from the assert', () => {
    const texts = failureTexts(PYTEST_LOG, Object.values(IDS));
    const center = texts.get(IDS.center);
    assert.ok(center, 'a section for the class method');
    assert.match(center.text, /def test_center\(self\):/);
    assert.doesNotMatch(center.text, /test_width/, 'no other test\'s section');
    assert.match(center.text, /^FAILED tests\/test_align\.py::TestAlign::test_center - /m, 'its summary line too');
    assert.equal(center.actual, "'ab   '");
    assert.equal(center.expected, "' ab  '");
    const w3 = texts.get(IDS.width3);
    const w4 = texts.get(IDS.width4);
    assert.ok(w3 && w4);
    assert.match(w3.text, /w = 3/);
    assert.doesNotMatch(w3.text, /w = 4/, 'parametrized cases are told apart');
    assert.equal(w4.actual, '4');
    assert.equal(w4.expected, '(4 + 1)');
    assert.match(texts.get(IDS.fixture)?.text ?? '', /fixture broke/, 'an error at setup is its test\'s text');
    assert.equal(texts.has(IDS.left), false, 'a passed test has none');
  });

  it('reads mypy\'s Expected / Actual blocks', () => {
    const id = 'mypy/test/testcheck.py::TypeCheckSuite::check-slots.test::testSlotsDefinitionWithStrAndListAndTuple';
    const t = failureTexts(MYPY_LOG, [id]).get(id);
    assert.ok(t);
    assert.equal(t.expected, 'main:3: error: "B" has no attribute "c"');
    assert.equal(t.actual, 'main:4: error: "B" has no attribute "c"');
  });

  it('finds the section of an id the dataset cut at a space, and not its neighbour\'s', () => {
    const log = [
      '=================================== FAILURES ===================================',
      '_______________________________ test_cells[cjk] ________________________________',
      "E       AssertionError: assert 3 == 99",
      '____________________________ test_cells[cjk mixed] _____________________________',
      "E       AssertionError: assert 9 == 99",
      '___________________________ test_cells[\\u4e2d\\u6587] ___________________________',
      "E       AssertionError: assert 2 == 99",
      '=========================== short test summary info ============================',
      'FAILED tests/test_params.py::test_cells[cjk] - AssertionError: assert 3 == 99',
      'FAILED tests/test_params.py::test_cells[cjk mixed] - AssertionError: assert 9...',
    ].join('\n');
    const cut = 'tests/test_params.py::test_cells[cjk';
    const whole = 'tests/test_params.py::test_cells[cjk]';
    const escaped = 'tests/test_params.py::test_cells[\\u4e2d\\u6587]';
    const texts = failureTexts(log, [cut, whole, escaped]);
    assert.equal(texts.get(cut)?.actual, '9');
    assert.match(texts.get(cut)?.text ?? '', /cjk mixed\] - /);
    assert.equal(texts.get(whole)?.actual, '3');
    assert.equal(texts.get(escaped)?.actual, '2');
  });

  it('falls back to the summary line when there is no section', () => {
    const log = 'FAILED tests/test_x.py::test_a - ValueError: boom\n';
    assert.equal(failureTexts(log, ['tests/test_x.py::test_a']).get('tests/test_x.py::test_a')?.text, 'FAILED tests/test_x.py::test_a - ValueError: boom');
  });
});

describe('the redacted test log', () => {
  const testPatch = 'diff --git a/tests/test_align.py b/tests/test_align.py\n--- a/tests/test_align.py\n+++ b/tests/test_align.py\n@@ -1 +1 @@\n-x\n+def test_center(self): pass\n';
  const evalLog = [
    '+ git checkout 0123abc tests/test_align.py',
    '+ git apply -v -',
    'Checking patch tests/test_align.py...',
    'Applied patch tests/test_align.py cleanly.',
    "+ : '>>>>> Start Test Output'",
    '+ pytest -rA tests/test_align.py',
    PYTEST_LOG,
    "+ : '>>>>> End Test Output'",
  ].join('\n');
  const hidden = { FAIL_TO_PASS: [IDS.center, IDS.width3], PASS_TO_PASS: [IDS.left], testFiles: ['tests/test_align.py'], testPatch };

  it('leaves no hidden test id, name or file, and not the test patch being applied', () => {
    const out = redactLog(evalLog, hidden);
    for (const leak of [IDS.center, IDS.width3, IDS.left, 'test_center', 'TestAlign.test_center', 'test_left', 'tests/test_align.py', 'Applied patch', 'Checking patch']) {
      assert.ok(!out.includes(leak), `${leak} is still in the redacted log`);
    }
    assert.match(out, /‹hidden test 1 of 2 \(FAIL_TO_PASS\)›/);
    assert.match(out, /‹hidden test 1 of 1 \(PASS_TO_PASS\)›/);
    assert.match(out, /the hidden test patch is applied here/);
    assert.match(out, /3 failed, 1 passed, 1 error/, 'the rest of the log stays');
  });

  it('leaves out the test patch body wherever it appears', () => {
    assert.ok(!redactLog(`before\n${testPatch}after`, hidden).includes('+def test_center'));
  });
});

describe('the install step, read from the markers the eval script prints', () => {
  const row = {
    instance_id: 'o__r-1', repo: 'o/r', version: '1', base_commit: '0123abcd', patch: '', test_patch: '', problem_statement: '', hints_text: '', created_at: '',
    FAIL_TO_PASS: [], PASS_TO_PASS: [],
  };
  /** Runs the script's install part (between its markers) in bash with `set -x`, as the container does. */
  function runInstall(install: string): string {
    const lines = buildEvalScript({ ...row, install_cmd: install }).text.split('\n');
    const from = lines.findIndex((l) => l.includes('Start Install Step'));
    const to = lines.findIndex((l) => l.includes('End Install Step'));
    assert.ok(from > 0 && to > from, 'the script marks its install step');
    const script = ['exec 2>&1', 'set -xo pipefail', ...lines.slice(from, to + 1), 'echo after'].join('\n');
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' });
  }

  it('a failing command is seen even when a later one succeeds (mypy ends its install with hash -r)', () => {
    const log = runInstall('python3 -m no_such_module_pip install -e .; hash -r');
    const step = installStepOf(log, { hasInstall: true, skipped: false });
    assert.equal(step.state, 'failed');
    assert.ok(step.state === 'failed' && step.exitCode === 1);
    assert.ok(step.state === 'failed' && /No module named no_such_module_pip/.test(step.tail), step.state === 'failed' ? step.tail : '');
    assert.match(log, /after/, 'the script goes on after a failed install, as the harness does');
  });

  it('a clean install, a skipped one and none', () => {
    assert.equal(installStepOf(runInstall('true; hash -r'), { hasInstall: true, skipped: false }).state, 'ran');
    assert.equal(installStepOf('', { hasInstall: true, skipped: true }).state, 'skipped');
    assert.equal(installStepOf('', { hasInstall: false, skipped: false }).state, 'none');
    assert.equal(buildEvalScript({ ...row, install_cmd: 'make init' }, { skipInstall: true }).text.includes('Install Step'), false);
  });
});
