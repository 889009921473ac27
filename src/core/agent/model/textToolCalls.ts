import type { ChatMessage, ToolCall, ToolSchema } from '../chatTypes';

/**
 * The text tool-call form of SWE-Gym's SFT data, for models served without native tool calling:
 *
 *   <function=NAME>
 *   <parameter=KEY>VALUE</parameter>
 *   </function>
 *
 * The conversation is always kept in native form; these helpers derive the text form for a
 * request or an export and read calls back out of a text reply.
 */

/** Stop sequence for text mode: one call per turn, nothing invented after it. */
export const TEXT_MODE_STOP = '</function';

export function renderToolCallText(call: ToolCall): string {
  let args: Record<string, unknown> = {};
  try {
    const parsed: unknown = call.function.arguments.trim() ? JSON.parse(call.function.arguments) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) args = parsed as Record<string, unknown>;
  } catch {
    // Malformed arguments are kept verbatim as one pseudo-parameter, so nothing is lost.
    return `<function=${call.function.name}>\n<parameter=arguments>${call.function.arguments}</parameter>\n</function>`;
  }
  const params = Object.entries(args).map(([k, v]) => `<parameter=${k}>${valueText(v)}</parameter>\n`);
  return `<function=${call.function.name}>\n${params.join('')}</function>`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return `[${v.join(', ')}]`;
  return JSON.stringify(v);
}

/** What the system message gains in text mode: the tools and the call format. */
export function toolsAsText(tools: ToolSchema[]): string {
  const blocks = tools.map((t, i) => {
    const props = t.function.parameters?.properties ?? {};
    const required = new Set(t.function.parameters?.required ?? []);
    const params = Object.entries(props).map(([name, p], j) => {
      const allowed = p.enum ? ` Allowed values: [${p.enum.map((e) => `\`${String(e)}\``).join(', ')}]` : '';
      return `  (${j + 1}) ${name} (${p.type ?? 'string'}, ${required.has(name) ? 'required' : 'optional'}): ${p.description ?? ''}${allowed}`;
    });
    return [
      `---- BEGIN FUNCTION #${i + 1}: ${t.function.name} ----`,
      `Description: ${t.function.description ?? ''}`,
      params.length ? `Parameters:\n${params.join('\n')}` : 'No parameters are required for this function.',
      `---- END FUNCTION #${i + 1} ----`,
    ].join('\n');
  });
  return [
    'You have access to the following functions:',
    '',
    blocks.join('\n\n'),
    '',
    'To call a function, reply with exactly this format and nothing after it:',
    '',
    '<function=example_function_name>',
    '<parameter=example_parameter_1>value_1</parameter>',
    '<parameter=example_parameter_2>',
    'a value that spans',
    'several lines',
    '</parameter>',
    '</function>',
    '',
    'Rules: call at most one function per reply, give every required parameter, and put any reasoning before the call, never after it.',
  ].join('\n');
}

/** The conversation in text form: tools described in the system message, calls and results as text. */
export function toTextMessages(messages: ChatMessage[], tools: ToolSchema[]): ChatMessage[] {
  const toolText = toolsAsText(tools);
  let systemSeen = false;
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === 'system' && !systemSeen) {
      systemSeen = true;
      out.push({ role: 'system', content: `${m.content}\n\n${toolText}` });
    } else if (m.role === 'assistant') {
      const calls = (m.tool_calls ?? []).map(renderToolCallText).join('\n');
      const content = [m.content ?? '', calls].filter((s) => s !== '').join('\n\n');
      out.push({ role: 'assistant', content: content.replace(/^\s+/, '') });
    } else if (m.role === 'tool') {
      out.push({ role: 'user', content: `EXECUTION RESULT of [${m.name}]:\n${m.content}` });
    } else {
      out.push(m);
    }
  }
  if (!systemSeen) out.unshift({ role: 'system', content: toolText });
  return out;
}

/** Reads `<function=...>` calls out of a text reply; argument values are typed by the tool schema. */
export function parseTextToolCalls(text: string, tools: ToolSchema[], idPrefix: string): { content: string | null; toolCalls: ToolCall[] } {
  const start = text.search(/<function=/);
  if (start < 0) return { content: text, toolCalls: [] };
  const content = text.slice(0, start).trim();
  const toolCalls: ToolCall[] = [];
  const fnRe = /<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/g;
  for (let m = fnRe.exec(text.slice(start)); m; m = fnRe.exec(text.slice(start))) {
    const name = m[1] ?? '';
    const body = m[2] ?? '';
    const schema = tools.find((t) => t.function.name === name);
    const args: Record<string, unknown> = {};
    const paramRe = /<parameter=([^>\s]+)>([\s\S]*?)<\/parameter>/g;
    for (let p = paramRe.exec(body); p; p = paramRe.exec(body)) {
      const key = p[1] ?? '';
      args[key] = typed(stripOneNewline(p[2] ?? ''), schema?.function.parameters?.properties?.[key]?.type);
    }
    toolCalls.push({ id: `${idPrefix}${toolCalls.length}`, type: 'function', function: { name, arguments: JSON.stringify(args) } });
    if (fnRe.lastIndex >= text.length - start) break;
  }
  return { content: content || null, toolCalls };
}

/** `<parameter=x>\nvalue\n</parameter>` means `value`; inline values are kept as they are. */
function stripOneNewline(v: string): string {
  return v.startsWith('\n') && v.endsWith('\n') && v.length >= 2 ? v.slice(1, -1) : v;
}

function typed(v: string, type: string | undefined): unknown {
  if (type === 'integer' || type === 'number') {
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  if (type === 'array' || type === 'object' || type === 'boolean') {
    try {
      return JSON.parse(v.trim().replace(/^True$/, 'true').replace(/^False$/, 'false'));
    } catch {
      return v;
    }
  }
  return v;
}
