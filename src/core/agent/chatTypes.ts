/**
 * The conversation in OpenAI chat format, as SWE-Gym rows store it. Kept in native tool-call form
 * always; the text tool-call form is derived from it when a request or an export needs it.
 */

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string; name: string };

/** An OpenAI function tool schema, `{"type":"function","function":{...}}`. */
export interface ToolSchema {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchemaObject };
}

export interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, { type?: string; description?: string; enum?: unknown[]; items?: unknown }>;
  required?: string[];
  [key: string]: unknown;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** The endpoint reported no usage: the figures are our own estimate. */
  estimated?: boolean;
}

/** Text of a message content that may be a string or a list of `{type:'text', text}` parts (both occur in rows). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  }
  return '';
}
