import assert from 'node:assert/strict';
import { execStdio } from '../../src/core/languageServer/execStdio';
import { serverCommand, serverSettings } from '../../src/core/languageServer/serverLaunch';
import type { LanguageServerArtifacts } from '../../src/core/languageServer/ensureArtifacts';
import type { ContainerHandle } from '../../src/core/runtime/containerRuntime';
import { LspClient } from './lspClient';

// pytest exists only in the image (Debian's python3-pytest), never on the host side of the test.
export const PROBE_MAIN = ['import pytest', 'from pkg.util import greet', '', 'with pytest.raises(ValueError):', '    pass', 'count: int = greet("a")', ''].join('\n');
export const PROBE_UTIL = 'def greet(name: str) -> str:\n    """Say hello."""\n    return "hi " + name\n';
export const PROBE_MAIN_URI = 'file:///testbed/main.py';

/**
 * Starts pyright in the container (PROBE_MAIN and PROBE_UTIL at /testbed) and checks what a
 * person relies on: the type error's diagnostic, pytest resolved from the image, a hover and a
 * definition in the image's pytest, and one in the workspace. Returns the running server.
 */
export async function probeServer(container: ContainerHandle, artifacts: Pick<LanguageServerArtifacts, 'nodeDir' | 'pyrightDir'>, interpreter: string): Promise<{ proc: Awaited<ReturnType<typeof execStdio>>; client: LspClient }> {
  let stderr = '';
  const proc = await execStdio(container, serverCommand(artifacts), { cwd: '/testbed', onStderr: (s) => (stderr += s) });
  const client = new LspClient(proc.reader, proc.writer, (s) => serverSettings(s, interpreter, 'basic'));
  await client.initialize('file:///testbed');
  await client.open(PROBE_MAIN_URI, PROBE_MAIN);
  const diags = await client.waitForDiagnostics(PROBE_MAIN_URI, (d) => d.length > 0, 90_000);
  assert.ok(diags.some((d) => d.range.start.line === 5 && /"str" is not assignable to "int"/.test(d.message)), `${JSON.stringify(diags)}\n${stderr}`);
  assert.ok(!diags.some((d) => /could not be resolved/.test(d.message)), 'pytest resolves from the image');
  const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', PROBE_MAIN_URI, 3, 15);
  assert.match(hover.contents.value, /Assert that a code block\/function call raises/);
  const defs = await client.request<{ uri?: string; targetUri?: string }[]>('textDocument/definition', PROBE_MAIN_URI, 3, 15);
  assert.ok(defs.some((d) => /^file:\/\/\/usr\/lib\/python3\/dist-packages\/_?pytest\//.test(d.targetUri ?? d.uri ?? '')), JSON.stringify(defs));
  const local = await client.request<{ uri?: string; targetUri?: string }[]>('textDocument/definition', PROBE_MAIN_URI, 5, 14);
  assert.deepEqual(local.map((d) => d.targetUri ?? d.uri), ['file:///testbed/pkg/util.py']);
  return { proc, client };
}
