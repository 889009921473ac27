import { contentText, type ToolSchema } from '../../agent/chatTypes';
import { parseTextToolCalls } from '../../agent/model/textToolCalls';
import { DEFAULT_TOOLS } from '../../agent/tools/toolSchemas';
import type { ImportedRun, ImportedStep } from './importedRun';
import { mapToolCall, parseArgs } from './toolMapping';

/** An OpenAI-style chat message as files hold it (loosely typed: rows vary). */
export interface LooseMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
  name?: unknown;
  extra?: unknown;
}

export type ChatParts = Pick<ImportedRun, 'system' | 'task' | 'steps' | 'notes'>;

const TEXT_RESULT = /^EXECUTION RESULT of \[([^\]]+)\]:\n/;

/**
 * Steps from an OpenAI conversation: the system message, the task (first user message), then one
 * step per assistant turn with its tool calls (native, or `<function=...>` text when `textCalls`)
 * and the observations that answer them (`role: tool`, or `EXECUTION RESULT of [...]` user turns
 * in the text form; with `userObservations`, any user turn answering a call). Other user turns
 * are kept as notes.
 */
export function stepsFromChat(messages: readonly LooseMessage[], options: { textCalls?: boolean; tools?: ToolSchema[]; userObservations?: boolean } = {}): ChatParts {
  const out: ChatParts = { system: '', task: '', steps: [], notes: [] };
  const tools = options.tools?.length ? options.tools : DEFAULT_TOOLS;
  let taskSeen = false;
  let last: ImportedStep | undefined;
  for (const [i, m] of messages.entries()) {
    const text = contentText(m.content);
    if (m.role === 'system' && !out.system) out.system = text;
    else if (m.role === 'user' && !taskSeen) {
      out.task = text;
      taskSeen = true;
    } else if (m.role === 'assistant') {
      const step: ImportedStep = { thought: text, actions: [] };
      if (Array.isArray(m.tool_calls) && m.tool_calls.length) {
        for (const [j, c] of (m.tool_calls as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]).entries()) {
          const name = typeof c?.function?.name === 'string' ? c.function.name : '';
          if (!name) continue;
          step.actions.push(mapToolCall(typeof c.id === 'string' && c.id ? c.id : `call_${i}_${j}`, name, parseArgs(c.function?.arguments), null));
        }
      } else if (options.textCalls && text.includes('<function=')) {
        const parsed = parseTextToolCalls(text, tools, `call_${i}_`);
        step.thought = parsed.content ?? '';
        for (const c of parsed.toolCalls) step.actions.push(mapToolCall(c.id, c.function.name, parseArgs(c.function.arguments), null));
      }
      out.steps.push(step);
      last = step;
    } else if (m.role === 'tool') {
      const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : '';
      const action = last?.actions.find((a) => a.id === id && a.observation === null) ?? last?.actions.find((a) => a.observation === null);
      if (action) action.observation = text;
      else out.notes.push({ afterStep: out.steps.length, content: text });
    } else if (m.role === 'user') {
      const pending = last?.actions.find((a) => a.observation === null);
      if (pending && (TEXT_RESULT.test(text) || options.userObservations)) pending.observation = text.replace(TEXT_RESULT, '');
      else out.notes.push({ afterStep: out.steps.length, content: text });
    }
  }
  return out;
}
