import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execStdio } from '../../src/core/languageServer/execStdio';
import { findInterpreter, serverCommand, serverSettings } from '../../src/core/languageServer/serverLaunch';
import { ensureServerInContainer } from '../../src/core/languageServer/serverUpload';
import type { ContainerHandle } from '../../src/core/runtime/containerRuntime';
import { SAMPLES_PYTHON } from '../../src/core/spec/specPython';
import { BASE_IMAGE, TEST_SESSION } from '../support/docker';
import { testArtifacts } from '../support/languageServer';
import { LspClient } from '../support/lspClient';
import { sshRuntime } from './remoteSupport';

// pytest exists only in the image (Debian's python3-pytest), never on the host side of the test.
const MAIN = ['import pytest', 'from pkg.util import greet', '', 'with pytest.raises(ValueError):', '    pass', 'count: int = greet("a")', ''].join('\n');
const UTIL = 'def greet(name: str) -> str:\n    """Say hello."""\n    return "hi " + name\n';

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
      { path: '/testbed/pkg/util.py', content: UTIL },
      { path: '/testbed/main.py', content: MAIN },
    ]);
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: false }), 'missing', 'no mount, and no copy asked for');
    const t = Date.now();
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: true }), 'copied');
    console.log(`# copied the language server into the container over ssh:// in ${Date.now() - t} ms`);
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: true }), 'present', 'a second start (a reload, a restart) finds the copy by its hash');
    assert.equal(copies, 1, 'copied once');

    const { interpreter } = await findInterpreter(container, SAMPLES_PYTHON);
    let stderr = '';
    const proc = await execStdio(container, serverCommand(artifacts), { cwd: '/testbed', onStderr: (s) => (stderr += s) });
    const client = new LspClient(proc.reader, proc.writer, (s) => serverSettings(s, interpreter, 'basic'));
    await client.initialize('file:///testbed');
    const main = 'file:///testbed/main.py';
    await client.open(main, MAIN);
    const diags = await client.waitForDiagnostics(main, (d) => d.length > 0, 90_000);
    assert.ok(diags.some((d) => d.range.start.line === 5 && /"str" is not assignable to "int"/.test(d.message)), `${JSON.stringify(diags)}\n${stderr}`);
    assert.ok(!diags.some((d) => /could not be resolved/.test(d.message)), 'pytest resolves from the image');
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', main, 3, 15);
    assert.match(hover.contents.value, /Assert that a code block\/function call raises/);
    const defs = await client.request<{ uri?: string; targetUri?: string }[]>('textDocument/definition', main, 3, 15);
    assert.ok(defs.some((d) => /^file:\/\/\/usr\/lib\/python3\/dist-packages\/_?pytest\//.test(d.targetUri ?? d.uri ?? '')), JSON.stringify(defs));
    const local = await client.request<{ uri?: string; targetUri?: string }[]>('textDocument/definition', main, 5, 14);
    assert.deepEqual(local.map((d) => d.targetUri ?? d.uri), ['file:///testbed/pkg/util.py']);
    await proc.kill();
    client.connection.dispose();
  } finally {
    await raw.remove();
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: TEST_SESSION }), [], 'nothing left behind');
});
