import * as posixPath from 'node:path/posix';
import { clipEditorText } from './clip';
import type { EditorFiles } from './containerFiles';

export const EDITOR_COMMANDS = ['view', 'create', 'str_replace', 'insert', 'undo_edit'] as const;
/** Lines of context shown around an edit. */
const SNIPPET_CONTEXT = 4;

/** A refusal the model reads as `ERROR:` and can act on; nothing was changed. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export interface FileEditorOptions {
  /** Shown as the likely meaning of a relative path. */
  baseDir: () => string;
  /**
   * Expand tabs (to 8 columns) in the whole file on str_replace and insert, as SWE-Gym's editor
   * did (Python's str.expandtabs). Needed to reproduce its rollouts byte for byte.
   */
  expandTabsOnEdit?: boolean;
}

/**
 * `str_replace_editor` with the semantics of SWE-Gym's rollouts: `cat -n` style views (number
 * right-aligned in 6 columns, a tab), 1-based inclusive view ranges with `-1` for the end, two-level
 * directory listings, create that never overwrites, exactly-once str_replace, insert after a line,
 * and one undo per earlier edit of a file. Text is read as Python read it (universal newlines).
 */
export class FileEditor {
  private readonly history = new Map<string, string[]>();

  constructor(
    private readonly files: EditorFiles,
    private readonly options: FileEditorOptions,
  ) {}

  /** Runs one call; resolves with the observation text or rejects with a ToolError. */
  async run(args: Record<string, unknown>): Promise<string> {
    const command = args.command;
    if (typeof command !== 'string' || !command) throw new ToolError('Parameter `command` is required.');
    if (!(EDITOR_COMMANDS as readonly string[]).includes(command)) {
      throw new ToolError(`Unrecognized command ${command}. The allowed commands for the str_replace_editor tool are: ${EDITOR_COMMANDS.join(', ')}`);
    }
    const path = args.path;
    if (typeof path !== 'string' || !path) throw new ToolError(`Parameter \`path\` is required for command: ${command}.`);
    await this.validatePath(command, path);
    switch (command) {
      case 'view':
        return this.view(path, args.view_range);
      case 'create': {
        if (typeof args.file_text !== 'string') throw new ToolError('Parameter `file_text` is required for command: create.');
        await this.files.write(path, args.file_text);
        this.remember(path, args.file_text);
        return `File created successfully at: ${path}`;
      }
      case 'str_replace': {
        if (typeof args.old_str !== 'string') throw new ToolError('Parameter `old_str` is required for command: str_replace.');
        const newStr = args.new_str === undefined || args.new_str === null ? '' : String(args.new_str);
        if (newStr === args.old_str) throw invalid('new_str', newStr, 'No replacement was performed. `new_str` and `old_str` must be different.');
        return this.strReplace(path, args.old_str, newStr);
      }
      case 'insert': {
        if (args.insert_line === undefined || args.insert_line === null) throw new ToolError('Parameter `insert_line` is required for command: insert.');
        if (typeof args.new_str !== 'string') throw new ToolError('Parameter `new_str` is required for command: insert.');
        const line = toInt(args.insert_line);
        if (line === undefined) throw invalid('insert_line', args.insert_line, 'It should be an integer.');
        return this.insert(path, line, args.new_str);
      }
      default:
        return this.undo(path);
    }
  }

  private async validatePath(command: string, path: string): Promise<void> {
    if (!path.startsWith('/')) {
      throw invalid('path', path, `The path should be an absolute path, starting with \`/\`. Maybe you meant ${posixPath.join(this.options.baseDir(), path)}?`);
    }
    const kind = await this.files.kind(path);
    if (command === 'create' && kind !== 'missing') throw invalid('path', path, `File already exists at: ${path}. Cannot overwrite files using command \`create\`.`);
    if (command !== 'create' && kind === 'missing') throw invalid('path', path, `The path ${path} does not exist. Please provide a valid path.`);
    if (command !== 'view' && kind === 'directory') throw invalid('path', path, `The path ${path} is a directory and only the \`view\` command can be used on directories.`);
  }

  // The view texts and view_range errors are the released rollouts' bytes (their editor's wording,
  // "It's" included; no line break after the last line shown).
  private async view(path: string, rawRange: unknown): Promise<string> {
    const hasRange = rawRange !== undefined && rawRange !== null;
    if ((await this.files.kind(path)) === 'directory') {
      if (hasRange) throw new ToolError('The `view_range` parameter is not allowed when `path` points to a directory.');
      const listing = await this.files.listTwoLevels(path);
      if (listing.failed && !listing.stdout.trim()) throw new ToolError(`Could not list ${path}.`);
      return `Here's the files and directories up to 2 levels deep in ${path}, excluding hidden items:\n${listing.stdout.replace(/\n+$/, '')}`;
    }
    const text = await this.readText(path);
    if (!hasRange) return withoutFinalBreak(makeOutput(text, path, 1));
    const range = parseRange(rawRange);
    if (!range) throw new ToolError('Invalid `view_range`. It should be a list of two integers.');
    const lines = text.split('\n');
    const n = lines.length;
    const [start, end] = range;
    const shownRange = pyList(range);
    if (start < 1 || start > n) throw new ToolError(`Invalid \`view_range\`: ${shownRange}. It's first element \`${start}\` should be within the range of lines of the file: [1, ${n}]`);
    if (end > n) throw new ToolError(`Invalid \`view_range\`: ${shownRange}. It's second element \`${end}\` should be smaller than the number of lines in the file: \`${n}\``);
    if (end !== -1 && end < start) throw new ToolError(`Invalid \`view_range\`: ${shownRange}. It's second element \`${end}\` should be larger or equal than its first \`${start}\``);
    const shown = end === -1 ? lines.slice(start - 1) : lines.slice(start - 1, end);
    return withoutFinalBreak(makeOutput(shown.join('\n'), path, start));
  }

  private async strReplace(path: string, oldRaw: string, newRaw: string): Promise<string> {
    const expand = this.options.expandTabsOnEdit ?? true;
    const original = await this.readText(path);
    const content = expand ? expandTabs(original) : original;
    const oldStr = expand ? expandTabs(oldRaw) : oldRaw;
    const newStr = expand ? expandTabs(newRaw) : newRaw;
    const occurrences = oldStr === '' ? 0 : content.split(oldStr).length - 1;
    if (occurrences === 0) throw new ToolError(`No replacement was performed, old_str \`${oldStr}\` did not appear verbatim in ${path}.`);
    if (occurrences > 1) {
      const lines = content.split('\n').flatMap((l, i) => (l.includes(oldStr) ? [i + 1] : []));
      throw new ToolError(`No replacement was performed. Multiple occurrences of old_str \`${oldStr}\` in lines ${pyList(lines)}. Please ensure it is unique.`);
    }
    const at = content.indexOf(oldStr);
    const updated = content.slice(0, at) + newStr + content.slice(at + oldStr.length);
    await this.files.write(path, updated);
    this.remember(path, content);
    const replacementLine = count(content.slice(0, at), '\n');
    const startLine = Math.max(0, replacementLine - SNIPPET_CONTEXT);
    const endLine = replacementLine + SNIPPET_CONTEXT + count(newStr, '\n');
    const snippet = updated.split('\n').slice(startLine, endLine + 1).join('\n');
    return `The file ${path} has been edited. ${makeOutput(snippet, `a snippet of ${path}`, startLine + 1)}Review the changes and make sure they are as expected. Edit the file again if necessary.`;
  }

  private async insert(path: string, insertLine: number, newRaw: string): Promise<string> {
    const expand = this.options.expandTabsOnEdit ?? true;
    const original = await this.readText(path);
    const text = expand ? expandTabs(original) : original;
    const newStr = expand ? expandTabs(newRaw) : newRaw;
    const lines = text.split('\n');
    if (insertLine < 0 || insertLine > lines.length) throw invalid('insert_line', insertLine, `It should be within the range of lines of the file: [0, ${lines.length}]`);
    const newLines = newStr.split('\n');
    const updated = [...lines.slice(0, insertLine), ...newLines, ...lines.slice(insertLine)].join('\n');
    const snippet = [...lines.slice(Math.max(0, insertLine - SNIPPET_CONTEXT), insertLine), ...newLines, ...lines.slice(insertLine, insertLine + SNIPPET_CONTEXT)].join('\n');
    await this.files.write(path, updated);
    this.remember(path, text);
    return `The file ${path} has been edited. ${makeOutput(snippet, 'a snippet of the edited file', Math.max(1, insertLine - SNIPPET_CONTEXT + 1))}Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`;
  }

  private async undo(path: string): Promise<string> {
    const stack = this.history.get(path);
    const previous = stack?.pop();
    if (previous === undefined) throw new ToolError(`No edit history found for ${path}.`);
    await this.files.write(path, previous);
    return `Last edit to ${path} undone successfully. ${withoutFinalBreak(makeOutput(previous, path, 1))}`;
  }

  private remember(path: string, text: string): void {
    const stack = this.history.get(path) ?? [];
    stack.push(text);
    this.history.set(path, stack);
  }

  private async readText(path: string): Promise<string> {
    const bytes = await this.files.read(path);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ToolError(`The file ${path} is not UTF-8 text and cannot be shown or edited with this tool.`);
    }
    return text.replace(/\r\n?/g, '\n');
  }
}

/** `Here's the result of running \`cat -n\` on <what>:` then the numbered lines. */
export function makeOutput(content: string, description: string, startLine: number): string {
  const numbered = expandTabs(clipEditorText(content))
    .split('\n')
    .map((line, i) => `${String(i + startLine).padStart(6)}\t${line}`)
    .join('\n');
  return `Here's the result of running \`cat -n\` on ${description}:\n${numbered}\n`;
}

function withoutFinalBreak(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

/** Python's str.expandtabs(8): columns restart after every newline and carriage return. */
export function expandTabs(s: string, size = 8): string {
  if (!s.includes('\t')) return s;
  let out = '';
  let col = 0;
  for (const ch of s) {
    if (ch === '\t') {
      const n = size - (col % size);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

function invalid(parameter: string, value: unknown, hint: string): ToolError {
  return new ToolError(`Invalid \`${parameter}\` parameter: ${pyRepr(value)}. ${hint}`);
}

function pyRepr(v: unknown): string {
  if (Array.isArray(v)) return pyList(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

function pyList(xs: unknown[]): string {
  return `[${xs.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')}]`;
}

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function parseRange(v: unknown): [number, number] | undefined {
  let value = v;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const a = toInt(value[0]);
  const b = toInt(value[1]);
  return a === undefined || b === undefined ? undefined : [a, b];
}

function count(s: string, sub: string): number {
  return s.split(sub).length - 1;
}
