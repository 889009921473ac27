import { serveMcpStdio } from '../../core/gym/mcpTransports';
import { parseCommandArgs, progress, type CliContext } from '../cliContext';
import { gymSessionsFrom, SESSION_OPTIONS, SESSION_USAGE } from './serve';

const USAGE = [
  `swe-gym mcp ${SESSION_USAGE}`,
  'The gym as an MCP server on stdin/stdout (for MCP clients that start their servers): start_session, execute_bash,',
  'str_replace_editor, finish, evaluate, end_session. `swe-gym serve` offers the same over streamable HTTP at /mcp.',
].join('\n');

/** Runs until the client closes stdin (or Ctrl+C); every session's container is removed then. */
export async function mcpCommand(ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, SESSION_OPTIONS, USAGE);
  const sessions = gymSessionsFrom(values);
  progress(ctx, `Gym MCP server on stdio (run ${sessions.runId}; trajectories in ${sessions.runDir}).`);
  try {
    await serveMcpStdio(sessions, ctx.signal);
  } finally {
    await sessions.close();
  }
  return 0;
}
