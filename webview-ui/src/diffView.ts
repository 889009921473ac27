import type { PatchStats } from '../../src/shared/patchStats';
import { h, plural } from './dom';

export function statsLine(stats: PatchStats): HTMLElement {
  return h(
    'span',
    { class: 'stats' },
    plural(stats.files.length, 'file'),
    ' · ',
    h('span', { class: 'added' }, `+${stats.added}`),
    ' ',
    h('span', { class: 'removed' }, `−${stats.removed}`),
  );
}

export function fileList(stats: PatchStats): HTMLElement {
  return h(
    'ul',
    { class: 'file-list' },
    ...stats.files.map((f) => h('li', {}, h('code', {}, f.path), ' ', h('span', { class: 'added' }, `+${f.added}`), ' ', h('span', { class: 'removed' }, `−${f.removed}`))),
  );
}

/** A unified diff with per-line classes so the theme's diff colours apply. */
export function unifiedDiff(patch: string, maxLines = 4000): HTMLElement {
  const lines = patch.replace(/\n$/, '').split('\n');
  const shown = lines.slice(0, maxLines);
  const pre = h('pre', { class: 'diff', tabindex: 0, 'aria-label': 'unified diff' });
  for (const line of shown) {
    let cls = 'd-ctx';
    if (line.startsWith('diff --git') || line.startsWith('index ') || line.startsWith('--- ') || line.startsWith('+++ ') || /^(new|deleted) file mode/.test(line)) cls = 'd-meta';
    else if (line.startsWith('@@')) cls = 'd-hunk';
    else if (line.startsWith('+')) cls = 'd-add';
    else if (line.startsWith('-')) cls = 'd-del';
    pre.append(h('span', { class: `line ${cls}` }, line || ' '));
  }
  if (lines.length > shown.length) pre.append(h('span', { class: 'line d-meta' }, `… ${lines.length - shown.length} more lines`));
  return pre;
}
