import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { evaluateInstance } from '../../src/core/harness/evaluateInstance';
import { runtime, TEST_SESSION } from '../support/docker';
import { pytestSample, sampleSpec } from '../support/samples';

// Stops the real dockerd in the middle of an evaluation, so this tier runs alone, last.
const repoRoot = path.resolve(__dirname, '..', '..', '..');

function stopDockerd(): void {
  execFileSync('pkill', ['-TERM', '-x', 'dockerd']);
}

test('Docker stopping mid-run gives a clear error, and no container of ours survives the restart', async () => {
  const inst = await pytestSample();
  const hang = ['diff --git a/conftest.py b/conftest.py', 'new file mode 100644', '--- /dev/null', '+++ b/conftest.py', '@@ -0,0 +1,2 @@', '+import time', '+time.sleep(3600)', ''].join('\n');
  let stopped = false;
  const result = await evaluateInstance(runtime, await sampleSpec(inst), hang, {
    sessionId: TEST_SESSION,
    timeoutSeconds: 120,
    onProgress: (m) => {
      if (m === 'Running the hidden tests' && !stopped) {
        stopped = true;
        setTimeout(stopDockerd, 1500);
      }
    },
  });
  assert.ok(stopped, 'the engine was stopped during the test run');
  assert.equal(result.status, 'error');
  assert.match(result.error ?? '', /Docker engine is not reachable|gone or not running/);
  // Bring the engine back the way the project's own setup does (it waits for the old one to exit).
  await new Promise<void>((resolve, reject) => {
    const p = spawn('bash', [path.join(repoRoot, 'scripts/lib/ensure-docker.sh')], { stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ensure-docker exited ${code}`))));
  });
  // Auto-removed containers are cleaned up by the engine once it is back.
  let left = await runtime.listOurContainers({ sessionId: TEST_SESSION });
  for (let i = 0; i < 50 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 200));
    left = await runtime.listOurContainers({ sessionId: TEST_SESSION });
  }
  assert.deepEqual(left.map((c) => c.name), []);
});
