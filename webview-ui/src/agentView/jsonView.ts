import { h } from '../dom';

const STRING_CLIP = 600;

function scalar(value: unknown): HTMLElement {
  if (typeof value === 'string') {
    const full = JSON.stringify(value);
    if (full.length <= STRING_CLIP) return h('span', { class: 'j-str' }, full);
    const el = h('span', { class: 'j-str' }, `${full.slice(0, STRING_CLIP)}…`);
    const more = h('button', { class: 'link-button', title: 'Show the whole string' }, `(${value.length.toLocaleString('en-US')} characters: show all)`);
    more.addEventListener('click', () => {
      el.textContent = full;
      more.remove();
    });
    return h('span', {}, el, ' ', more);
  }
  if (value === null) return h('span', { class: 'j-null' }, 'null');
  if (typeof value === 'number') return h('span', { class: 'j-num' }, String(value));
  if (typeof value === 'boolean') return h('span', { class: 'j-bool' }, String(value));
  return h('span', { class: 'j-null' }, String(value));
}

/**
 * A collapsible JSON tree. Children are built when a node is first opened: a request body holds
 * the whole conversation, and most of it is never looked at.
 */
export function jsonTree(value: unknown, name?: string, openDepth = 1, depth = 0): HTMLElement {
  const label = name === undefined ? null : h('span', { class: 'j-key' }, `${name}: `);
  if (value === null || typeof value !== 'object') return h('div', { class: 'j-row' }, label, scalar(value));
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summaryText = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`;
  const details = h('details', { class: 'j-node' }, h('summary', {}, label, h('span', { class: 'j-meta' }, summaryText)));
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    details.append(h('div', { class: 'j-children' }, ...entries.map(([k, v]) => jsonTree(v, k, openDepth, depth + 1))));
  };
  details.addEventListener('toggle', () => details.open && build());
  if (depth < openDepth) {
    details.open = true;
    build();
  }
  return details;
}
