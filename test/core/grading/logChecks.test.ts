import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLog, extractTestSection, parseTestExitCode, suiteRanEvidence } from '../../../src/core/grading/logChecks';
import { fixtureLog } from './fixtures';

test('SWE-Gym check: "applied patch" in any case is required', () => {
  assert.deepEqual(checkLog('Checking patch a.py...\nApplied patch a.py cleanly.\n'), { ok: true });
  assert.deepEqual(checkLog('APPLIED PATCH'), { ok: true });
  const r = checkLog('error: patch failed: a.py:1\n');
  assert.equal(r.ok, false);
});

test('SWE-Gym check: each failure marker, and the fork-only reset message, rejects the log', () => {
  for (const marker of ['>>>>> Patch Apply Failed', '>>>>> Reset Failed', '>>>>> Tests Errored', '>>>>> Tests Timed Out', 'Failed to reset task environment']) {
    const r = checkLog(`Applied patch x\n${marker}\n`, 'swe-gym');
    assert.deepEqual(r, { ok: false, reason: `the log contains "${marker}"` });
  }
  // SWE-bench does not look for the reset message.
  assert.deepEqual(checkLog('>>>>> Start Test Output\nFailed to reset task environment\n>>>>> End Test Output', 'swebench-v4'), { ok: true });
});

test('SWE-bench check: markers required, "applied patch" not', () => {
  assert.deepEqual(checkLog('>>>>> Start Test Output\nPASSED a\n>>>>> End Test Output\n', 'swebench-v5'), { ok: true });
  const r = checkLog('Applied patch x\nPASSED a\n', 'swebench-v4');
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /Start Test Output/);
});

test('extractTestSection: SWE-bench slices between the first markers, SWE-Gym keeps the whole log', () => {
  const log = 'before\n+ : \'>>>>> Start Test Output\'\nmiddle\n+ : \'>>>>> End Test Output\'\nafter\n';
  assert.equal(extractTestSection(log, 'swebench-v4'), "'\nmiddle\n+ : '");
  assert.equal(extractTestSection(log, 'swe-gym'), log);
  assert.equal(extractTestSection('no markers', 'swebench-v5'), 'no markers');
  assert.equal(extractTestSection('a\n>>>>> Applied Patch (pred)\nb\n>>>>> Applied Patch (pred)\nc', 'swe-gym'), '\nc');
  const django = extractTestSection(fixtureLog('django-runtests.log'), 'swebench-v4');
  assert.ok(django.includes('Ran 7 tests') && !django.includes('Applied patch'));
});

test('parseTestExitCode reads the first ">>>>> Test Exit Code: N"', () => {
  assert.equal(parseTestExitCode('x\n>>>>> Test Exit Code: 137\n>>>>> Test Exit Code: 0\n'), 137);
  assert.equal(parseTestExitCode('>>>>> Test Exit Code:-1'), -1);
  assert.equal(parseTestExitCode('nothing'), null);
});

test('suiteRanEvidence: non-zero runner summaries only', () => {
  assert.equal(suiteRanEvidence('Executed 12 of 40 SUCCESS'), true);
  assert.equal(suiteRanEvidence('Chrome: Executed 0 of 0 DISCONNECTED'), false);
  assert.equal(suiteRanEvidence('658 specs, 0 failures'), true);
  assert.equal(suiteRanEvidence('case one\': ok\nnext'), true);
  assert.equal(suiteRanEvidence('=== 3 passed in 0.1s ==='), false);
});
