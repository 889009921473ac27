import type { ImportedAction } from './importedRun';

const BASH_NAMES = new Set(['bash', 'execute_bash', 'run', 'terminal', 'cmd', 'shell']);
const FINISH_NAMES = new Set(['finish', 'submit']);
const EDITOR_NAMES = new Set(['str_replace_editor', 'edit', 'file_editor', 'str_replace_based_edit_tool']);
const EDITOR_ARGS = ['command', 'path', 'file_text', 'old_str', 'new_str', 'insert_line', 'view_range'];

/**
 * A scaffold's tool call onto our tools, so a replay can run it: bash-like tools become
 * execute_bash, Anthropic-style editors str_replace_editor, submit/finish finish. Anything else
 * keeps its name (a replay then reports it cannot run it).
 */
export function mapToolCall(id: string, name: string, args: Record<string, unknown>, observation: string | null, exitCode?: number): ImportedAction {
  const base = { id, observation, ...(exitCode !== undefined ? { exitCode } : {}) };
  if (BASH_NAMES.has(name) && typeof args.command === 'string') {
    const mapped = { command: args.command };
    return { ...base, tool: 'execute_bash', args: mapped, ...(name !== 'execute_bash' || Object.keys(args).length !== 1 ? { original: { name, args } } : {}) };
  }
  if (FINISH_NAMES.has(name)) return { ...base, tool: 'finish', args: {}, ...(name !== 'finish' || Object.keys(args).length ? { original: { name, args } } : {}) };
  if (EDITOR_NAMES.has(name) && typeof args.command === 'string' && typeof args.path === 'string') {
    const mapped = Object.fromEntries(EDITOR_ARGS.filter((k) => args[k] !== undefined && args[k] !== null && args[k] !== '').map((k) => [k, args[k]]));
    if (args.command === 'str_replace' && args.new_str === '') mapped.new_str = '';
    const same = name === 'str_replace_editor' && Object.keys(args).every((k) => k in mapped);
    return { ...base, tool: 'str_replace_editor', args: mapped, ...(same ? {} : { original: { name, args } }) };
  }
  return { ...base, tool: name, args };
}

/** A command line of a text-parsing scaffold (SWE-agent's thought_action, mini-swe-agent v1): bash, or submit. */
export function mapCommandLine(id: string, command: string, observation: string | null, exitCode?: number): ImportedAction {
  const trimmed = command.trim();
  if (trimmed === 'submit' || trimmed === 'exit' || trimmed === 'finish') return { id, tool: 'finish', args: {}, original: { name: trimmed, args: {} }, observation, ...(exitCode !== undefined ? { exitCode } : {}) };
  return { id, tool: 'execute_bash', args: { command }, observation, ...(exitCode !== undefined ? { exitCode } : {}) };
}

/** Arguments from an OpenAI tool call's JSON string; a malformed string is kept as one argument. */
export function parseArgs(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== 'string' || !raw.trim()) return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { arguments: raw };
  } catch {
    return { arguments: raw };
  }
}

/** The repository folder a task text names: `<uploaded_files>` first, then a /workspace/<repo>__<version> path. */
export function guessRepoDir(...texts: (string | undefined)[]): string | null {
  for (const t of texts) {
    if (!t) continue;
    const uploaded = /<uploaded_files>\s*\n?\s*(\/\S+?)\s*\n?\s*<\/uploaded_files>/.exec(t)?.[1];
    if (uploaded) return uploaded.replace(/\/+$/, '');
  }
  for (const t of texts) {
    const ws = t && /\/workspace\/[\w.-]+__[\w.-]+/.exec(t)?.[0];
    if (ws) return ws;
  }
  return null;
}
