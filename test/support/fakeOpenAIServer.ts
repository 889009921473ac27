/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions protocol (JSON and SSE
 * streaming, tool calls, usage, error bodies, Retry-After) and answers from a script.
 *
 * This is the one stand-in in the agent tests, and only for the language model itself: no LLM can
 * run here (no weights, no network). Everything else is real: the `openai` client talks HTTP to
 * this server, and the agent's actions run in real containers.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  id?: string;
  name: string;
  /** A string is sent verbatim (so malformed JSON can be scripted). */
  arguments: string | Record<string, unknown>;
}

export type FakeReply =
  | {
      kind?: 'turn';
      content?: string;
      toolCalls?: FakeToolCall[];
      usage?: { prompt_tokens: number; completion_tokens: number };
      finishReason?: string;
      /** Before the first byte. */
      delayMs?: number;
      /** Between streamed chunks. */
      chunkDelayMs?: number;
      /** Token log-probabilities (non-streamed answers), as `choices[0].logprobs.content`. */
      logprobs?: { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }[];
    }
  | { kind: 'error'; status: number; message: string; code?: string; type?: string; headers?: Record<string, string> }
  /** Streams `content` (or sends headers only when not streaming), then never finishes. */
  | { kind: 'stall'; content?: string };

export interface FakeRequest {
  index: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string; name?: string }[];
    tools?: unknown[];
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    [k: string]: unknown;
  };
  receivedAt: number;
  /** The client went away before the answer was complete. */
  clientClosed: boolean;
}

export type FakeScript = (request: FakeRequest, previous: readonly FakeRequest[]) => FakeReply;

export interface FakeServer {
  /** Base URL for the `openai` client (ends in /v1). */
  baseURL: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAIServer(script: FakeScript | FakeReply[], options: { apiKey?: string } = {}): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const open = new Set<http.ServerResponse>();
  const next: FakeScript = Array.isArray(script) ? (req) => script[Math.min(req.index, script.length - 1)] ?? { content: 'done' } : script;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: FakeRequest['body'] = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return sendError(res, 400, 'invalid JSON body', 'invalid_request_error');
      }
      const record: FakeRequest = { index: requests.length, path: req.url ?? '', headers: req.headers, body, receivedAt: Date.now(), clientClosed: false };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.clientClosed = true;
        open.delete(res);
      });
      open.add(res);
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return sendError(res, 404, `Unknown path ${req.url}`, 'invalid_request_error');
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
      }
      const reply = next(record, requests.slice(0, -1));
      void answer(res, record, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.destroy();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: http.ServerResponse, status: number, message: string, type: string, code?: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code: code ?? null } }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answer(res: http.ServerResponse, req: FakeRequest, reply: FakeReply): Promise<void> {
  if (reply.kind === 'error') return sendError(res, reply.status, reply.message, reply.type ?? 'server_error', reply.code, reply.headers);
  const stream = req.body.stream === true;
  const model = req.body.model ?? 'fake-model';
  const id = `chatcmpl-fake-${req.index}`;
  const created = Math.floor(Date.now() / 1000);
  if (reply.kind === 'stall') {
    res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
    if (stream && reply.content) res.write(sse({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { role: 'assistant', content: reply.content }, finish_reason: null }] }));
    return; // never ends: the client has to give up or cancel
  }
  if (reply.delayMs) await sleep(reply.delayMs);
  if (res.destroyed) return;
  const calls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_fake_${req.index}_${i}`,
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) },
  }));
  const content = reply.content ?? (calls.length ? '' : 'I have nothing to do.');
  const finish = reply.finishReason ?? (calls.length ? 'tool_calls' : 'stop');
  const usage = reply.usage ?? { prompt_tokens: Math.ceil(JSON.stringify(req.body.messages ?? []).length / 4), completion_tokens: Math.ceil((content.length + calls.reduce((n, c) => n + c.function.arguments.length, 0)) / 4) + 1 };
  const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: content || (calls.length ? null : ''), ...(calls.length ? { tool_calls: calls } : {}) }, finish_reason: finish, logprobs: reply.logprobs ? { content: reply.logprobs.map((l) => ({ bytes: null, top_logprobs: [], ...l })) } : null }],
        usage: fullUsage,
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) => sse({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason }] });
  const pieces: string[] = [chunk({ role: 'assistant', content: '' })];
  for (const part of split(content, 3)) pieces.push(chunk({ content: part }));
  calls.forEach((c, index) => {
    pieces.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }));
    for (const part of split(c.function.arguments, 3)) pieces.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }));
  });
  pieces.push(chunk({}, finish));
  if (req.body.stream_options?.include_usage) pieces.push(sse({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: fullUsage }));
  pieces.push('data: [DONE]\n\n');
  for (const p of pieces) {
    if (res.destroyed) return;
    res.write(p);
    if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
  }
  res.end();
}

function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function split(s: string, n: number): string[] {
  if (!s) return [];
  const size = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/** How many assistant turns the conversation in a request already holds (the script's step counter). */
export function assistantTurns(req: FakeRequest): number {
  return (req.body.messages ?? []).filter((m) => m.role === 'assistant').length;
}

/** The content of the last message of a request (usually the last observation). */
export function lastMessageText(req: FakeRequest): string {
  const m = req.body.messages?.[req.body.messages.length - 1];
  return typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? '');
}

// ---- Scripts: what a model would answer, for the sample tasks --------------------------------

/** The gold patch as the edits a model would make: str_replace per hunk, create for new files. */
export function patchToEditorCalls(patch: string, repoDir = '/testbed'): FakeToolCall[] {
  const calls: FakeToolCall[] = [];
  for (const file of patch.split(/^(?=diff --git )/m).filter((f) => f.startsWith('diff --git'))) {
    const target = /^\+\+\+ b\/(.+)$/m.exec(file)?.[1];
    if (!target) continue;
    const full = `${repoDir}/${target}`;
    const hunks = file.split(/^(?=@@ )/m).slice(1);
    if (/^--- \/dev\/null$/m.test(file)) {
      const text = hunks.flatMap((h) => h.split('\n').slice(1).filter((l) => l.startsWith('+')).map((l) => l.slice(1))).join('\n');
      calls.push({ name: 'str_replace_editor', arguments: { command: 'create', path: full, file_text: `${text}\n` } });
      continue;
    }
    for (const h of hunks) {
      const lines = h.split('\n').slice(1).filter((l) => l !== '\\ No newline at end of file');
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      const oldLines = lines.filter((l) => l.startsWith(' ') || l.startsWith('-') || l === '').map((l) => l.slice(1));
      const newLines = lines.filter((l) => l.startsWith(' ') || l.startsWith('+') || l === '').map((l) => l.slice(1));
      calls.push({ name: 'str_replace_editor', arguments: { command: 'str_replace', path: full, old_str: oldLines.join('\n'), new_str: newLines.join('\n') } });
    }
  }
  return calls;
}

/** A scripted solve: look around, view the first file, make the gold edits, check, finish. */
export function solveScript(patch: string, repoDir = '/testbed'): FakeReply[] {
  const edits = patchToEditorCalls(patch, repoDir);
  const firstFile = (edits[0]?.arguments as { path?: string } | undefined)?.path ?? repoDir;
  return [
    { content: 'Let me look at the repository first.', toolCalls: [{ name: 'execute_bash', arguments: { command: `cd ${repoDir} && ls` } }] },
    { toolCalls: [{ name: 'str_replace_editor', arguments: { command: 'view', path: firstFile } }] },
    ...edits.map((e, i): FakeReply => ({ content: i === 0 ? 'Now the fix.' : '', toolCalls: [e] })),
    { toolCalls: [{ name: 'execute_bash', arguments: { command: 'git status --short' } }] },
    { content: 'The fix is in place.', toolCalls: [{ name: 'finish', arguments: {} }] },
  ];
}

/** Answers by the number of assistant turns already in the conversation, so a retried request gets the same answer. */
export function byTurn(replies: FakeReply[]): FakeScript {
  return (req) => replies[assistantTurns(req)] ?? { toolCalls: [{ name: 'finish', arguments: {} }] };
}
