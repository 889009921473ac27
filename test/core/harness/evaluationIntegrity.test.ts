// What a hostile candidate can do to the grader's own plumbing, and failures of ours: each case is
// a real evaluation of a bundled sample in a real container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { evaluateInstance, type EvaluateOptions } from '../../../src/core/harness/evaluateInstance';
import { harnessReport } from '../../../src/core/harness/reportFiles';
import { ensureImage } from '../../../src/core/images/ensureImage';
import { applyCandidatePatch } from '../../../src/core/patch/applyPatch';
import { preImagePaths } from '../../../src/core/patch/patchPaths';
import { runtime, TEST_SESSION } from '../../support/docker';
import { pytestSample, sampleSpec } from '../../support/samples';

const opts = async (extra: Partial<EvaluateOptions> = {}): Promise<EvaluateOptions> => ({ sessionId: TEST_SESSION, ...extra });

/** A patch adding conftest.py with these Python lines. */
function conftest(lines: string[]): string {
  return ['diff --git a/conftest.py b/conftest.py', 'new file mode 100644', '--- /dev/null', '+++ b/conftest.py', `@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`), ''].join('\n');
}

/** Prints the PASSED lines the parser looks for, after pytest's own summary (later lines win). */
function fakePassedLines(inst: TaskInstance): string[] {
  return ['def pytest_unconfigure(config):', ...[...inst.FAIL_TO_PASS, ...inst.PASS_TO_PASS].map((t) => `    print(${JSON.stringify(`PASSED ${t}`)}, flush=True)`)];
}

test('the exit status comes from the engine: making the status file a directory or rewriting the running script does not fool SWE-bench 5', async () => {
  const inst = await pytestSample();
  // Both attacks worked when the script was /eval.sh and the status a file it named.
  const directory = conftest([
    'import os, re',
    'try:',
    "    for p in re.findall(r'> (/tmp/[^ \\n]+)', open('/eval.sh').read()): os.makedirs(p, exist_ok=True)",
    'except OSError:',
    '    pass',
    ...fakePassedLines(inst),
  ]);
  const rewrite = conftest([
    ...fakePassedLines(inst),
    '    try:',
    "        s = open('/eval.sh').read()",
    '    except OSError:',
    '        return',
    // Same length, so the offset bash reads from next still lines up.
    "    open('/eval.sh', 'r+').write(s.replace('\"$?\"', '0   '))",
  ]);
  for (const [what, patch] of [['status file made a directory', directory], ['running script rewritten', rewrite]] as const) {
    const r = await evaluateInstance(runtime, await sampleSpec(inst), patch, await opts());
    assert.equal(r.testExitCode, 1, `${what}: pytest failed, and the engine says so`);
    assert.equal(r.grade?.strict.resolved, false, `${what}: SWE-bench 5 is not fooled`);
    assert.match(r.grade?.strict.rejected ?? '', /exited 1 while the log shows no failure/, what);
    assert.equal(r.grade?.reference.resolved, true, `${what}: the SWE-Gym rules take printed PASSED lines, as the harness does`);
    assert.equal(r.grade?.disagree, true, what);
  }
});

test('output over the cap is an infrastructure failure named as such, never a plain 0; under the cap the same run grades normally', async () => {
  const inst = await pytestSample();
  // A plugin that prints 20 MB before the tests run (the summary would be cut off).
  const noisy = `${inst.patch}${conftest(['import sys', 'def pytest_configure(config):', "    sys.stdout.write(('x' * 1023 + '\\n') * 20 * 1024)", '    sys.stdout.flush()'])}`;
  const cut = await evaluateInstance(runtime, await sampleSpec(inst), noisy, await opts());
  assert.equal(cut.status, 'error', cut.error);
  assert.equal(cut.infraFailure, 'output_truncated');
  assert.match(cut.error ?? '', /Infrastructure failure \(test output over the cap\).*16 MiB/);
  const entry = harnessReport(cut)[inst.instance_id] as Record<string, unknown>;
  assert.equal(entry.infra_failure, true);
  assert.match(String(entry.infra_failure_reason), /16 MiB/);
  const roomy = await evaluateInstance(runtime, await sampleSpec(inst), noisy, await opts({ maxOutputBytes: 32 * 1024 * 1024 }));
  assert.equal(roomy.status, 'resolved', `${roomy.error ?? ''}\n${roomy.testLog.slice(-1500)}`);
});

/** Removes the session's eval container as soon as `file` exists in it (within 120 s); true if it did. */
async function removeOnceFileExists(sessionId: string, file: string): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const [c] = await runtime.listOurContainers({ sessionId, purpose: 'eval' });
    if (!c) continue;
    const there = await runtime.getContainer(c.id).exec(['test', '-e', file]).catch(() => undefined);
    if (there?.exitCode !== 0) continue;
    await runtime.removeContainer(c.id);
    return true;
  }
  return false;
}

test('a container removed while the tests run is an infrastructure failure (container lost), not unresolved', async () => {
  const inst = await pytestSample();
  const sessionId = `${TEST_SESSION}-lost`;
  const sleepy = `${inst.patch}${conftest(['import time', 'def pytest_sessionstart(session):', "    open('/tmp/in-tests', 'w').close()", '    time.sleep(120)'])}`;
  const running = evaluateInstance(runtime, await sampleSpec(inst), sleepy, await opts({ sessionId }));
  const removed = await removeOnceFileExists(sessionId, '/tmp/in-tests');
  assert.ok(removed, 'the tests started');
  const r = await running;
  assert.equal(r.status, 'error', `${r.status}: ${r.error ?? ''} exit ${r.testExitCode}\n${r.testLog.slice(-1500)}`);
  assert.equal(r.infraFailure, 'container_lost', r.error);
  assert.match(r.error ?? '', /Infrastructure failure \(container lost during the tests\)/);
  assert.equal(r.resolved, false);
  assert.equal(r.grade, undefined, 'nothing was graded');
});

test('a missing end marker (the container lost right after the test command) is an infrastructure failure, even for gold', async () => {
  const inst = await pytestSample();
  const sessionId = `${TEST_SESSION}-after`;
  // Gold's tests pass and pytest prints its summary; then, before the shell prints the end marker,
  // the engine really loses the container (removed here while the test process lingers).
  const lingering = `${inst.patch}${conftest(['import time', 'def pytest_unconfigure(config):', "    open('/tmp/tests-done', 'w').close()", '    time.sleep(120)'])}`;
  const running = evaluateInstance(runtime, await sampleSpec(inst), lingering, await opts({ sessionId }));
  const removed = await removeOnceFileExists(sessionId, '/tmp/tests-done');
  assert.ok(removed, 'the tests finished');
  const r = await running;
  assert.equal(r.status, 'error', `${r.status}: ${r.error ?? ''}`);
  assert.equal(r.infraFailure, 'container_lost', r.error);
  assert.equal(r.resolved, false, 'gold, yet no reward from an incomplete log');
  assert.equal(r.grade, undefined, 'nothing was graded');
});

test('a candidate that kills the shell before it prints the end marker gets its log graded as it is, not an infrastructure failure', async () => {
  const inst = await pytestSample();
  // After the tests, the candidate kills the grade's shell (the test command's parent): no end
  // marker, no reset, the container alive. (Replacing /usr/bin/bash no longer does anything: the
  // whole grade runs in one shell started before any candidate code.)
  const saboteur = `${inst.patch}${conftest(['import os, signal', 'def pytest_unconfigure(config):', '    os.kill(os.getppid(), signal.SIGKILL)'])}`;
  const r = await evaluateInstance(runtime, await sampleSpec(inst), saboteur, await opts());
  assert.equal(r.infraFailure, undefined, r.error);
  assert.equal(r.status, 'resolved', 'the SWE-Gym rules need no markers: gold passed its tests');
  assert.doesNotMatch(r.testLog, />>>>> End Test Output/);
  assert.ok(typeof r.testExitCode === 'number' && r.testExitCode !== 0, `the status is the killed shell’s, not a success (${r.testExitCode})`);
  assert.ok(r.warnings.some((w) => /no end-of-tests marker while the container still runs/.test(w)), r.warnings.join('\n'));
  assert.match(r.grade?.strict.rejected ?? '', /markers/, 'SWE-bench rules require both markers: unresolved there, with the reason');
});

test('a candidate printing ">>>>> Tests Errored" gets an unresolved verdict with the reason, not an infrastructure failure', async () => {
  const inst = await pytestSample();
  const r = await evaluateInstance(runtime, await sampleSpec(inst), conftest(['def pytest_unconfigure(config):', "    print('>>>>> Tests Errored', flush=True)"]), await opts());
  assert.equal(r.status, 'unresolved', r.error);
  assert.equal(r.infraFailure, undefined);
  assert.match(r.error ?? '', /rejected.*Tests Errored/);
  const entry = harnessReport(r)[inst.instance_id] as Record<string, unknown>;
  assert.equal(entry.infra_failure, false);
  assert.equal(entry.infra_failure_reason, null);
});

test('a candidate edit to a file the hidden test patch touches is lost to the reset before the tests run', async () => {
  const inst = await pytestSample();
  const [testFile] = preImagePaths(inst.test_patch);
  assert.ok(testFile, 'the test patch edits an existing test file');
  // gold + a test appended to that file, taken with git diff in a container of the image.
  const { image } = await ensureImage(runtime, (await sampleSpec(inst)).image);
  const c = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION });
  let candidate: string;
  try {
    assert.equal((await applyCandidatePatch(c, inst.patch, 'swe-gym')).applied, true);
    const edit = await c.exec(['/bin/sh', '-c', 'printf "\\n\\ndef test_candidate_edit_survived():\\n    pass\\n" >> "$0" && git diff', testFile], { cwd: '/testbed' });
    assert.equal(edit.exitCode, 0, edit.output);
    candidate = edit.stdout;
  } finally {
    await c.remove();
  }
  assert.match(candidate, /test_candidate_edit_survived/);
  const r = await evaluateInstance(runtime, await sampleSpec(inst), candidate, await opts());
  assert.equal(r.status, 'resolved', `${r.error ?? ''}\n${r.testLog.slice(-2000)}`);
  const testSection = r.testLog.slice(r.testLog.indexOf('>>>>> Start Test Output'));
  assert.doesNotMatch(testSection, /test_candidate_edit_survived/, 'the edit was reset before the hidden tests ran');
});

test('the log is the one `/bin/bash /eval.sh` gives with the recorded script, byte for byte but for timings', async () => {
  const inst = await pytestSample();
  const r = await evaluateInstance(runtime, await sampleSpec(inst), inst.patch, await opts());
  assert.equal(r.status, 'resolved', r.error);
  assert.ok(r.evalScript);
  const { image } = await ensureImage(runtime, (await sampleSpec(inst)).image);
  const c = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION });
  try {
    assert.equal((await applyCandidatePatch(c, inst.patch, 'swe-gym')).applied, true);
    await c.putFile('/eval.sh', r.evalScript, 0o755);
    const harness = await c.exec(['/bin/bash', '-c', '/bin/bash /eval.sh 2>&1']);
    const untimed = (s: string) => s.replace(/ in \d+\.\d+s/g, ' in Ns');
    assert.equal(untimed(r.testLog), untimed(harness.output));
  } finally {
    await c.remove();
  }
});
