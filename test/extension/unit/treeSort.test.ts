/** The tree's annotated-difficulty sort orders (plain Node: treeFilter has no VS Code in it). */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { applyFilter, NO_FILTER } from '../../../src/extension/tree/treeFilter';

const rows = ['a__x-1', 'a__x-2', 'a__x-3', 'a__x-4'].map((instance_id) => ({ instance_id, problem_statement: '', patch: '', FAIL_TO_PASS: [], PASS_TO_PASS: [] }) as unknown as TaskInstance);
const scores: Record<string, number> = { 'a__x-2': 300, 'a__x-3': 12, 'a__x-4': 300 };

it('sorts by people’s answers, hardest or easiest first, unannotated last either way, ties by id', () => {
  const ids = (sort: 'annotatedHardest' | 'annotatedEasiest') => applyFilter(rows, { ...NO_FILTER, sort }, () => 'not-started', (id) => scores[id]).map((i) => i.instance_id);
  assert.deepEqual(ids('annotatedHardest'), ['a__x-2', 'a__x-4', 'a__x-3', 'a__x-1']);
  assert.deepEqual(ids('annotatedEasiest'), ['a__x-3', 'a__x-2', 'a__x-4', 'a__x-1']);
  assert.deepEqual(applyFilter(rows, { ...NO_FILTER, sort: 'annotatedHardest' }, () => 'not-started').map((i) => i.instance_id), ['a__x-1', 'a__x-2', 'a__x-3', 'a__x-4'], 'no annotations: id order');
});
