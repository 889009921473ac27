import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { gradeLog } from '../../../src/core/grading/grade';
import { getLogParser } from '../../../src/core/grading/logParsers';
import { parserNameForInstance } from '../../../src/core/grading/parserForInstance';

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
