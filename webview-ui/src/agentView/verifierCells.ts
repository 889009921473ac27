// The verifier's best-of-N scores (Score Rollouts with a Verifier) in the run table and the header.
import type { AgentRunRow } from '../../../src/shared/agentView';
import { h, icon } from '../dom';
import { rolloutNumber } from '../../../src/shared/rolloutNumber';

type Scored = AgentRunRow & { verifier: NonNullable<AgentRunRow['verifier']> };

const scored = (rows: readonly AgentRunRow[]): Scored[] => rows.filter((r): r is Scored => !!r.verifier);

/** Whether the table has a Verifier column. */
export function hasScores(rows: readonly AgentRunRow[]): boolean {
  return scored(rows).length > 0;
}

function title(v: Scored['verifier']): string {
  const what = v.score === null ? `no score: ${v.error ?? 'no log-probabilities'}` : `P(YES) ${v.score.toFixed(4)}`;
  return `${v.model}: ${what}${v.picked ? (v.tied ? ' · picked (a tie: the lowest index)' : ' · picked') : ''}`;
}

/** The Verifier cell: P(YES) to three places, a star on the picked rollout. */
export function verifierCell(r: AgentRunRow): HTMLElement {
  const v = r.verifier;
  if (!v) return h('td', { class: 'num muted', title: 'Not scored (not ended, not rewarded, or not counted)' }, '—');
  return h(
    'td',
    { class: `num verifier${v.picked ? ' picked' : ''}`, title: title(v) },
    v.picked ? icon('star-full') : null,
    v.score === null ? ' no score' : ` ${v.score.toFixed(3)}`,
  );
}

/** After the figures line: which rollout the verifier picked and whether it resolved. */
export function verifierSummary(rows: readonly AgentRunRow[]): string {
  const all = scored(rows);
  if (!all.length) return '';
  const picked = all.find((r) => r.verifier.picked);
  const model = all[0]?.verifier.model ?? '';
  if (!picked) return ` · verifier ${model}: no rollout could be scored`;
  return ` · verifier ${model} picks ${rolloutNumber(picked.index)}${picked.verifier.tied ? ' (a tie)' : ''}: ${picked.resolved ? 'resolved' : 'not resolved'} (best-of-${all.length})`;
}

/** The header's mention of the shown rollout's score. */
export function verifierMeta(r: AgentRunRow | undefined): HTMLElement | null {
  const v = r?.verifier;
  if (!v) return null;
  return h('span', { id: 'verifier-score', class: v.picked ? 'passed' : '', title: title(v) }, icon(v.picked ? 'star-full' : 'law'), v.score === null ? ' verifier: no score' : ` verifier ${v.score.toFixed(3)}${v.picked ? ', picked' : ''}`);
}
