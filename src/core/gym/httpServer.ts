import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GymError } from './gymErrors';
import type { GymSessions } from './gymSessions';
import type { StepUsage } from './gymSession';
import { checkAccess, type AccessPolicy } from './httpAccess';
import { mcpHttpRoute } from './mcpTransports';

export interface GymHttpOptions {
  sessions: GymSessions;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token; required when the host is not loopback. */
  token?: string;
  /** Serve MCP (streamable HTTP) at /mcp too (default true). */
  mcp?: boolean;
}

export interface GymHttpServer {
  url: string;
  port: number;
  host: string;
  server: http.Server;
  /** Stops listening, then ends every session (containers removed). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The gym's HTTP+JSON API under /v1, and MCP at /mcp. Bodies and answers are JSON; errors are `{"error": message}` with a
 * status that says whose fault it is (4xx the client's, 5xx ours).
 */
export async function startGymHttpServer(o: GymHttpOptions): Promise<GymHttpServer> {
  const host = o.host ?? '127.0.0.1';
  const policy: AccessPolicy = { host, token: o.token };
  checkAccess.validate(policy);
  const mcp = o.mcp === false ? undefined : mcpHttpRoute(o.sessions);
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const denied = checkAccess(policy, req);
    if (denied) return send(res, denied.status, { error: denied.message }, denied.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="swe-gym"' } : {});
    const body = await readBody(req);
    if (mcp && (await mcp.route(req, res, body))) return;
    const url = new URL(req.url ?? '/', 'http://gym');
    send(res, ...(await route(o.sessions, req.method ?? 'GET', url.pathname, body, req.headers['user-agent'])));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await mcp?.close();
      await o.sessions.close();
    },
  };
}

type Answer = [number, unknown];

async function route(sessions: GymSessions, method: string, pathname: string, body: Buffer, userAgent: string | undefined): Promise<Answer> {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (parts[0] !== 'v1') throw new GymError(404, `No route ${pathname}; the API is under /v1 (GET /v1/health).`);
  const [, collection, id, action] = parts;
  if (collection === 'health' && parts.length === 2) {
    allow(method, ['GET']);
    return [200, { status: 'ok', run_id: sessions.runId, run_dir: sessions.runDir, container_session: sessions.containerSession, sessions: sessions.list().length, idle_timeout_s: sessions.idleTimeoutMs / 1000 }];
  }
  if (collection !== 'sessions' || parts.length > 4) throw new GymError(404, `No route ${pathname}.`);
  if (id === undefined) {
    allow(method, ['GET', 'POST']);
    if (method === 'GET') return [200, { sessions: sessions.list() }];
    const b = jsonObject(body);
    const s = await sessions.create({ ...b, client: b.client ?? userAgent });
    return [201, { session_id: s.id, task: s.task.task, system: s.task.system, tools: s.tools, instance_id: s.info.instance_id }];
  }
  if (action === undefined) {
    allow(method, ['GET', 'DELETE']);
    if (method === 'GET') return [200, sessions.get(id).info];
    await sessions.delete(id);
    return [200, { session_id: id, deleted: true }];
  }
  const s = sessions.get(id);
  switch (action) {
    case 'step': {
      allow(method, ['POST']);
      const b = jsonObject(body);
      if (b.thought !== undefined && typeof b.thought !== 'string') throw new GymError(400, '`thought` is the text of the turn, a string.');
      return [200, await s.step(b.name as string, b.arguments, b.thought as string | undefined, stepUsage(b.usage))];
    }
    case 'evaluate':
      allow(method, ['POST']);
      return [200, await s.evaluate()];
    case 'trajectory':
      allow(method, ['GET']);
      return [200, await s.trajectory()];
    default:
      throw new GymError(404, `No action ${JSON.stringify(action)}; a session has step, evaluate and trajectory.`);
  }
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new GymError(405, `Method ${method} is not allowed here; use ${methods.join(' or ')}.`);
}

function jsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GymError(400, `The body is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new GymError(400, 'The body must be a JSON object.');
  return value as Record<string, unknown>;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new GymError(413, `The body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  const status = err instanceof GymError ? err.status : 500;
  send(res, status, { error: err instanceof Error ? err.message : String(err) });
}

/** The optional `usage` of a step: the tokens the client's model spent on it. */
function stepUsage(u: unknown): StepUsage | undefined {
  if (u === undefined || u === null) return undefined;
  const o = u as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof u !== 'object' || Array.isArray(u) || !count(o.prompt_tokens) || !count(o.completion_tokens)) {
    throw new GymError(400, '`usage` is what your model spent on the step: {"prompt_tokens": n, "completion_tokens": n}, whole numbers from 0.');
  }
  return { prompt_tokens: o.prompt_tokens as number, completion_tokens: o.completion_tokens as number };
}
