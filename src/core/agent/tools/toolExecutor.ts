import type { ToolCall, ToolSchema } from '../chatTypes';
import type { BashRun, BashSession } from './bashSession';
import { FileEditor, ToolError } from './fileEditor';
import { isPythonTool, type PythonTools } from './pythonTools';
import { isAbortError } from '../../util/abortError';

export const OBSERVATION_PREFIX = 'OBSERVATION:\n';

export interface ToolOutcome {
  /** The tool message content the model sees (starts with `OBSERVATION:\n`). */
  content: string;
  /** The call ends the rollout. */
  finish: boolean;
  error: boolean;
  /** The command's own time (bash); 0 for the editor and for refusals. */
  commandMs: number;
  exitCode?: number;
  bash?: Omit<BashRun, 'text'>;
}

/**
 * Runs the model's tool calls in the container. Nothing the model sends can end the rollout by
 * accident: bad JSON, an unknown tool, a missing argument or a failing command each become an
 * observation it can read and correct.
 */
export class ToolExecutor {
  constructor(
    private readonly bash: BashSession,
    private readonly editor: FileEditor,
    private readonly tools: ToolSchema[],
    /** The python_* tools' server; undefined when the template offers none. */
    private readonly python?: PythonTools,
  ) {}

  async run(call: ToolCall, signal?: AbortSignal): Promise<ToolOutcome> {
    const name = call.function.name;
    const known = this.tools.map((t) => t.function.name);
    if (!known.includes(name)) return refusal(`Unknown tool \`${name}\`. The available tools are: ${known.join(', ')}.`);
    const parsed = parseArguments(call.function.arguments);
    if ('error' in parsed) return refusal(parsed.error);
    const args = parsed.value;
    if (name === 'finish') return { content: `${OBSERVATION_PREFIX}The task is finished.`, finish: true, error: false, commandMs: 0 };
    if (name === 'execute_bash') {
      if (typeof args.command !== 'string') return refusal('Parameter `command` is required for execute_bash (a string; empty to read more output of a running command).');
      const r = await this.bash.run(args.command, { signal });
      if (r.error) return refusal(r.error);
      const { text, ...rest } = r;
      return { content: OBSERVATION_PREFIX + text, finish: false, error: false, commandMs: r.commandMs, exitCode: r.exitCode, bash: rest };
    }
    if (name === 'str_replace_editor') {
      try {
        return { content: OBSERVATION_PREFIX + (await this.editor.run(args)), finish: false, error: false, commandMs: 0 };
      } catch (err) {
        if (err instanceof ToolError) return refusal(err.message);
        if (isAbortError(err)) throw err;
        return refusal(`The editor failed: ${(err as Error).message}`);
      }
    }
    if (isPythonTool(name) && this.python) {
      try {
        return { content: OBSERVATION_PREFIX + (await this.python.run(name, args, signal)), finish: false, error: false, commandMs: 0 };
      } catch (err) {
        if (err instanceof ToolError) return refusal(err.message);
        if (isAbortError(err)) throw err;
        return refusal(`The Python language server could not answer: ${(err as Error).message}`);
      }
    }
    return refusal(`The tool \`${name}\` is declared but this agent cannot run it. The tools it runs are execute_bash, str_replace_editor${this.python ? ', python_definition, python_references, python_diagnostics' : ''} and finish.`);
  }
}

export function refusal(reason: string): ToolOutcome {
  return { content: `${OBSERVATION_PREFIX}ERROR:\n${reason}`, finish: false, error: true, commandMs: 0 };
}

/** Tool arguments as the model sent them: a JSON object, or an empty string for none. */
export function parseArguments(raw: string): { value: Record<string, unknown> } | { error: string } {
  if (raw.trim() === '') return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return {
      error: `The tool call's arguments are not valid JSON (${(err as Error).message}). Send them as one JSON object, for example {"command": "ls"}. Received: ${raw.length > 500 ? `${raw.slice(0, 500)}...` : raw}`,
    };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: `The tool call's arguments must be a JSON object, got: ${raw.slice(0, 500)}` };
  return { value: value as Record<string, unknown> };
}
