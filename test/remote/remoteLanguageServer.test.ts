import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findInterpreter } from '../../src/core/languageServer/serverLaunch';
import { ensureServerInContainer } from '../../src/core/languageServer/serverUpload';
import type { ContainerHandle } from '../../src/core/runtime/containerRuntime';
import { SAMPLES_PYTHON } from '../../src/core/spec/specPython';
import { BASE_IMAGE, TEST_SESSION } from '../support/docker';
import { testArtifacts } from '../support/languageServer';
import { probeServer, PROBE_MAIN, PROBE_UTIL } from '../support/lspProbe';
import { sshRuntime } from './remoteSupport';

test('on an ssh:// engine (nothing of this host mounted) the language server is copied into the container once, then answers diagnostics, hover and definition from the image', async () => {
  const runtime = sshRuntime();
  const artifacts = await testArtifacts(await runtime.engineArchitecture());
  const raw = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: TEST_SESSION, workingDir: '/testbed' });
  let copies = 0;
  const container = new Proxy(raw, {
    get: (t, k: keyof ContainerHandle) => (k === 'copyIn' ? (...a: Parameters<ContainerHandle['copyIn']>) => (copies++, t.copyIn(...a)) : typeof t[k] === 'function' ? (t[k] as (...x: unknown[]) => unknown).bind(t) : t[k]),
  });
  try {
    await container.putFiles([
      { path: '/testbed/pkg/__init__.py', content: '' },
      { path: '/testbed/pkg/util.py', content: PROBE_UTIL },
      { path: '/testbed/main.py', content: PROBE_MAIN },
    ]);
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: false }), 'missing', 'no mount, and no copy asked for');
    const t = Date.now();
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: true }), 'copied');
    console.log(`# copied the language server into the container over ssh:// in ${Date.now() - t} ms`);
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: true }), 'present', 'a second start (a reload, a restart) finds the copy by its hash');
    assert.equal(copies, 1, 'copied once');

    const { interpreter } = await findInterpreter(container, SAMPLES_PYTHON);
    const { proc, client } = await probeServer(container, artifacts, interpreter);
    await proc.kill();
    client.connection.dispose();
  } finally {
    await raw.remove();
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left behind');
});
