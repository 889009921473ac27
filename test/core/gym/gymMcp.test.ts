// The gym over MCP, driven by the official SDK's own client: streamable HTTP at /mcp on the gym
// server, and stdio through `swe-gym mcp` as MCP clients start servers. Real containers, real grading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { GymSessions } from '../../../src/core/gym/gymSessions';
import { startGymHttpServer } from '../../../src/core/gym/httpServer';
import { patchToEditorCalls } from '../../support/fakeOpenAIServer';
import { runtime } from '../../support/docker';
import { samples } from '../../support/samples';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const TOKEN = 'mcp-test-token-0c9d21';
const TEXTKIT = 'swe-gym-studio__textkit-12';

function textOf(r: unknown): string {
  return ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');
}

test('MCP over streamable HTTP: the SDK client solves a sample (start_session, the tools, finish, evaluate: resolved); a wrong token is refused; closing leaves no container', async () => {
  const inst = (await samples()).instances.find((i) => i.instance_id === TEXTKIT);
  assert.ok(inst);
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-mcp-'));
  const sessions = new GymSessions({ runtime, outDir: out, allowPull: false });
  const server = await startGymHttpServer({ sessions, port: 0, token: TOKEN });
  try {
    const intruder = new Client({ name: 'intruder', version: '1' });
    await assert.rejects(intruder.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { Authorization: 'Bearer not-the-token-123' } } })), /401|Unauthorized|token/i);

    const client = new Client({ name: 'gym-test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } });
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['start_session', 'execute_bash', 'str_replace_editor', 'finish', 'evaluate', 'end_session'],
    );
    const started = await client.callTool({ name: 'start_session', arguments: { dataset: 'samples', instance_id: TEXTKIT, model: 'sdk-client' } });
    assert.ok(!started.isError, textOf(started));
    assert.ok(textOf(started).includes(inst.problem_statement.slice(0, 60)));
    const sessionId = String((started.structuredContent as { session_id: string }).session_id);

    const head = await client.callTool({ name: 'execute_bash', arguments: { command: 'cd /testbed && git rev-parse HEAD' } });
    assert.ok(textOf(head).startsWith(`OBSERVATION:\ncd /testbed && git rev-parse HEAD\r\n${inst.base_commit}`), textOf(head));
    assert.equal((head.structuredContent as { exit_code: number }).exit_code, 0);
    const refused = await client.callTool({ name: 'str_replace_editor', arguments: { command: 'view', path: '/testbed', view_range: [1, 2] } });
    assert.equal(refused.isError, true);
    assert.equal(textOf(refused), 'OBSERVATION:\nERROR:\nThe `view_range` parameter is not allowed when `path` points to a directory.');
    for (const call of patchToEditorCalls(inst.patch)) {
      const r = await client.callTool({ name: call.name, arguments: { ...(call.arguments as Record<string, unknown>), session_id: sessionId } });
      assert.ok(!r.isError, textOf(r));
    }
    const finished = await client.callTool({ name: 'finish', arguments: {} });
    assert.equal((finished.structuredContent as { done: boolean }).done, true);
    const evaluation = await client.callTool({ name: 'evaluate', arguments: {} });
    const verdict = evaluation.structuredContent as { resolved: boolean; status: string; instance_id: string };
    assert.equal(verdict.resolved, true, textOf(evaluation));
    assert.equal(verdict.status, 'resolved');
    assert.equal(verdict.instance_id, TEXTKIT);
    const after = await client.callTool({ name: 'execute_bash', arguments: { command: 'ls' } });
    assert.equal(after.isError, true);
    assert.match(textOf(after), /has ended/);
    const trajectory = JSON.parse(await fs.readFile(path.join(sessions.runDir, `${TEXTKIT}_0.json`), 'utf8')) as { model: string; reward: { resolved: boolean } };
    assert.equal(trajectory.model, 'sdk-client');
    assert.equal(trajectory.reward.resolved, true);

    // A second session on this connection ends with the MCP session (the client's DELETE).
    await client.callTool({ name: 'start_session', arguments: { dataset: 'samples', instance_id: TEXTKIT } });
    assert.equal((await runtime.listOurContainers({ sessionId: sessions.containerSession })).length, 1);
    await transport.terminateSession();
    await client.close();
    const deadline = Date.now() + 30_000;
    while ((await runtime.listOurContainers({ sessionId: sessions.containerSession })).length) {
      assert.ok(Date.now() < deadline, 'the closed connection left its session running');
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await server.close();
    await fs.rm(out, { recursive: true, force: true });
  }
  assert.deepEqual(await runtime.listOurContainers({ sessionId: sessions.containerSession }), []);
});

test('MCP over stdio (`swe-gym mcp`): the SDK client starts it, runs tools in a session, and closing removes the container', async () => {
  const inst = (await samples()).instances.find((i) => i.instance_id === TEXTKIT);
  assert.ok(inst);
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-mcp-'));
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--out', out, '--no-pull'], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'gym-stdio-test', version: '1' });
  try {
    await client.connect(transport);
    const none = await client.callTool({ name: 'execute_bash', arguments: { command: 'ls' } });
    assert.equal(none.isError, true);
    assert.match(textOf(none), /call start_session first/);
    const started = await client.callTool({ name: 'start_session', arguments: { dataset: 'samples', instance_id: TEXTKIT } });
    assert.ok(!started.isError, `${textOf(started)}\n${stderr}`);
    const host = await client.callTool({ name: 'execute_bash', arguments: { command: 'hostname' } });
    const containerId = /hostname\r\n([0-9a-f]{12})/.exec(textOf(host))?.[1];
    assert.ok(containerId, textOf(host));
    assert.equal((await runtime.listOurContainers()).filter((c) => c.id.startsWith(containerId)).length, 1);
    await client.close();
    const deadline = Date.now() + 30_000;
    while ((await runtime.listOurContainers()).some((c) => c.id.startsWith(containerId))) {
      assert.ok(Date.now() < deadline, `the session's container outlived the stdio server: ${stderr}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await client.close().catch(() => undefined);
    await fs.rm(out, { recursive: true, force: true });
  }
});
