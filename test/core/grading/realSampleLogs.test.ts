import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { gradeLog, RULE_SETS } from '../../../src/core/grading/grade';
import { getLogParser } from '../../../src/core/grading/logParsers';
import { parserNameForInstance } from '../../../src/core/harness/specs/logParserTable';

// Logs captured from real evaluations of the bundled samples (gold, untouched base, tempting
// fixes) in their containers: pytest -rA and unittest -v output, with the eval script's set -x.
const LOGS = path.resolve(__dirname, '../../../../test/fixtures/logs/samples');

const log = (id: string, kind: 'gold' | 'base' | 'tempting-fixes') => fs.readFileSync(path.join(LOGS, `${id}.${kind}.log`), 'utf8');

async function instances(): Promise<TaskInstance[]> {
  return (await loadDataset('samples')).instances;
}

test('every real gold log resolves; every real base log fails all FAIL_TO_PASS tests', async () => {
  for (const inst of await instances()) {
    const gold = gradeLog(inst, log(inst.instance_id, 'gold'), 'swe-gym');
    assert.equal(gold.resolution, 'RESOLVED_FULL', `${inst.instance_id} gold: ${gold.notes.join('; ')}`);
    const base = gradeLog(inst, log(inst.instance_id, 'base'), 'swe-gym');
    assert.equal(base.resolution, 'RESOLVED_NO', inst.instance_id);
    assert.equal(base.tests_status.FAIL_TO_PASS.success.length, 0, `${inst.instance_id}: no FAIL_TO_PASS test passes on the base`);
  }
});

test('tempting fixes: the P2P trap breaks maintained tests, the partial fix is partial', async () => {
  const byId = new Map((await instances()).map((i) => [i.instance_id, i]));
  const confini = byId.get('swe-gym-studio__confini-7');
  const textkit = byId.get('swe-gym-studio__textkit-12');
  assert.ok(confini && textkit);
  const trap = gradeLog(confini, log(confini.instance_id, 'tempting-fixes'), 'swe-gym');
  assert.equal(trap.f2p, 1);
  assert.ok(trap.p2p < 1);
  assert.equal(trap.resolution, 'RESOLVED_NO');
  assert.equal(gradeLog(textkit, log(textkit.instance_id, 'tempting-fixes'), 'swe-gym').resolution, 'RESOLVED_PARTIAL');
});

test('parser traps in real output: truncated parametrized ids, collection errors, SKIPPED [1], XFAIL, unittest statuses', async () => {
  const byId = new Map((await instances()).map((i) => [i.instance_id, i]));
  const parse = (id: string, kind: 'gold' | 'base') => {
    const inst = byId.get(id);
    assert.ok(inst);
    return getLogParser(parserNameForInstance(inst))(log(id, kind));
  };
  const textkit = parse('swe-gym-studio__textkit-12', 'gold');
  assert.equal(textkit['tests/test_align.py::test_pad_counts_display_cells[cjk'], 'PASSED', 'ids with spaces are cut at the first space');
  assert.equal(parse('swe-gym-studio__dateranges-21', 'base')['tests/test_range.py'], 'ERROR', 'collection error keyed by file');
  const moneta = parse('swe-gym-studio__moneta-34', 'gold');
  assert.equal(moneta['[1]'], 'SKIPPED', 'SKIPPED [1] path:line gives the key [1]');
  assert.equal(moneta['tests/test_format.py::test_german_separators'], 'XFAIL');
  const argsyBase = parse('swe-gym-studio__argsy-9', 'base');
  assert.ok(Object.values(argsyBase).includes('ERROR') && Object.values(argsyBase).includes('PASSED'), 'unittest -v statuses');
});

test('a PASS_TO_PASS test missing from the log fails the instance under every rule set (real gold logs)', async () => {
  for (const inst of await instances()) {
    const gone = inst.PASS_TO_PASS[0];
    assert.ok(gone, `${inst.instance_id} has PASS_TO_PASS tests`);
    const full = log(inst.instance_id, 'gold');
    // Every line naming exactly that test goes (not the tests whose ids it prefixes).
    const named = new RegExp(`(?:^|\\s)${gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s|$)`);
    const without = full.split('\n').filter((l) => !named.test(l)).join('\n');
    assert.notEqual(without, full);
    for (const rules of RULE_SETS) {
      assert.equal(gradeLog(inst, full, rules).resolved, true, `${inst.instance_id} ${rules}: gold resolves with the test present`);
      const g = gradeLog(inst, without, rules);
      assert.equal(g.rejected, null, `${inst.instance_id} ${rules}: ${g.rejected}`);
      assert.equal(g.resolved, false, `${inst.instance_id} ${rules}: a missing PASS_TO_PASS test is not maintained`);
      assert.deepEqual(g.tests_status.PASS_TO_PASS.failure, [gone], `${inst.instance_id} ${rules}`);
      assert.equal(g.tests.find((t) => t.group === 'PASS_TO_PASS' && t.id === gone)?.status, 'MISSING');
    }
  }
});
