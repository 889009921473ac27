/**
 * The run record (a person's run and an agent's reward alike) is made from the spec the
 * evaluation ran with: its test lists and its install step, never the row again (a lazy row reads
 * its lists from disk on every access, and the spec is what graded the run). Plain Node, on a real
 * gold log of the confini sample captured from its container.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { it } from 'node:test';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import type { EvaluationResult } from '../../../src/core/harness/evaluationResult';
import { gradeWithSpec } from '../../../src/core/spec/gradeWithSpec';
import { toRunRecord } from '../../../src/extension/evaluation/runRecord';
import { sample, sampleSpec } from '../../support/samples';

const ID = 'swe-gym-studio__confini-7';
const GOLD_LOG = path.resolve(__dirname, '../../../../test/fixtures/logs/samples', `${ID}.gold.log`);

it('toRunRecord counts and orders the tests from the spec, and never reads the row’s lists', async () => {
  const original = await sample((i) => i.instance_id === ID, ID);
  let rowReads = 0;
  const row = { ...original } as TaskInstance;
  for (const field of ['FAIL_TO_PASS', 'PASS_TO_PASS'] as const) {
    const value = original[field];
    Object.defineProperty(row, field, { enumerable: true, get: () => (rowReads++, [...value]) });
  }
  const spec = await sampleSpec(row);
  const readsForSpec = rowReads;
  const log = fs.readFileSync(GOLD_LOG, 'utf8');
  const { grade } = gradeWithSpec(spec, log);
  const result = {
    instance_id: ID,
    run_id: 'run-unit',
    model_name_or_path: 'human',
    status: 'resolved',
    resolved: true,
    rules: spec.rules.reference,
    grade: { reference: grade.reference, strict: grade.strict, disagree: grade.disagree },
    statusMap: {},
    patch: original.patch,
    testLog: log,
    applyLog: '',
    skippedInstall: false,
    warnings: [],
    durationMs: 1000,
    timings: { imageMs: 0, containerMs: 0, applyMs: 0, testsMs: 900, removeMs: 0 },
  } satisfies EvaluationResult;

  const record = toRunRecord(spec, result, { files: [], added: 0, removed: 0 }, false);
  assert.equal(rowReads, readsForSpec, 'the run record read the row’s test lists again');
  assert.deepEqual(record.failToPass, { passed: spec.tests.FAIL_TO_PASS.length, total: spec.tests.FAIL_TO_PASS.length });
  assert.deepEqual(record.passToPass, { passed: spec.tests.PASS_TO_PASS.length, total: spec.tests.PASS_TO_PASS.length });
  assert.equal(record.tests?.length, spec.tests.FAIL_TO_PASS.length + spec.tests.PASS_TO_PASS.length);
  for (const t of record.tests ?? []) assert.equal(spec.tests[t.group][t.index], t.id, `${t.group}[${t.index}] is the spec's test at that place`);
  // The sample's install step ran (its marker is in the log): the spec says it has one.
  assert.equal(spec.install.command !== undefined, record.install !== undefined);
});
