import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { GymSessions } from './gymSessions';
import { GymMcpConnection } from './mcpServer';

export const MCP_PATH = '/mcp';

/**
 * MCP over streamable HTTP at /mcp, beside the JSON API (same access checks, done before this).
 * One MCP session per client (the Mcp-Session-Id header); its gym sessions end with it.
 */
export function mcpHttpRoute(sessions: GymSessions): { route: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => Promise<boolean>; close: () => Promise<void> } {
  const open = new Map<string, { transport: StreamableHTTPServerTransport; connection: GymMcpConnection }>();
  const route = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<boolean> => {
    const pathname = new URL(req.url ?? '/', 'http://gym').pathname.replace(/\/+$/, '');
    if (pathname !== MCP_PATH) return false;
    let parsed: unknown;
    if (body.length) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (err) {
        sendRpcError(res, 400, -32700, `Parse error: ${(err as Error).message}`);
        return true;
      }
    }
    const header = req.headers['mcp-session-id'];
    const sid = Array.isArray(header) ? header[0] : header;
    const known = sid ? open.get(sid) : undefined;
    if (known) {
      await known.transport.handleRequest(req, res, parsed);
      return true;
    }
    if (sid || req.method !== 'POST' || !isInitializeRequest(parsed)) {
      sendRpcError(res, sid ? 404 : 400, -32000, sid ? `No MCP session ${sid} (ended or never started); initialize a new one.` : 'Start with an initialize request (no Mcp-Session-Id header).');
      return true;
    }
    const connection = new GymMcpConnection(sessions);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        open.set(id, { transport, connection });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) open.delete(transport.sessionId);
      void connection.closeSessions();
    };
    await connection.server.connect(transport);
    await transport.handleRequest(req, res, parsed);
    return true;
  };
  const close = async () => {
    await Promise.all([...open.values()].map(async ({ transport, connection }) => {
      await transport.close().catch(() => undefined);
      await connection.closeSessions();
    }));
    open.clear();
  };
  return { route, close };
}

/** MCP over this process's stdin and stdout; resolves when the client goes away (sessions ended). */
export async function serveMcpStdio(sessions: GymSessions, signal?: AbortSignal): Promise<void> {
  const connection = new GymMcpConnection(sessions);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await connection.server.connect(transport);
  await closed;
  await connection.closeSessions();
  await transport.close().catch(() => undefined);
}

function sendRpcError(res: http.ServerResponse, status: number, code: number, message: string): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
