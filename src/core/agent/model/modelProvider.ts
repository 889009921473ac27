import type { ChatMessage, TokenUsage, ToolCall, ToolSchema } from '../chatTypes';

/** What the loop asks of a model: the conversation and the tools, in native form. */
export interface ModelRequest {
  messages: ChatMessage[];
  tools: ToolSchema[];
}

/** One assistant turn. */
export interface ModelTurn {
  content: string | null;
  toolCalls: ToolCall[];
  usage: TokenUsage;
  finishReason: string | null;
  /** Reasoning text some servers return beside the content (not sent back). */
  reasoning?: string;
}

/** The exact HTTP request sent, secrets redacted. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type ModelDelta = { content: string } | { toolCall: { index: number; id?: string; name?: string; arguments?: string } };

export interface ModelCallHooks {
  signal?: AbortSignal;
  onRequest?: (request: RecordedRequest, attempt: number) => void;
  onDelta?: (delta: ModelDelta) => void;
  onRetry?: (info: { attempt: number; status?: number; reason: string; delayMs: number }) => void;
}

export interface ModelProvider {
  /** Model name as trajectories and predictions record it. */
  readonly modelName: string;
  complete(request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn>;
  /**
   * Why it will answer no more, if it knows before being asked (a replay with no live model after
   * it): the loop then ends without starting a step it could never finish.
   */
  outOfTurns?(): ModelError | undefined;
}

export type ModelErrorKind = 'auth' | 'not_found' | 'context_length' | 'retries_exhausted' | 'bad_request' | 'invalid_response' | 'replay_exhausted';

/** A model call that failed for good; `kind` decides the rollout's exit reason. */
export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
