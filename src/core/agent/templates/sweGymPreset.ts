import { contentText, type ToolSchema } from '../chatTypes';
import type { AgentTemplate } from './agentTemplate';
import { DEFAULT_TEMPLATE } from './defaultTemplate';

export interface PathMapping {
  from: string;
  to: string;
}

/** The repository folder a SWE-Gym row's first user message names (`/workspace/<repo>__<version>`). */
export function rowWorkspaceDir(firstUser: string): string | undefined {
  return /<uploaded_files>\s*\n\s*(\S+?)\s*\n\s*<\/uploaded_files>/.exec(firstUser)?.[1];
}

/**
 * A template taken from any SWE-Gym sampled-trajectory row, so a model fine-tuned on SWE-Gym data
 * sees the prompts and tool schemas it was trained on. The row's issue text becomes
 * {{problem_statement}} and its workspace folder {{repo_dir}}, so the template serves any instance
 * (mapped to /testbed by default, as our images have it).
 */
export function templateFromSweGymRow(row: { messages?: unknown; tools?: unknown; instance_id?: unknown }): AgentTemplate {
  if (!Array.isArray(row.messages) || row.messages.length < 2) throw new Error('A SWE-Gym row needs `messages` with at least a system and a first user message.');
  const messages = row.messages as { role?: unknown; content?: unknown }[];
  const system = messages.find((m) => m.role === 'system');
  const firstUser = messages.find((m) => m.role === 'user');
  if (!system || !firstUser) throw new Error('The row has no system message or no user message to take the prompts from.');
  if (!Array.isArray(row.tools) || row.tools.length === 0) throw new Error('The row has no `tools` (the function schemas) to take.');
  const tools = (row.tools as unknown[]).map(normaliseTool);
  let first = contentText(firstUser.content);
  first = first.replace(/(<pr_description>\n)[\s\S]*(\n<\/pr_description>)/, '$1{{problem_statement}}$2');
  const workspace = rowWorkspaceDir(first);
  if (workspace) {
    first = first.split(workspace).join('{{repo_dir}}');
    // "in the directory python__mypy__1.6": the bare folder name names the same place.
    const base = workspace.split('/').pop();
    if (base) first = first.split(` ${base}`).join(' {{repo_dir}}');
  }
  const autoReply = messages
    .slice(messages.indexOf(firstUser) + 1)
    .filter((m) => m.role === 'user')
    .map((m) => contentText(m.content))
    .find((t) => /continue|finish/i.test(t) && !t.startsWith('OBSERVATION'));
  const id = typeof row.instance_id === 'string' ? row.instance_id : 'a SWE-Gym row';
  return {
    name: `swe-gym-row:${id}`,
    system: contentText(system.content),
    firstUser: first,
    tools,
    autoReply: autoReply ?? DEFAULT_TEMPLATE.autoReply,
    promptHost: 'openhands-workspace',
  };
}

function normaliseTool(t: unknown): ToolSchema {
  const tool = t as { type?: unknown; function?: { name?: unknown } };
  if (!tool || typeof tool !== 'object' || !tool.function || typeof tool.function.name !== 'string') throw new Error(`A tool in the row is not an OpenAI function schema: ${JSON.stringify(t).slice(0, 200)}`);
  return { ...(tool as ToolSchema), type: 'function' };
}

/** Replaces every occurrence of each `from` with its `to` (longest first, so nested paths map right). */
export function mapPaths(text: string, mappings: PathMapping[]): string {
  let out = text;
  for (const m of [...mappings].sort((a, b) => b.from.length - a.from.length)) out = out.split(m.from).join(m.to);
  return out;
}
