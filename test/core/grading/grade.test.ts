import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradeBoth, gradeLog, gradeStatusMap, referenceRulesFor } from '../../../src/core/grading/grade';
import type { StatusMap } from '../../../src/core/grading/testStatus';
import { fixtureLog, makeInstance } from './fixtures';

const S3 = 'tests/test_s3/test_s3.py::';

test('pass = PASSED or XFAIL, fail = FAILED, ERROR or missing; f2p/p2p ratios and RESOLVED_PARTIAL', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a', 'b', 'c', 'd'], PASS_TO_PASS: ['p'] });
  const sm: StatusMap = { a: 'PASSED', b: 'XFAIL', c: 'FAILED', p: 'PASSED' };
  const g = gradeStatusMap(inst, sm, 'swe-gym');
  assert.deepEqual(g.tests_status.FAIL_TO_PASS, { success: ['a', 'b'], failure: ['c', 'd'] });
  assert.deepEqual(g.tests_status.PASS_TO_PASS, { success: ['p'], failure: [] });
  assert.deepEqual(g.tests_status.FAIL_TO_FAIL, { success: [], failure: [] });
  assert.equal(g.f2p, 0.5);
  assert.equal(g.p2p, 1);
  assert.equal(g.resolution, 'RESOLVED_PARTIAL');
  assert.equal(g.resolved, false);
  assert.equal(g.rejected, null);
  assert.deepEqual(
    g.tests.map((t) => [t.id, t.status, t.outcome]),
    [
      ['a', 'PASSED', 'success'],
      ['b', 'XFAIL', 'success'],
      ['c', 'FAILED', 'failure'],
      ['d', 'MISSING', 'failure'],
      ['p', 'PASSED', 'success'],
    ],
  );
});

test('a failing PASS_TO_PASS test makes it RESOLVED_NO even with every FAIL_TO_PASS passing', () => {
  const g = gradeStatusMap(makeInstance({ FAIL_TO_PASS: ['a'], PASS_TO_PASS: ['p', 'q'] }), { a: 'PASSED', p: 'PASSED', q: 'ERROR' }, 'swe-gym');
  assert.equal(g.f2p, 1);
  assert.equal(g.p2p, 0.5);
  assert.equal(g.resolution, 'RESOLVED_NO');
});

test('empty test lists give ratios of 1 (RESOLVED_FULL under swe-gym rules)', () => {
  const g = gradeStatusMap(makeInstance(), { x: 'PASSED' }, 'swebench-v4');
  assert.equal(g.f2p, 1);
  assert.equal(g.p2p, 1);
  assert.equal(g.resolved, true);
});

test('all FAIL_TO_PASS skipped: resolved under swe-gym and v4 rules, not under v5', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a', 'b'], PASS_TO_PASS: ['p'] });
  const sm: StatusMap = { a: 'SKIPPED', b: 'SKIPPED', p: 'PASSED' };
  for (const rules of ['swe-gym', 'swebench-v4'] as const) {
    const g = gradeStatusMap(inst, sm, rules);
    assert.equal(g.resolved, true, rules);
    assert.deepEqual(g.tests_status.FAIL_TO_PASS, { success: [], failure: [] });
    assert.equal(g.tests[0]?.outcome, 'skipped');
    assert.match(g.notes.join('\n'), /2 tests skipped/);
  }
  const v5 = gradeStatusMap(inst, sm, 'swebench-v5');
  assert.equal(v5.resolved, false);
  assert.deepEqual(v5.tests_status.FAIL_TO_PASS, { success: [], failure: ['a', 'b'] });
  assert.equal(v5.f2p, 0);
});

test('v5: a skipped PASS_TO_PASS test is maintained; swe-gym drops it out', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'], PASS_TO_PASS: ['p'] });
  const sm: StatusMap = { a: 'PASSED', p: 'SKIPPED' };
  assert.deepEqual(gradeStatusMap(inst, sm, 'swebench-v5').tests_status.PASS_TO_PASS, { success: ['p'], failure: [] });
  assert.deepEqual(gradeStatusMap(inst, sm, 'swe-gym').tests_status.PASS_TO_PASS, { success: [], failure: [] });
});

test('v5 prefix-matches truncated parametrized ids only when "[" outnumbers "]" and matches agree', () => {
  const truncated = 'tests/t.py::test_x[log(photon';
  const full = `${truncated} / m**2 s)]`;
  const inst = makeInstance({ FAIL_TO_PASS: [truncated] });
  const v5 = gradeStatusMap(inst, { [full]: 'PASSED' }, 'swebench-v5');
  assert.equal(v5.resolved, true);
  assert.equal(v5.tests[0]?.matchedId, full);
  assert.match(v5.notes.join('\n'), /truncated id/);
  // Exact matching under the reference rules: the truncated id is missing.
  assert.equal(gradeStatusMap(inst, { [full]: 'PASSED' }, 'swe-gym').resolved, false);
  // PASSED and XFAIL agree; PASSED and FAILED do not.
  const mixedOk = { [`${truncated}1]`]: 'PASSED', [`${truncated}2]`]: 'XFAIL' } as StatusMap;
  assert.equal(gradeStatusMap(inst, mixedOk, 'swebench-v5').resolved, true);
  const conflicting = { [`${truncated}1]`]: 'PASSED', [`${truncated}2]`]: 'FAILED' } as StatusMap;
  assert.equal(gradeStatusMap(inst, conflicting, 'swebench-v5').tests[0]?.outcome, 'failure');
  // Balanced ids never fall back.
  const balanced = makeInstance({ FAIL_TO_PASS: ['t.py::x[case-1]'] });
  assert.equal(gradeStatusMap(balanced, { 't.py::x[case-1-extended]': 'PASSED' }, 'swebench-v5').resolved, false);
});

test('v5 rejects a log that claims no failure while the test command exited non-zero', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const v5 = gradeStatusMap(inst, { a: 'PASSED' }, 'swebench-v5', { testCommandExitCode: 1 });
  assert.equal(v5.resolution, 'RESOLVED_NO');
  assert.equal(v5.resolved, false);
  assert.match(v5.rejected ?? '', /exited 1 while the log shows no failure/);
  // Same evidence: the reference rules grade it but say v5 would not.
  const gym = gradeStatusMap(inst, { a: 'PASSED' }, 'swe-gym', { testCommandExitCode: 1 });
  assert.equal(gym.resolved, true);
  assert.match(gym.notes.join('\n'), /SWE-bench 5 would refuse/);
  // A genuine failure explains the exit code; exit 0 is trusted, and so is a log with no exit-code source.
  assert.equal(gradeStatusMap(inst, { a: 'PASSED', b: 'FAILED' }, 'swebench-v5', { testCommandExitCode: 1 }).rejected, null);
  assert.equal(gradeStatusMap(inst, { a: 'PASSED' }, 'swebench-v5', { testCommandExitCode: 0 }).resolved, true);
  assert.equal(gradeStatusMap(inst, { a: 'PASSED' }, 'swebench-v5').resolved, true);
});

test('v5 fails closed when the exit status should be known and is missing or unreadable (never skips the check)', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const v5 = gradeStatusMap(inst, { a: 'PASSED' }, 'swebench-v5', { testCommandExitCode: null });
  assert.equal(v5.resolved, false);
  assert.match(v5.rejected ?? '', /exit status is missing or unreadable/);
  const gym = gradeStatusMap(inst, { a: 'PASSED' }, 'swe-gym', { testCommandExitCode: null });
  assert.equal(gym.resolved, true, 'the reference rules never looked at it');
  assert.match(gym.notes.join('\n'), /SWE-bench 5 would refuse/);
  const log = '>>>>> Start Test Output\nPASSED a\n>>>>> End Test Output\n';
  assert.equal(gradeLog(inst, log, 'swebench-v5', { testCommandExitCode: null }).resolved, false);
  assert.equal(gradeLog(inst, log, 'swebench-v5').resolved, true, 'a bare log without an exit-code line has nothing to check');
});

test('v5 rejects an empty status map unless the log shows the suite ran', () => {
  const inst = makeInstance();
  assert.notEqual(gradeStatusMap(inst, {}, 'swebench-v5').rejected, null);
  assert.equal(gradeStatusMap(inst, {}, 'swebench-v5', { suiteRan: true }).resolved, true);
  assert.equal(gradeStatusMap(inst, {}, 'swe-gym').resolved, true);
});

test('a non-status value from the log counts neither way and is reported', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'], PASS_TO_PASS: ['p'] });
  const g = gradeStatusMap(inst, { a: 'with', p: 'PASSED' }, 'swe-gym');
  assert.equal(g.tests[0]?.status, 'UNRECOGNIZED');
  assert.equal(g.tests[0]?.rawStatus, 'with');
  assert.equal(g.tests[0]?.outcome, 'skipped');
  assert.equal(g.resolved, true);
  assert.match(g.notes.join('\n'), /non-status value/);
});

test('ids match exactly: no trimming, no case folding, no inherited keys', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a ', 'A', 'constructor', 'toString'] });
  const g = gradeStatusMap(inst, { a: 'PASSED' }, 'swe-gym');
  assert.deepEqual(g.tests_status.FAIL_TO_PASS.failure, ['a ', 'A', 'constructor', 'toString']);
});

test('gradeLog: the SWE-Gym moto fixture, end to end', () => {
  const inst = makeInstance({
    FAIL_TO_PASS: [`${S3}test_put_versioned_object`, `${S3}test_key_with_spaces[my`],
    PASS_TO_PASS: [`${S3}test_create_bucket`, `${S3}test_known_bug`, `${S3}test_flaky_fixed`],
  });
  const g = gradeLog(inst, fixtureLog('swegym-moto-pytest.log'), 'swe-gym');
  assert.equal(g.parser, 'pytest');
  assert.deepEqual(g.logCheck, { ok: true });
  assert.deepEqual(g.tests_status.FAIL_TO_PASS, { success: [`${S3}test_key_with_spaces[my`], failure: [`${S3}test_put_versioned_object`] });
  assert.deepEqual(g.tests_status.PASS_TO_PASS, {
    success: [`${S3}test_create_bucket`, `${S3}test_known_bug`],
    failure: [`${S3}test_flaky_fixed`],
  });
  assert.equal(g.resolution, 'RESOLVED_NO');
});

test('gradeLog rejects logs that fail the pre-parse checks, with the reason', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const g = gradeLog(inst, 'PASSED a\n', 'swe-gym');
  assert.equal(g.resolved, false);
  assert.match(g.rejected ?? '', /applied patch/);
  assert.equal(g.logCheck.ok, false);
  const timedOut = gradeLog(inst, 'Applied patch x\nPASSED a\n>>>>> Tests Timed Out\n', 'swe-gym');
  assert.match(timedOut.rejected ?? '', /Tests Timed Out/);
});

test('gradeLog: a reference-parser crash is an evaluation error under the SWE-Gym rules only', () => {
  const inst = makeInstance({ instance_id: 'pydantic__pydantic-5021', repo: 'pydantic/pydantic', version: '2.0', FAIL_TO_PASS: ['t.py::a'] });
  const log = 'Applied patch t.py cleanly.\n>>>>> Start Test Output\nt.py::a PASSED\nPASSED\n>>>>> End Test Output\n';
  const gym = gradeLog(inst, log, 'swe-gym');
  assert.equal(gym.resolved, false);
  assert.match(gym.rejected ?? '', /raises on this log/);
  assert.equal(gradeLog(inst, log, 'swebench-v5').resolved, true);
});

test('gradeLog (SWE-bench rules): parses between the markers, falls back to the whole log when that is empty', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const inside = 'PASSED a\n>>>>> Start Test Output\nFAILED a\n>>>>> End Test Output\n';
  assert.equal(gradeLog(inst, inside, 'swebench-v4').resolved, false);
  const outside = 'PASSED a\n>>>>> Start Test Output\n>>>>> End Test Output\n';
  assert.equal(gradeLog(inst, outside, 'swebench-v4').resolved, true);
  assert.match(gradeLog(inst, 'PASSED a\n', 'swebench-v4').rejected ?? '', /markers/);
});

test('gradeLog reads the exit code from the log when none is given; an explicit one wins', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const log = '>>>>> Start Test Output\nPASSED a\n>>>>> End Test Output\n>>>>> Test Exit Code: 1\n';
  assert.notEqual(gradeLog(inst, log, 'swebench-v5').rejected, null);
  assert.equal(gradeLog(inst, log, 'swebench-v5', { testCommandExitCode: 0 }).resolved, true);
});

test('gradeBoth: dataset reference rules vs SWE-bench 5, with the disagreement spelled out', () => {
  assert.equal(referenceRulesFor('swe-gym'), 'swe-gym');
  assert.equal(referenceRulesFor('samples'), 'swe-gym');
  assert.equal(referenceRulesFor('swe-bench'), 'swebench-v4');
  const inst = makeInstance({ FAIL_TO_PASS: ['a'], PASS_TO_PASS: ['p'] });
  const log = 'Applied patch x\n>>>>> Start Test Output\nSKIPPED a\nPASSED p\n>>>>> End Test Output\n';
  const both = gradeBoth(inst, log, 'swe-gym');
  assert.equal(both.reference.rules, 'swe-gym');
  assert.equal(both.strict.rules, 'swebench-v5');
  assert.equal(both.reference.resolved, true);
  assert.equal(both.strict.resolved, false);
  assert.equal(both.disagree, true);
  assert.ok(both.differences.some((d) => d.includes('FAIL_TO_PASS a: skipped (SKIPPED) vs failure (SKIPPED)')));
  const agree = gradeBoth(inst, log.replace('SKIPPED a', 'PASSED a'), 'swe-bench');
  assert.equal(agree.reference.rules, 'swebench-v4');
  assert.equal(agree.disagree, false);
  assert.deepEqual(agree.differences, []);
});

test('gradeBoth also takes a status map (graded as is by both rule sets) and a rule set as reference', () => {
  const inst = makeInstance({ FAIL_TO_PASS: ['a'] });
  const both = gradeBoth(inst, { a: 'PASSED' }, 'swebench-v4', { testCommandExitCode: 2 });
  assert.equal(both.reference.rules, 'swebench-v4');
  assert.equal(both.reference.resolved, true);
  assert.equal(both.strict.resolved, false);
  assert.ok(both.differences.some((d) => d.startsWith('only SWE-bench 5 (strict) rejects the log')));
});
