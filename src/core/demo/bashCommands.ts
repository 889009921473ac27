import * as posixPath from 'node:path/posix';
import { shellQuote } from '../util/shellQuote';

/**
 * The `execute_bash` command lines the encoder writes for what the editor tool cannot do exactly:
 * deletes, renames, modes, links, and whole-file rewrites of text the editor would alter (tabs it
 * expands, carriage returns it drops) or of bytes that are not text. Multi-line commands reach the
 * shell through a sourced file (see BashSession), so every byte of a heredoc arrives as written.
 */

export function removeCommand(paths: string[]): string {
  return `rm ${paths.map(shellQuote).join(' ')}`;
}

export function moveCommand(from: string, to: string): string {
  const mkdir = posixPath.dirname(from) === posixPath.dirname(to) ? '' : `mkdir -p ${shellQuote(posixPath.dirname(to))} && `;
  return `${mkdir}mv ${shellQuote(from)} ${shellQuote(to)}`;
}

export function chmodCommand(path: string, executable: boolean): string {
  return `chmod ${executable ? '+x' : '-x'} ${shellQuote(path)}`;
}

export function symlinkCommand(path: string, target: string, repoDir: string): string {
  return `${mkdirFor(path, repoDir)}ln -s ${shellQuote(target)} ${shellQuote(path)}`;
}

/** Writes text exactly (any line ends, tabs, no final newline); `undefined` for text a heredoc cannot carry (NUL). */
export function writeTextCommand(path: string, text: string, repoDir: string): string | undefined {
  if (text.includes('\0')) return undefined;
  const q = shellQuote(path);
  const mkdir = mkdirFor(path, repoDir);
  if (text === '') return `${mkdir}: > ${q}`;
  const delimiter = heredocDelimiter(text);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  const trim = text.endsWith('\n') ? '' : `\ntruncate -s -1 ${q}`;
  return `${mkdir}cat > ${q} <<'${delimiter}'\n${body}${delimiter}${trim}`;
}

/** Writes any bytes exactly, as base64. */
export function writeBytesCommand(path: string, bytes: Buffer, repoDir: string): string {
  const b64 = bytes.toString('base64').replace(/.{1,76}/g, '$&\n');
  return `${mkdirFor(path, repoDir)}base64 -d > ${shellQuote(path)} <<'EOF'\n${b64}EOF`;
}

function mkdirFor(path: string, repoDir: string): string {
  const dir = posixPath.dirname(path);
  return dir === repoDir || dir === '/' ? '' : `mkdir -p ${shellQuote(dir)} && `;
}

function heredocDelimiter(text: string): string {
  const lines = new Set(text.split('\n'));
  let d = 'EOF';
  for (let i = 1; lines.has(d); i++) d = `EOF_${i}`;
  return d;
}
