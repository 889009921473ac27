import type { AgentToolCallView, AgentUsageView } from '../../../src/shared/agentView';

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function tokens(u: AgentUsageView | undefined): string {
  if (!u) return '';
  return `${u.promptTokens.toLocaleString('en-US')} → ${u.completionTokens.toLocaleString('en-US')} tokens${u.estimated ? ' (estimated)' : ''}`;
}

export function dollars(n: number | undefined): string {
  if (n === undefined) return '';
  if (n === 0) return '$0';
  return n < 0.01 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
}

export function parseArgs(raw: string): Record<string, unknown> | undefined {
  if (raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One line saying what a tool call does: `$ ls`, `str_replace textkit/align.py`, `finish`. */
export function describeCall(c: Pick<AgentToolCallView, 'name' | 'arguments'>, repoDir: string): string {
  const a = parseArgs(c.arguments);
  if (!a) return `${c.name}(${c.arguments.slice(0, 200)}) — arguments are not valid JSON`;
  const rel = (p: unknown) => (typeof p === 'string' && p.startsWith(`${repoDir}/`) ? p.slice(repoDir.length + 1) : String(p ?? ''));
  if (c.name === 'execute_bash') return typeof a.command === 'string' ? (a.command === '' ? '(read more output)' : `$ ${a.command}`) : 'execute_bash';
  if (c.name === 'str_replace_editor') return `${String(a.command ?? '?')} ${rel(a.path)}`.trim();
  if (c.name === 'finish') return 'finish';
  return `${c.name}(${Object.keys(a).join(', ')})`;
}

export function prettyArgs(raw: string): string {
  const a = parseArgs(raw);
  return a ? JSON.stringify(a, null, 2) : raw;
}
