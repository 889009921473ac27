import type { ChatMessage } from './chatTypes';
import { OBSERVATION_PREFIX } from './tools/toolExecutor';

/** A rough token count (about 3.5 characters a token, plus framing per message): enough to act early. */
export function estimateTokens(messages: ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += (m.content ?? '').length + 16;
    if (m.role === 'assistant') for (const c of m.tool_calls ?? []) chars += c.function.arguments.length + c.function.name.length + 24;
  }
  return Math.ceil(chars / 3.5);
}

export function condensedStub(originalLength: number): string {
  return `${OBSERVATION_PREFIX}[This output (${originalLength} characters) was removed to keep the conversation within the model's context window. Run the step again if you need it.]`;
}

/** The messages as the model sees them: condensed observations replaced by a short stub. */
export function viewForModel(messages: ChatMessage[], condensed: ReadonlySet<number>): ChatMessage[] {
  if (condensed.size === 0) return messages;
  return messages.map((m, i) => (condensed.has(i) && m.role === 'tool' ? { ...m, content: condensedStub(m.content.length) } : m));
}

/**
 * Picks the oldest observations to condense, leaving the newest `keepRecent` intact, until the
 * estimate fits `targetTokens` (or, with no target, all but the newest). Returns what it added.
 */
export function chooseCondensation(messages: ChatMessage[], condensed: Set<number>, keepRecent: number, targetTokens?: number): { indexes: number[]; removedChars: number } {
  const toolIdx = messages.flatMap((m, i) => (m.role === 'tool' && !condensed.has(i) && m.content.length > 300 ? [i] : []));
  const candidates = toolIdx.slice(0, Math.max(0, toolIdx.length - keepRecent));
  const indexes: number[] = [];
  let removedChars = 0;
  for (const i of candidates) {
    if (targetTokens !== undefined && estimateTokens(viewForModel(messages, condensed)) <= targetTokens) break;
    condensed.add(i);
    indexes.push(i);
    removedChars += (messages[i]?.content ?? '').length;
  }
  return { indexes, removedChars };
}
