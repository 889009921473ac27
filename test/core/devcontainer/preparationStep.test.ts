import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPreparation } from '../../../src/core/devcontainer/preparationStep';
import { isAbortError } from '../../../src/core/util/abortError';
import { withContainer } from '../../support/docker';

test("a preparation step cancelled is the launch's cancel (never a failure), and a failed one names its command and output", async () => {
  await withContainer(async (c) => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(runPreparation(c, ['sleep', '30'], 'Preparing the dev container', ac.signal), (err: unknown) => {
      assert.ok(isAbortError(err), `an AbortError, not ${String(err)}`);
      assert.equal((err as Error).message, 'Launch was cancelled');
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'the cancel ends the command');
    await assert.rejects(runPreparation(c, ['sh', '-c', 'echo no such folder >&2; exit 3', 'ignored'], 'Preparing the synced workspace'), /^Error: Preparing the synced workspace failed \(`sh -c echo no such folder >&2; exit 3`\): no such folder$/);
  });
});
