import type { AnnotationView, InstancePageState } from '../../../src/shared/instancePage';
import { button } from '../controls';
import { h, icon, plural, type Slot } from '../dom';

/** Short words for SWE-bench Verified's 0-3 scores (the form shows their full meaning). */
const SPECIFIED = ['well specified', 'some blanks', 'vague', 'unclear'];
const TESTS = ['valid', 'mostly valid', 'reject fair fixes', 'test other things'];

function score(n: number, words: string[]): HTMLElement {
  const cls = n === 0 ? 'passed' : n === 1 ? 'neutral' : 'failed';
  return h('span', { class: `score ${cls}`, title: `${n} of 3 (0 is best)` }, h('span', { class: 'score-n' }, String(n)), ` ${words[n] ?? ''}`);
}

function row(a: AnnotationView): HTMLElement {
  const mins = a.demonstrationMs !== undefined ? ` · solved in ${Math.max(1, Math.round(a.demonstrationMs / 60_000))} min` : '';
  return h(
    'tr',
    { class: a.mine ? 'mine' : '' },
    h('td', {}, a.annotator, a.mine ? h('span', { class: 'muted small' }, ' (you)') : null),
    h('td', {}, a.difficulty),
    h('td', {}, score(a.underspecified, SPECIFIED)),
    h('td', {}, score(a.falseNegative, TESTS)),
    h('td', { class: 'notes' }, a.notes || h('span', { class: 'muted' }, '—')),
    h('td', { class: 'muted small' }, `${new Date(a.at).toLocaleString()}${mins}`),
  );
}

/** The page's "Difficulty annotations" section: everyone's answers, and a button for this person's. */
export function renderAnnotations(sec: { body: Slot; setDescription(d: string): void }, s: InstancePageState, annotate: () => void): void {
  const list = s.annotations ?? [];
  const mine = list.find((a) => a.mine);
  sec.setDescription(list.length ? `${plural(list.length, 'annotator')} · ${[...new Set(list.map((a) => a.difficulty))].join(', ')}` : 'none yet');
  sec.body.set(JSON.stringify(list), () => [
    list.length
      ? h(
          'table',
          { id: 'annotation-table', class: 'history annotations' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Annotator'), h('th', {}, 'Time to fix'), h('th', {}, 'Issue'), h('th', {}, 'Tests'), h('th', {}, 'Notes'), h('th', {}, 'When'))),
          h('tbody', {}, ...list.map(row)),
        )
      : h('p', { class: 'muted' }, icon('info'), ' Nobody has answered SWE-bench Verified’s questions for this instance yet: how long a fix takes, whether the issue is well specified, whether the hidden tests are fair.'),
    h('div', { class: 'row annotate-row' }, button('btn-annotate', mine ? 'Change my answers…' : 'Annotate…', 'edit', annotate, { secondary: !!mine, title: 'Answer the difficulty questions (stored per instance and annotator)' })),
  ]);
}
