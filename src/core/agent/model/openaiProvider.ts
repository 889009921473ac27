import { randomBytes } from 'node:crypto';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatMessage, TokenUsage, ToolCall } from '../chatTypes';
import { ModelError, type ModelCallHooks, type ModelProvider, type ModelRequest, type ModelTurn, type RecordedRequest } from './modelProvider';
import { abortError } from '../../util/abortError';
import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs, sleep, type RetryPolicy } from './retryPolicy';
import { parseTextToolCalls, TEXT_MODE_STOP, toTextMessages } from './textToolCalls';

export interface OpenAIChatConfig {
  model: string;
  /** Any OpenAI-compatible server (vLLM, SGLang, Ollama, ...); default OpenAI's. */
  baseURL?: string;
  /** Never written anywhere: requests are recorded with credentials redacted. */
  apiKey?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  extraHeaders?: Record<string, string>;
  /** Merged into the request body (e.g. `top_k`, `repetition_penalty`, `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
  /** Stream the reply (default true). */
  stream?: boolean;
  /** `text`: tools described in the system message and calls parsed from `<function=...>` text. */
  toolMode?: 'native' | 'text';
  /** One request's time limit; a timeout is retried. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** How errors tell the user to fix the key and the URL (the CLI's flags by default; the extension names its command and setting). */
  hints?: Partial<EndpointHints>;
}

export interface EndpointHints {
  /** Where the API key comes from, e.g. `OPENAI_API_KEY` or a command. */
  apiKey: string;
  /** Where the base URL is set, e.g. `--base-url` or a setting. */
  baseUrl: string;
}

const CLI_HINTS: EndpointHints = { apiKey: 'set OPENAI_API_KEY', baseUrl: '--base-url' };

const SECRET_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** Chat Completions through the `openai` client, with our own retries so each one is recorded. */
export class OpenAIChatProvider implements ModelProvider {
  readonly modelName: string;
  private readonly client: OpenAI;
  private readonly policy: RetryPolicy;
  private readonly hints: EndpointHints;
  private onFetch: ((r: RecordedRequest) => void) | undefined;

  constructor(private readonly config: OpenAIChatConfig) {
    this.modelName = config.model;
    this.policy = { ...DEFAULT_RETRY, ...config.retry };
    this.hints = { ...CLI_HINTS, ...config.hints };
    this.client = new OpenAI({
      // Local servers need no key, but the client insists on one.
      apiKey: config.apiKey || 'no-key',
      baseURL: config.baseURL,
      defaultHeaders: config.extraHeaders,
      maxRetries: 0,
      timeout: config.requestTimeoutMs ?? 600_000,
      logLevel: 'off',
      fetch: async (url, init) => {
        this.onFetch?.(recordRequest(url, init));
        return fetch(url, init);
      },
    });
  }

  get endpoint(): string {
    return this.client.baseURL;
  }

  async complete(request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn> {
    const body = this.buildBody(request);
    for (let attempt = 0; ; attempt++) {
      try {
        this.onFetch = (r) => hooks.onRequest?.(r, attempt);
        return await this.once(body, request, hooks);
      } catch (err) {
        if (hooks.signal?.aborted || err instanceof APIUserAbortError) throw abortError();
        const c = this.classify(err);
        if (!c.retryable) throw c.error;
        if (attempt >= this.policy.maxRetries) {
          const tries = `gave up after ${attempt + 1} attempt${attempt ? 's' : ''}`;
          if (c.unreachable) throw new ModelError('retries_exhausted', `The model server is unreachable: ${c.reason} (${tries}). Is it running, and is the URL right? The URL is set by ${this.hints.baseUrl}.`, c.status);
          throw new ModelError('retries_exhausted', `The model endpoint ${this.endpoint} kept failing: ${c.reason} (${tries}).`, c.status);
        }
        const delayMs = retryDelayMs(this.policy, attempt, c.retryAfterMs);
        hooks.onRetry?.({ attempt: attempt + 1, status: c.status, reason: c.reason, delayMs });
        await sleep(delayMs, hooks.signal);
      } finally {
        this.onFetch = undefined;
      }
    }
  }

  private buildBody(request: ModelRequest): Record<string, unknown> {
    const text = this.config.toolMode === 'text';
    const stream = this.config.stream ?? true;
    const body: Record<string, unknown> = {
      model: this.config.model,
      messages: text ? toTextMessages(request.messages, request.tools) : request.messages,
    };
    if (!text && request.tools.length) body.tools = request.tools;
    if (text) body.stop = [TEXT_MODE_STOP];
    if (this.config.temperature !== undefined) body.temperature = this.config.temperature;
    if (this.config.topP !== undefined) body.top_p = this.config.topP;
    if (this.config.maxTokens !== undefined) body.max_tokens = this.config.maxTokens;
    body.stream = stream;
    if (stream) body.stream_options = { include_usage: true };
    return { ...body, ...this.config.extraBody };
  }

  private async once(body: Record<string, unknown>, request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn> {
    const options = { signal: hooks.signal };
    let content = '';
    let reasoning = '';
    let finishReason: string | null = null;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    const calls: { id: string; name: string; args: string }[] = [];
    if (body.stream) {
      const stream = await this.client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming, options);
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta = choice.delta as OpenAI.Chat.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null };
        if (delta?.content) {
          content += delta.content;
          hooks.onDelta?.({ content: delta.content });
        }
        if (delta?.reasoning_content) reasoning += delta.reasoning_content;
        for (const tc of delta?.tool_calls ?? []) {
          const i = tc.index ?? 0;
          const slot = (calls[i] ??= { id: '', name: '', args: '' });
          if (tc.id) slot.id = tc.id;
          if (tc.function?.name) slot.name = slot.name && slot.name !== tc.function.name ? slot.name + tc.function.name : tc.function.name;
          if (tc.function?.arguments) slot.args += tc.function.arguments;
          hooks.onDelta?.({ toolCall: { index: i, id: tc.id, name: tc.function?.name, arguments: tc.function?.arguments } });
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    } else {
      const r = await this.client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, options);
      const choice = r.choices?.[0];
      if (!choice) throw new InvalidResponse('The endpoint answered without any choice.');
      usage = r.usage;
      const message = choice.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string | null };
      content = message.content ?? '';
      reasoning = message.reasoning_content ?? '';
      finishReason = choice.finish_reason;
      for (const tc of message.tool_calls ?? []) {
        if (tc.type === 'function') calls.push({ id: tc.id, name: tc.function.name, args: tc.function.arguments ?? '' });
      }
      if (content) hooks.onDelta?.({ content });
    }
    const idPrefix = `call_${randomBytes(6).toString('hex')}_`;
    let toolCalls: ToolCall[] = calls.filter(Boolean).map((c, i) => ({ id: c.id || `${idPrefix}${i}`, type: 'function', function: { name: c.name, arguments: c.args } }));
    let text: string | null = content || null;
    if (this.config.toolMode === 'text') {
      const parsed = parseTextToolCalls(content, request.tools, idPrefix);
      text = parsed.content;
      toolCalls = parsed.toolCalls;
    }
    return { content: text, toolCalls, usage: usageOf(usage, request.messages, content, calls), finishReason, reasoning: reasoning || undefined };
  }

  private classify(err: unknown): { retryable: true; reason: string; status?: number; retryAfterMs?: number; unreachable?: boolean } | { retryable: false; error: Error } {
    if (err instanceof InvalidResponse) return { retryable: true, reason: err.message };
    if (err instanceof APIConnectionTimeoutError) return { retryable: true, reason: 'the request timed out' };
    if (err instanceof APIConnectionError) return { retryable: true, reason: connectionFailure(err, this.endpoint), unreachable: true };
    if (err instanceof APIError) {
      const status = err.status;
      const detail = errorDetail(err);
      if (status === 401 || status === 403) {
        return {
          retryable: false,
          error: new ModelError('auth', `The model endpoint ${this.endpoint} refused the request (${status}${detail ? `: ${detail}` : ''}). Check the API key (${this.hints.apiKey}) and that it may use model "${this.config.model}".`, status),
        };
      }
      if (status === 404) {
        return {
          retryable: false,
          error: new ModelError('not_found', `The model endpoint ${this.endpoint} answered 404${detail ? ` (${detail})` : ''}: check the base URL (it should end where /chat/completions is appended, often /v1) and the model name "${this.config.model}".`, status),
        };
      }
      if (isContextLengthError(err)) return { retryable: false, error: new ModelError('context_length', `The conversation is longer than the model's context window (${detail}).`, status) };
      if (status === undefined || status === 408 || status === 409 || status === 429 || status >= 500) {
        return { retryable: true, status, reason: `${status ?? 'stream error'}${detail ? ` ${detail}` : ''}`, retryAfterMs: parseRetryAfter(err.headers) };
      }
      return { retryable: false, error: new ModelError('bad_request', `The model endpoint rejected the request (${status}${detail ? `: ${detail}` : ''}).`, status) };
    }
    return { retryable: false, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

class InvalidResponse extends Error {}

/** What went wrong under the client's "Connection error.": the system's code names it (refused, unknown host, ...). */
function connectionFailure(err: APIConnectionError, endpoint: string): string {
  let cause: unknown = err.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      const what = { ECONNREFUSED: 'connection refused', ENOTFOUND: 'unknown host', EAI_AGAIN: 'host name lookup failed', ECONNRESET: 'connection reset', EHOSTUNREACH: 'host unreachable', ENETUNREACH: 'network unreachable', ETIMEDOUT: 'connection timed out' }[code];
      return `${what ?? code} at ${endpoint}`;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return `no connection to ${endpoint} (${err.message})`;
}

function errorDetail(err: APIError): string {
  const e = err.error as { message?: unknown } | undefined;
  const msg = typeof e?.message === 'string' ? e.message : err.message;
  return msg.length > 300 ? `${msg.slice(0, 300)}...` : msg;
}

export function isContextLengthError(err: APIError): boolean {
  if (err.code === 'context_length_exceeded') return true;
  if (err.status !== 400 && err.status !== 413 && err.status !== undefined) return false;
  return /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|reduce the length/i.test(errorDetail(err));
}

function usageOf(u: { prompt_tokens?: number; completion_tokens?: number } | undefined, messages: ChatMessage[], content: string, calls: { args: string }[]): TokenUsage {
  if (u && typeof u.prompt_tokens === 'number') return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens ?? 0 };
  return {
    promptTokens: Math.ceil(JSON.stringify(messages).length / 4),
    completionTokens: Math.ceil((content.length + calls.reduce((n, c) => n + c.args.length, 0)) / 4),
    estimated: true,
  };
}

/** The request exactly as sent, with every credential-like header redacted. */
function recordRequest(url: string | URL | Request, init: RequestInit | undefined): RecordedRequest {
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    headers[key] = SECRET_HEADER.test(key) ? '[redacted]' : value;
  });
  let body: unknown = init?.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // kept as text
    }
  } else if (body !== undefined) {
    body = '[non-text body]';
  }
  return { url: typeof url === 'string' ? url : url instanceof URL ? url.href : url.url, method: init?.method ?? 'GET', headers, body };
}
