import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { artifactsBind, findInterpreter, serverCommand, serverMounted } from '../../../src/core/languageServer/serverLaunch';
import { ensureServerInContainer } from '../../../src/core/languageServer/serverUpload';
import { CONDA_TESTBED_PYTHON, SAMPLES_PYTHON } from '../../../src/core/spec/specPython';
import { BASE_IMAGE, runtime, TEST_SESSION } from '../../support/docker';
import { testArtifacts } from '../../support/languageServer';
import { probeServer, PROBE_MAIN, PROBE_MAIN_URI, PROBE_UTIL } from '../../support/lspProbe';

test('pyright runs in the container through exec stdio: diagnostics, hover and definition from the image, and the process dies with a kill', async () => {
  const artifacts = await testArtifacts();
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-ws-'));
  fs.mkdirSync(path.join(ws, 'pkg'));
  fs.writeFileSync(path.join(ws, 'pkg', '__init__.py'), '');
  fs.writeFileSync(path.join(ws, 'pkg', 'util.py'), PROBE_UTIL);
  fs.writeFileSync(path.join(ws, 'main.py'), PROBE_MAIN);
  // The same mounts a dev container gets: the workspace read-write (so the confinement applies), the artifacts read-only.
  const container = await runtime.createContainer({
    image: BASE_IMAGE,
    purpose: 'test',
    sessionId: TEST_SESSION,
    workingDir: '/testbed',
    binds: [{ hostPath: ws, containerPath: '/testbed' }, artifactsBind(artifacts)],
  });
  try {
    assert.ok(await serverMounted(container, artifacts));
    assert.equal(await ensureServerInContainer(container, artifacts, { copy: true }), 'mounted', 'a mounted server is never copied over');
    const write = await container.exec(['sh', '-c', `touch ${serverCommand(artifacts)[0]}`]);
    assert.notEqual(write.exitCode, 0, 'the container cannot change the mounted server');
    // The samples' spec names Debian's python3 at /usr/local/bin/python; an image without the
    // spec's interpreter (SWE-Gym's conda env is not in the base image) falls back to PATH, and says so.
    const { interpreter, fallback } = await findInterpreter(container, SAMPLES_PYTHON);
    assert.equal(interpreter, SAMPLES_PYTHON);
    assert.equal(fallback, undefined);
    const conda = await findInterpreter(container, CONDA_TESTBED_PYTHON);
    assert.equal(conda.interpreter, '/usr/bin/python3');
    assert.match(conda.fallback ?? '', /\/opt\/miniconda3\/envs\/testbed\/bin\/python \(the spec's interpreter\) is not in the image; \/usr\/bin\/python3 from PATH/);
    const { proc, client } = await probeServer(container, artifacts, interpreter);

    // Fixed: the error goes away.
    await client.change(PROBE_MAIN_URI, PROBE_MAIN.replace('count: int', 'count: str'), 2);
    await client.waitForDiagnostics(PROBE_MAIN_URI, (d) => d.length === 0, 60_000);

    await proc.kill();
    assert.notEqual(await proc.exited, 0, "killed, not exited on its own");
    const ps = await container.exec(['ps', '-eo', 'args']);
    assert.ok(!/langserver/.test(ps.stdout), ps.stdout);
    client.connection.dispose();
  } finally {
    await container.remove();
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
