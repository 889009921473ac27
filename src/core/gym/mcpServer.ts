import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolSchema } from '../agent/chatTypes';
import { DEFAULT_TEMPLATE } from '../agent/templates/defaultTemplate';
import { GymError } from './gymErrors';
import type { GymSessions } from './gymSessions';

const SESSION_ID = {
  type: 'string',
  description: 'The session to act in (from start_session). Default: the last session this connection started.',
};

/**
 * The gym over MCP: start_session, the session's own tools (execute_bash, str_replace_editor,
 * finish: our agent's, with the same observations), evaluate and end_session. A connection may
 * run several sessions (session_id picks one); the sessions it started end when it closes.
 */
export class GymMcpConnection {
  readonly server: Server;
  private current: string | undefined;
  private readonly started = new Set<string>();

  constructor(private readonly sessions: GymSessions) {
    this.server = new Server({ name: 'swe-gym', version: '0.1.0' }, { capabilities: { tools: {} } });
    this.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: gymMcpTools() }));
    this.server.setRequestHandler(CallToolRequestSchema, async (req) => {
      try {
        return await this.call(req.params.name, (req.params.arguments ?? {}) as Record<string, unknown>);
      } catch (err) {
        // A refusal is the tool's answer (the model reads it), not a protocol failure.
        if (err instanceof GymError) return text(`ERROR: ${err.message}`, true);
        throw err;
      }
    });
  }

  /** Ends the sessions this connection started (their containers removed). */
  async closeSessions(): Promise<void> {
    await Promise.all([...this.started].map((id) => this.sessions.delete(id).catch(() => undefined)));
    this.started.clear();
  }

  private async call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    if (name === 'start_session') {
      const peer = this.server.getClientVersion();
      const s = await this.sessions.create({ dataset: args.dataset, instance_id: args.instance_id, tools: args.tools, model: args.model, client: peer ? `${peer.name} (MCP)` : 'MCP client' });
      this.current = s.id;
      this.started.add(s.id);
      return { content: [{ type: 'text', text: `session_id: ${s.id}\n\n${s.task.task}` }], structuredContent: { session_id: s.id, task: s.task.task, system: s.task.system } };
    }
    const { session_id: sid, ...rest } = args;
    const id = typeof sid === 'string' && sid ? sid : this.current;
    if (!id) throw new GymError(400, 'No session: call start_session first (or pass session_id).');
    const session = this.sessions.get(id);
    if (name === 'evaluate') {
      const result = await session.evaluate();
      return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }], structuredContent: { ...result } };
    }
    if (name === 'end_session') {
      await this.sessions.delete(id);
      this.started.delete(id);
      if (this.current === id) this.current = undefined;
      return text(`Session ${id} ended; its container was removed.`);
    }
    const r = await session.step(name, rest);
    return { content: [{ type: 'text', text: r.observation }], ...(r.error ? { isError: true } : {}), structuredContent: { ...r } };
  }
}

/** The MCP tool list: the session tools (with session_id added) plus the gym's own. */
export function gymMcpTools(tools: ToolSchema[] = DEFAULT_TEMPLATE.tools): Tool[] {
  const own: Tool[] = [
    {
      name: 'start_session',
      description: 'Start a session on one task instance: a fresh container with the repository at /testbed. Returns the session id and the task text.',
      inputSchema: {
        type: 'object',
        properties: {
          dataset: { type: 'string', description: 'A dataset file or folder, a Hugging Face cache name, or "samples".' },
          instance_id: { type: 'string', description: 'The instance to work on.' },
          model: { type: 'string', description: 'Your model\'s name, recorded in the trajectory.' },
        },
        required: ['dataset', 'instance_id'],
      },
    },
    {
      name: 'evaluate',
      description: 'End the session and grade its changes with the hidden tests; returns the evaluation (resolved, status, ...).',
      inputSchema: { type: 'object', properties: { session_id: SESSION_ID } },
    },
    {
      name: 'end_session',
      description: 'End the session without grading; its container is removed.',
      inputSchema: { type: 'object', properties: { session_id: SESSION_ID } },
    },
  ];
  const sessionTools = tools.map(
    (t): Tool => ({
      name: t.function.name,
      description: t.function.description,
      inputSchema: { type: 'object', ...(t.function.parameters ?? {}), properties: { ...(t.function.parameters?.properties ?? {}), session_id: SESSION_ID } } as Tool['inputSchema'],
    }),
  );
  return [own[0] as Tool, ...sessionTools, ...own.slice(1)];
}

function text(s: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: s }], ...(isError ? { isError: true } : {}) };
}
