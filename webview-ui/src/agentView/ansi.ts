import Anser from 'anser';
import { h } from '../dom';

/**
 * Terminal colours in observations (a pty makes `git`, `pytest` and `ls` colour their output),
 * shown as the theme's terminal colours; other escapes (cursor moves, titles) are dropped.
 */
const NAMED = /^ansi-(bright-)?(black|red|green|yellow|blue|magenta|cyan|white)$/;

function colour(cls: string | null, truecolor: string | null): string | undefined {
  if (!cls) return undefined;
  if (cls === 'ansi-truecolor' && truecolor) return `rgb(${truecolor})`;
  const m = NAMED.exec(cls);
  if (!m) return undefined;
  const name = (m[2] ?? '').replace(/^./, (c) => c.toUpperCase());
  return `var(--vscode-terminal-ansi${m[1] ? 'Bright' : ''}${name})`;
}

function chunks(text: string) {
  return Anser.ansiToJson(text.replace(/\r\n/g, '\n'), { use_classes: true, remove_empty: true });
}

/** The text as nodes: coloured spans where it had SGR escapes, plain text elsewhere. */
export function ansiNodes(text: string): (Node | string)[] {
  if (!text.includes('\x1b')) return [text.replace(/\r\n/g, '\n')];
  return chunks(text).map((c) => {
    const fg = colour(c.fg, c.fg_truecolor);
    const bg = colour(c.bg, c.bg_truecolor);
    const deco = c.decorations ?? [];
    if (!fg && !bg && deco.length === 0) return c.content;
    const style = [fg ? `color: ${fg}` : '', bg ? `background-color: ${bg}` : '', deco.includes('bold') ? 'font-weight: bold' : '', deco.includes('dim') ? 'opacity: 0.7' : '', deco.includes('italic') ? 'font-style: italic' : '', deco.includes('underline') ? 'text-decoration: underline' : ''].filter(Boolean).join('; ');
    const cls = ['ansi', c.fg && NAMED.test(c.fg) ? `${c.fg}-fg` : ''].filter(Boolean).join(' ');
    return h('span', { class: cls, style }, c.content);
  });
}

/** The text without any terminal escape. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? chunks(text).map((c) => c.content).join('') : text.replace(/\r\n/g, '\n');
}
