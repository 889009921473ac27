import { randomBytes } from 'node:crypto';
import type { LanguageServerArtifacts } from '../../languageServer/ensureArtifacts';
import { findInterpreter, serverMounted, type TypeCheckingMode } from '../../languageServer/serverLaunch';
import { ServerSession, type ServerDiagnostic, type ServerLocation } from '../../languageServer/serverSession';
import type { ContainerHandle } from '../../runtime/containerRuntime';
import { shellQuote } from '../../util/shellQuote';
import type { ControlShell } from './controlShell';
import type { EditorFiles } from './containerFiles';
import { ToolError } from './fileEditor';

/** What the python_* tools need besides the container: the server's files and how strict it checks. */
export interface PythonToolsSettings {
  artifacts: LanguageServerArtifacts;
  /** Default basic, as in the editor. */
  mode?: TypeCheckingMode;
}

export const PYTHON_TOOL_NAMES = ['python_definition', 'python_references', 'python_diagnostics'] as const;
export type PythonToolName = (typeof PYTHON_TOOL_NAMES)[number];

export function isPythonTool(name: string): name is PythonToolName {
  return (PYTHON_TOOL_NAMES as readonly string[]).includes(name);
}

/** Listed locations at most; the rest are counted. */
const MAX_LOCATIONS = 50;
const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

/**
 * The agent's language tools, answered by pyright in the rollout's container with the image's
 * interpreter (so imports resolve as the tests will). The server starts on the first call; before
 * each call it is told which Python files changed since the last one (the agent edits with bash
 * and the editor, not through it).
 */
export class PythonTools {
  private session: ServerSession | undefined;
  private starting: Promise<ServerSession> | undefined;
  private readonly marker = `/tmp/.swe-gym-python-tools-${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly o: {
      container: ContainerHandle;
      shell: ControlShell;
      files: EditorFiles;
      repoDir: string;
      /** The spec's interpreter. */
      interpreter: string;
      settings: PythonToolsSettings;
      log?: (line: string) => void;
    },
  ) {}

  /** The observation text for one call; a ToolError for what the model should correct. */
  async run(name: PythonToolName, args: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    // The model's mistakes are answered before any server is started.
    const path = requirePath(args, name);
    if (name === 'python_diagnostics') {
      await this.read(path);
      const session = await this.ready(signal);
      await this.catchUp(session);
      return this.diagnostics(session, path, signal);
    }
    const { line, symbol, text } = await this.symbolAt(path, args, name);
    const at = { line: line - 1, character: columnOf(text, symbol, line, path) };
    const session = await this.ready(signal);
    await this.catchUp(session);
    await session.sync(path, await this.read(path));
    const found = name === 'python_definition' ? await session.definition(path, at, signal) : await session.references(path, at, signal);
    const what = name === 'python_definition' ? 'definition' : 'reference';
    if (!found.length) return `No ${what}s of \`${symbol}\` (${path}:${line}) found.`;
    const head = name === 'python_definition' ? `\`${symbol}\` (${path}:${line}) is defined at:` : `${found.length} reference${found.length === 1 ? '' : 's'} to \`${symbol}\` (${path}:${line}), the definition included:`;
    return [head, ...(await this.listLocations(found))].join('\n');
  }

  /** Stops the server (its process in the container is killed). Never throws. */
  async close(): Promise<void> {
    const s = this.session ?? (await this.starting?.catch(() => undefined));
    this.session = undefined;
    await s?.close();
  }

  private async ready(signal?: AbortSignal): Promise<ServerSession> {
    if (this.session?.alive) return this.session;
    this.session = undefined;
    this.starting ??= this.start(signal).finally(() => (this.starting = undefined));
    this.session = await this.starting;
    return this.session;
  }

  private async start(signal?: AbortSignal): Promise<ServerSession> {
    const { container, settings } = this.o;
    if (!(await serverMounted(container, settings.artifacts, signal))) throw new Error('the language server is not mounted in this container (it was started without it)');
    const { interpreter, fallback } = await findInterpreter(container, this.o.interpreter, signal);
    if (fallback) this.o.log?.(fallback);
    // Everything edited from now on is reported to the server before each call.
    await this.o.shell.run(`touch ${shellQuote(this.marker)}`);
    const session = await ServerSession.start({ container, artifacts: settings.artifacts, interpreter, rootDir: this.o.repoDir, mode: settings.mode ?? 'basic', signal, onStderr: (t) => this.o.log?.(`pyright: ${t.trimEnd()}`) });
    this.o.log?.(`pyright started for the agent's python tools (interpreter ${interpreter})`);
    return session;
  }

  /** Open documents get their new text; other changed files are re-read by the server. */
  private async catchUp(session: ServerSession): Promise<void> {
    const m = shellQuote(this.marker);
    const next = shellQuote(`${this.marker}.next`);
    const r = await this.o.shell.run(`touch ${next} && find ${shellQuote(this.o.repoDir)} -name .git -prune -o -name '*.py' -type f -newer ${m} -print; mv -f ${next} ${m}`);
    const changed = r.output.split('\n').filter((p) => p.startsWith('/'));
    const onDisk: { path: string; type: 'changed' }[] = [];
    for (const p of changed) {
      if (session.isOpen(p)) await session.sync(p, await this.read(p).catch(() => ''));
      else onDisk.push({ path: p, type: 'changed' });
    }
    await session.filesChanged(onDisk);
  }

  private async diagnostics(session: ServerSession, path: string, signal?: AbortSignal): Promise<string> {
    await session.sync(path, await this.read(path));
    const shown = (await session.diagnostics(path, signal)).filter((d) => (d.severity ?? 1) <= 3).sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    const errors = shown.filter((d) => (d.severity ?? 1) === 1).length;
    if (!shown.length) return `No errors or warnings in ${path}.`;
    const counts = `${errors} error${errors === 1 ? '' : 's'}, ${shown.length - errors} other${shown.length - errors === 1 ? '' : 's'}`;
    return [`${path}: ${counts} (pyright, ${this.o.settings.mode ?? 'basic'} type checking):`, ...shown.map((d) => describe(path, d))].join('\n');
  }

  private async symbolAt(path: string, args: Record<string, unknown>, name: string): Promise<{ line: number; symbol: string; text: string }> {
    const { line, symbol } = args;
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) throw new ToolError(`Parameter \`line\` is required for ${name}: the 1-based line number where \`symbol\` occurs.`);
    if (typeof symbol !== 'string' || !symbol.trim()) throw new ToolError(`Parameter \`symbol\` is required for ${name}: the name as written on that line, e.g. \`parse_date\` or \`self.cache\`.`);
    const lines = (await this.read(path)).split('\n');
    if (line > lines.length) throw new ToolError(`${path} has ${lines.length} lines; line ${line} does not exist.`);
    return { line, symbol: symbol.trim(), text: lines[line - 1] ?? '' };
  }

  private async read(path: string): Promise<string> {
    const kind = await this.o.files.kind(path);
    if (kind !== 'file') throw new ToolError(kind === 'missing' ? `The path ${path} does not exist.` : `The path ${path} is not a file.`);
    return (await this.o.files.read(path)).toString('utf8');
  }

  /** `path:line:column: text of that line`, as grep -n would show it. */
  private async listLocations(found: ServerLocation[]): Promise<string[]> {
    const texts = new Map<string, string[] | undefined>();
    const out: string[] = [];
    for (const loc of found.slice(0, MAX_LOCATIONS)) {
      if (!texts.has(loc.path)) texts.set(loc.path, await this.o.files.read(loc.path).then((b) => b.toString('utf8').split('\n')).catch(() => undefined));
      const text = texts.get(loc.path)?.[loc.range.start.line]?.trim() ?? '';
      out.push(`${loc.path}:${loc.range.start.line + 1}:${loc.range.start.character + 1}: ${text}`);
    }
    if (found.length > MAX_LOCATIONS) out.push(`... and ${found.length - MAX_LOCATIONS} more.`);
    return out;
  }
}

function requirePath(args: Record<string, unknown>, name: string): string {
  const p = args.path;
  if (typeof p !== 'string' || !p.trim()) throw new ToolError(`Parameter \`path\` is required for ${name}: the absolute path of a Python file, e.g. \`/testbed/pkg/module.py\`.`);
  if (!p.startsWith('/')) throw new ToolError(`The path ${p} is not an absolute path; it should start with \`/\`.`);
  return p;
}

/**
 * Where `symbol` starts on the line, as a whole name; for a dotted name (`pytest.raises`) the last
 * part, which is what the model asks about.
 */
function columnOf(text: string, symbol: string, line: number, path: string): number {
  const escaped = symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`).exec(text);
  if (!m) throw new ToolError(`\`${symbol}\` does not occur on line ${line} of ${path}. That line is: ${text.trim() || '(empty)'}`);
  const lastDot = symbol.lastIndexOf('.');
  // LSP counts UTF-16 code units, as JavaScript strings do.
  return m.index + (lastDot >= 0 ? lastDot + 1 : 0);
}

function describe(path: string, d: ServerDiagnostic): string {
  const rule = d.code !== undefined ? ` (${d.code})` : '';
  return `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${SEVERITY[d.severity ?? 1] ?? 'error'}: ${d.message.replace(/\s*\n\s*/g, ' ')}${rule}`;
}
