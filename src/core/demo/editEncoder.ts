import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as posixPath from 'node:path/posix';
import { diffArrays } from 'diff';
import { FileEditor, ToolError } from '../agent/tools/fileEditor';
import { chmodCommand, moveCommand, removeCommand, symlinkCommand, writeBytesCommand, writeTextCommand } from './bashCommands';
import { sameContent, utf8Text, type FileChange, type FileState } from './fileState';
import { MemoryFiles } from './memoryFiles';

/** One tool call of the agent's own tools that reproduces (part of) a change. */
export interface DemoAction {
  name: 'str_replace_editor' | 'execute_bash';
  args: Record<string, string | number>;
  /** What the tool answers in a replay, after `OBSERVATION:\n` (bash: as rendered by the context). */
  observation: string;
}

export interface EncodeContext {
  /** The repository inside the container (/testbed). */
  repoDir: string;
  /** The observation of a command that prints nothing and exits 0, in the replaying shell's prompt. */
  quietCommandObservation: (command: string) => string;
  /** More separate edits than this in one file become one whole-file rewrite (default 8). */
  maxEditsPerFile?: number;
}

/** Context lines tried one at a time (every split above/below) before doubling. */
const LINEAR_WIDENING_LINES = 8;
/** Unchanged lines between two edits that still make them one str_replace. */
const MERGE_GAP_LINES = 3;
/** Beyond this edit distance (lines) a diff is not worth computing: rewrite the file. */
const MAX_EDIT_LINES = 2000;

/**
 * Turns the changes between two states of the repository into the agent's tool calls, so that
 * running them on the old tree gives the new tree exactly (bytes and executable bits):
 * - text edits as `str_replace_editor`: `insert` for added lines, `str_replace` whose `old_str`
 *   is widened line by line until it occurs exactly once, `create` for new files;
 * - whatever the editor would not reproduce byte for byte (tabs it expands, carriage returns it
 *   drops, a byte-order mark, non-UTF-8 content) as an `execute_bash` whole-file rewrite;
 * - deletes, renames (same content under a new path), links and modes as `execute_bash`.
 * Each editor action is run on an in-memory copy with the real editor first: what is emitted is
 * what was checked to give the wanted bytes, and its observation is the one the replay will see.
 */
export async function encodeChanges(changes: readonly FileChange[], ctx: EncodeContext): Promise<DemoAction[]> {
  const abs = (p: string) => posixPath.join(ctx.repoDir, p);
  const bash = (command: string): DemoAction => ({ name: 'execute_bash', args: { command }, observation: ctx.quietCommandObservation(command) });
  const deleted = changes.filter((c) => c.before && !c.after);
  const created = changes.filter((c) => !c.before && c.after);
  const modified = changes.filter((c) => c.before && c.after);

  // Renames: a new path holding exactly what a deleted path held.
  const byContent = new Map<string, FileChange[]>();
  for (const d of deleted) {
    const key = contentKey(d.before as FileState);
    byContent.set(key, [...(byContent.get(key) ?? []), d]);
  }
  const renames: { from: FileChange; to: FileChange }[] = [];
  const renamedFrom = new Set<string>();
  const renamedTo = new Set<string>();
  for (const c of created) {
    const candidates = byContent.get(contentKey(c.after as FileState)) ?? [];
    const from = candidates.find((d) => !renamedFrom.has(d.path) && sameContent(d.before as FileState, c.after as FileState));
    if (!from) continue;
    renames.push({ from, to: c });
    renamedFrom.add(from.path);
    renamedTo.add(c.path);
  }

  const actions: DemoAction[] = [];
  // Kind changes (file <-> link) are a delete and a create.
  const kindChanged = modified.filter((m) => m.before?.kind !== m.after?.kind);
  const toRemove = [...deleted.filter((d) => !renamedFrom.has(d.path)), ...kindChanged].map((d) => abs(d.path));
  if (toRemove.length) actions.push(bash(removeCommand(toRemove)));
  for (const { from, to } of renames) {
    actions.push(bash(moveCommand(abs(from.path), abs(to.path))));
    const b = from.before as FileState;
    const a = to.after as FileState;
    if (a.kind === 'file' && b.kind === 'file' && a.executable !== b.executable) actions.push(bash(chmodCommand(abs(to.path), a.executable)));
  }
  for (const m of modified) {
    const before = m.before as FileState;
    const after = m.after as FileState;
    if (before.kind !== after.kind) actions.push(...(await createActions(abs(m.path), after, ctx, bash)));
    else if (after.kind === 'symlink') actions.push(bash(removeCommand([abs(m.path)])), bash(symlinkCommand(abs(m.path), after.target, ctx.repoDir)));
    else actions.push(...(await fileEditActions(abs(m.path), before as Extract<FileState, { kind: 'file' }>, after, ctx, bash)));
  }
  for (const c of created.filter((x) => !renamedTo.has(x.path))) actions.push(...(await createActions(abs(c.path), c.after as FileState, ctx, bash)));
  return actions;
}

type FileOf = Extract<FileState, { kind: 'file' }>;

async function createActions(path: string, state: FileState, ctx: EncodeContext, bash: (c: string) => DemoAction): Promise<DemoAction[]> {
  if (state.kind === 'symlink') return [bash(symlinkCommand(path, state.target, ctx.repoDir))];
  const out: DemoAction[] = [];
  const text = utf8Text(state.bytes);
  if (text !== undefined && !text.startsWith('\uFEFF')) {
    const args = { command: 'create', path, file_text: text };
    out.push({ name: 'str_replace_editor', args, observation: await new FileEditor(new MemoryFiles(), { baseDir: () => ctx.repoDir }).run(args) });
  } else {
    out.push(bash(writeBytesCommand(path, state.bytes, ctx.repoDir)));
  }
  if (state.executable) out.push(bash(chmodCommand(path, true)));
  return out;
}

async function fileEditActions(path: string, before: FileOf, after: FileOf, ctx: EncodeContext, bash: (c: string) => DemoAction): Promise<DemoAction[]> {
  const out: DemoAction[] = [];
  if (!before.bytes.equals(after.bytes)) {
    const edits = await editorEdits(path, before.bytes, after.bytes, ctx);
    if (edits) out.push(...edits);
    else {
      const text = utf8Text(after.bytes);
      const command = (text !== undefined ? writeTextCommand(path, text, ctx.repoDir) : undefined) ?? writeBytesCommand(path, after.bytes, ctx.repoDir);
      out.push(bash(command));
    }
  }
  if (before.executable !== after.executable) out.push(bash(chmodCommand(path, after.executable)));
  return out;
}

/** Bytes the editor reads and writes back unchanged: UTF-8, no carriage return, no tab, no byte-order mark. */
function editorSafe(bytes: Buffer): boolean {
  // Native scans: a save of a large file must not walk it in JavaScript.
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return !bom && bytes.indexOf(13) === -1 && bytes.indexOf(9) === -1 && isUtf8(bytes);
}

/** `str_replace` / `insert` calls that turn `before` into `after`, checked on a copy; undefined when none do exactly. */
async function editorEdits(path: string, beforeBytes: Buffer, afterBytes: Buffer, ctx: EncodeContext): Promise<DemoAction[] | undefined> {
  if (!editorSafe(beforeBytes) || !editorSafe(afterBytes)) return undefined;
  const hunks = lineHunks(beforeBytes, afterBytes);
  if (!hunks || hunks.length > (ctx.maxEditsPerFile ?? 8)) return undefined;
  const files = new MemoryFiles();
  files.set(path, beforeBytes);
  const editor = new FileEditor(files, { baseDir: () => ctx.repoDir, expandTabsOnEdit: true });
  const actions: DemoAction[] = [];
  let shift = 0;
  for (const h of hunks) {
    const current = (files.get(path) as Buffer).toString('utf8');
    const starts = lineStarts(current);
    const a = starts[h.oldStart + shift] ?? current.length;
    const b = starts[h.oldEnd + shift] ?? current.length;
    const args = editArgs(path, current, a, b, h.replacement);
    try {
      actions.push({ name: 'str_replace_editor', args, observation: await editor.run(args) });
    } catch (err) {
      if (err instanceof ToolError) return undefined;
      throw err;
    }
    shift += h.newCount - (h.oldEnd - h.oldStart);
  }
  return (files.get(path) as Buffer).equals(afterBytes) ? actions : undefined;
}

/** The call replacing current[a, b) (whole lines) by `replacement`. */
function editArgs(path: string, current: string, a: number, b: number, replacement: string): Record<string, string | number> {
  if (a === b && replacement.endsWith('\n') && (a === 0 || current[a - 1] === '\n')) {
    return { command: 'insert', path, insert_line: countNewlines(current, a), new_str: replacement.slice(0, -1) };
  }
  let s = a;
  let e = b;
  const unique = (from: number, to: number) => {
    const old = current.slice(from, to);
    return old !== '' && current.indexOf(old) === from && current.indexOf(old, to) === -1;
  };
  // The smallest context first (lines below preferred), then doubling: a line repeated 10,000 times.
  search: for (let total = 1; total <= LINEAR_WIDENING_LINES && !unique(s, e); total++) {
    for (let up = 0; up <= total; up++) {
      const s2 = retreatLines(current, a, up);
      const e2 = advanceLines(current, b, total - up);
      if (unique(s2, e2)) {
        s = s2;
        e = e2;
        break search;
      }
    }
  }
  if (!unique(s, e)) {
    s = retreatLines(current, a, LINEAR_WIDENING_LINES / 2);
    e = advanceLines(current, b, LINEAR_WIDENING_LINES / 2);
  }
  for (let lines = LINEAR_WIDENING_LINES; !unique(s, e) && !(s === 0 && e === current.length); lines *= 2) {
    s = retreatLines(current, s, lines);
    e = advanceLines(current, e, lines);
  }
  let oldStr = current.slice(s, e);
  let newStr = current.slice(s, a) + replacement + current.slice(b, e);
  // Agents leave the last line end out of both; do the same when it stays exact.
  if (oldStr.endsWith('\n') && newStr.endsWith('\n') && unique(s, e - 1) && oldStr.slice(0, -1) !== newStr.slice(0, -1)) {
    oldStr = oldStr.slice(0, -1);
    newStr = newStr.slice(0, -1);
  }
  return { command: 'str_replace', path, old_str: oldStr, new_str: newStr };
}

interface Hunk {
  /** Old lines [oldStart, oldEnd) are replaced by `replacement` (newCount lines). */
  oldStart: number;
  oldEnd: number;
  replacement: string;
  newCount: number;
}

/** The changed line ranges, near ones merged; undefined when the texts differ too much to be worth it. */
function lineHunks(oldBytes: Buffer, newBytes: Buffer): Hunk[] | undefined {
  // The equal lines at both ends are found on the bytes (UTF-8: a line end is one byte, 0x0a): a
  // save of a large file changes a few lines, and splitting every line of both versions was most
  // of a save's cost. Only the lines between are decoded and diffed.
  const { prefix, suffix } = equalEnds(oldBytes, newBytes);
  const p = countByte(oldBytes, 10, prefix);
  const oldLines = splitLines(oldBytes.toString('utf8', prefix, oldBytes.length - suffix));
  const newLines = splitLines(newBytes.toString('utf8', prefix, newBytes.length - suffix));
  const parts = diffArrays(oldLines, newLines, { maxEditLength: MAX_EDIT_LINES });
  if (!parts) return undefined;
  // Line numbers below count from the first changed line (p); the result adds p back.
  const raw: { oldStart: number; oldEnd: number; added: string[] }[] = [];
  let line = 0;
  for (const part of parts) {
    const last = raw[raw.length - 1];
    const open = last && last.oldEnd === line ? last : undefined;
    if (part.removed) {
      if (open) open.oldEnd += part.count;
      else raw.push({ oldStart: line, oldEnd: line + part.count, added: [] });
      line += part.count;
    } else if (part.added) {
      if (open) open.added.push(...part.value);
      else raw.push({ oldStart: line, oldEnd: line, added: [...part.value] });
    } else {
      line += part.count;
    }
  }
  const merged: { oldStart: number; oldEnd: number; added: string[] }[] = [];
  for (const h of raw) {
    const prev = merged[merged.length - 1];
    if (prev) slideTowards(h, prev.oldEnd, oldLines);
    if (prev && h.oldStart - prev.oldEnd <= MERGE_GAP_LINES) {
      prev.added.push(...oldLines.slice(prev.oldEnd, h.oldStart), ...h.added);
      prev.oldEnd = h.oldEnd;
    } else merged.push({ ...h, added: [...h.added] });
  }
  return merged.map((h) => ({ oldStart: p + h.oldStart, oldEnd: p + h.oldEnd, replacement: h.added.join(''), newCount: h.added.length }));
}

/**
 * The lengths of the longest runs of whole lines both start with (`prefix`) and end with
 * (`suffix`), in bytes, not overlapping: the same lines a line-by-line comparison finds.
 */
function equalEnds(a: Buffer, b: Buffer): { prefix: number; suffix: number } {
  const min = Math.min(a.length, b.length);
  let d = 0;
  while (d + CHUNK <= min && a.compare(b, d, d + CHUNK, d, d + CHUNK) === 0) d += CHUNK;
  while (d < min && a[d] === b[d]) d++;
  // Back to the start of the line holding the first difference (a text that ended there included).
  const prefix = d === 0 ? 0 : a.lastIndexOf(10, d - 1) + 1;
  const room = min - prefix;
  let e = 0;
  while (e + CHUNK <= room && a.compare(b, b.length - e - CHUNK, b.length - e, a.length - e - CHUNK, a.length - e) === 0) e += CHUNK;
  while (e < room && a[a.length - 1 - e] === b[b.length - 1 - e]) e++;
  // Forward to the first position of the equal tail that starts a line in both.
  const startsLine = (t: Buffer, at: number) => at === prefix || t[at - 1] === 10;
  let k = 0;
  if (!(startsLine(a, a.length - e) && startsLine(b, b.length - e))) {
    const nl = a.indexOf(10, a.length - e);
    k = nl === -1 ? e : nl + 1 - (a.length - e);
  }
  return { prefix, suffix: e - k };
}

/** Bytes compared at once (natively) when looking for the first difference. */
const CHUNK = 4096;

function countByte(bytes: Buffer, byte: number, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(byte); i !== -1 && i < end; i = bytes.indexOf(byte, i + 1)) n++;
  return n;
}

/**
 * Among repeated lines a diff may put an added line and a removed one a few lines apart (both are
 * minimal). A pure insert or delete slides up over equal lines until it touches the previous
 * change, when it can, so the two become one edit where the person made one.
 */
function slideTowards(h: { oldStart: number; oldEnd: number; added: string[] }, prevEnd: number, oldLines: string[]): void {
  const pureDelete = h.added.length === 0;
  const pureInsert = h.oldStart === h.oldEnd;
  if (!pureDelete && !pureInsert) return;
  let start = h.oldStart;
  let end = h.oldEnd;
  let added = h.added;
  while (start > prevEnd) {
    const above = oldLines[start - 1];
    if (pureDelete && above === oldLines[end - 1]) {
      start--;
      end--;
    } else if (pureInsert && above === added[added.length - 1]) {
      added = [above as string, ...added.slice(0, -1)];
      start--;
      end--;
    } else break;
  }
  if (start === prevEnd) Object.assign(h, { oldStart: start, oldEnd: end, added });
}

/** Lines with their `\n` kept (the last may have none). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let at = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', at)) {
    lines.push(text.slice(at, nl + 1));
    at = nl + 1;
  }
  if (at < text.length) lines.push(text.slice(at));
  return lines;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  if (starts[starts.length - 1] === text.length && text.length > 0) starts.pop();
  return starts;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function advanceLines(text: string, from: number, lines: number): number {
  let at = from;
  for (let i = 0; i < lines && at < text.length; i++) {
    const nl = text.indexOf('\n', at);
    at = nl === -1 ? text.length : nl + 1;
  }
  return at;
}

function retreatLines(text: string, from: number, lines: number): number {
  let at = from;
  for (let i = 0; i < lines && at > 0; i++) {
    const nl = text.lastIndexOf('\n', at - 2);
    at = nl === -1 ? 0 : nl + 1;
  }
  return at;
}

function contentKey(state: FileState): string {
  return state.kind === 'symlink' ? `link:${state.target}` : `file:${createHash('sha1').update(state.bytes).digest('hex')}`;
}
