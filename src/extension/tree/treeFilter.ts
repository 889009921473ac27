import type { TaskInstance } from '../../core/dataset/taskInstance';
import type { InstanceStatus } from '../../shared/instancePage';
import { difficultyOf, difficultyScore } from '../datasets/difficulty';

export type SortOrder = 'dataset' | 'id' | 'easiest' | 'hardest' | 'annotatedEasiest' | 'annotatedHardest';

export const SORT_LABELS: Record<SortOrder, string> = {
  dataset: 'Dataset order',
  id: 'Instance id',
  easiest: 'Difficulty: easiest first',
  hardest: 'Difficulty: hardest first',
  annotatedEasiest: 'Annotated difficulty: easiest first',
  annotatedHardest: 'Annotated difficulty: hardest first',
};

/** What the tree shows: a text query, repository and status filters, and an order. */
export interface TreeFilter {
  text: string;
  /** Empty: every repository. */
  repos: ReadonlySet<string>;
  /** Empty: every status. */
  statuses: ReadonlySet<InstanceStatus>;
  sort: SortOrder;
}

export const NO_FILTER: TreeFilter = { text: '', repos: new Set(), statuses: new Set(), sort: 'dataset' };

export function isFiltering(f: TreeFilter): boolean {
  return f.text !== '' || f.repos.size > 0 || f.statuses.size > 0;
}

/**
 * Id matches are cheap; the issue text is read only for instances whose id does not match (and
 * for lazily loaded datasets that is a disk read, hence done per repository when it is expanded).
 */
export function matchesText(instance: TaskInstance, needle: string): boolean {
  if (needle === '') return true;
  const n = needle.toLowerCase();
  return instance.instance_id.toLowerCase().includes(n) || instance.problem_statement.toLowerCase().includes(n);
}

/** `annotationScore`: people's answers as one number (hardest highest), undefined when nobody answered. */
export function applyFilter(instances: readonly TaskInstance[], filter: TreeFilter, statusOf: (id: string) => InstanceStatus, annotationScore?: (id: string) => number | undefined): TaskInstance[] {
  let out = instances.filter(
    (i) => (filter.statuses.size === 0 || filter.statuses.has(statusOf(i.instance_id))) && matchesText(i, filter.text),
  );
  switch (filter.sort) {
    case 'id':
      out = out.sort((a, b) => a.instance_id.localeCompare(b.instance_id, 'en', { numeric: true }));
      break;
    case 'easiest':
    case 'hardest': {
      const sign = filter.sort === 'easiest' ? 1 : -1;
      const score = new Map(out.map((i) => [i, difficultyScore(difficultyOf(i))]));
      out = out.sort((a, b) => sign * ((score.get(a) ?? 0) - (score.get(b) ?? 0)) || a.instance_id.localeCompare(b.instance_id));
      break;
    }
    case 'annotatedEasiest':
    case 'annotatedHardest': {
      // Unannotated instances go last either way: the order is about what people said.
      const sign = filter.sort === 'annotatedEasiest' ? 1 : -1;
      const score = new Map(out.map((i) => [i, annotationScore?.(i.instance_id)]));
      const key = (i: TaskInstance) => score.get(i);
      out = out.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        if (x === undefined || y === undefined) return (x === undefined ? 1 : 0) - (y === undefined ? 1 : 0) || a.instance_id.localeCompare(b.instance_id);
        return sign * (x - y) || a.instance_id.localeCompare(b.instance_id);
      });
      break;
    }
    case 'dataset':
      break;
  }
  return out;
}

export function describeFilter(f: TreeFilter): string {
  const parts: string[] = [];
  if (f.text) parts.push(`“${f.text}”`);
  if (f.repos.size) parts.push(`repos: ${[...f.repos].join(', ')}`);
  if (f.statuses.size) parts.push(`status: ${[...f.statuses].join(', ')}`);
  if (f.sort !== 'dataset') parts.push(SORT_LABELS[f.sort]);
  return parts.join(' · ');
}
