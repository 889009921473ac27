import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeRow, type NormalizedRow } from '../../../src/core/dataset/normalizeRow';
import type { DatasetIssue, TaskInstance } from '../../../src/core/dataset/taskInstance';
import { benchRow, gymRow, type Row } from './datasetFixtures';

const ctx = { file: '/data/x.jsonl', row: 7 };

function ok(result: NormalizedRow): TaskInstance {
  if (!result.ok) assert.fail(`expected a valid row, got ${JSON.stringify(result.issues)}`);
  return result.instance;
}

function issues(result: NormalizedRow): DatasetIssue[] {
  if (result.ok) assert.fail('expected the row to be rejected');
  return result.issues;
}

describe('normalizeRow', () => {
  it('keeps a SWE-Gym row with real test lists', () => {
    const row = gymRow();
    const result = normalizeRow(row, ctx);
    const instance = ok(result);
    assert.equal(result.ok && result.testListEncoding, 'array');
    assert.equal(instance.instance_id, row.instance_id);
    assert.deepEqual(instance.FAIL_TO_PASS, row.FAIL_TO_PASS);
    assert.deepEqual(instance.PASS_TO_PASS, ['tests/test_s3.py::test_other', 'tests/test_s3.py::test_param[a b]']);
    assert.equal(instance.patch, row.patch);
    assert.equal(instance.environment_setup_commit, undefined);
  });

  it('decodes SWE-bench JSON-encoded test lists', () => {
    const result = normalizeRow(benchRow({ PASS_TO_PASS: '[]' }), ctx);
    const instance = ok(result);
    assert.equal(result.ok && result.testListEncoding, 'json-string');
    assert.equal(instance.FAIL_TO_PASS.length, 1);
    assert.match(instance.FAIL_TO_PASS[0] ?? '', /^tests\/test_s3\.py::test_\d+$/);
    assert.deepEqual(instance.PASS_TO_PASS, []);
    assert.equal(instance.environment_setup_commit, 'c'.repeat(40));
  });

  it('stringifies numeric versions and turns timestamps into ISO text', () => {
    assert.equal(ok(normalizeRow(gymRow({ version: 0.8 }), ctx)).version, '0.8');
    assert.equal(ok(normalizeRow(gymRow({ version: 2023 }), ctx)).version, '2023');
    assert.equal(ok(normalizeRow(gymRow({ version: null }), ctx)).version, '');
    const date = new Date(Date.UTC(2024, 2, 1, 12));
    assert.equal(ok(normalizeRow(gymRow({ created_at: date }), ctx)).created_at, '2024-03-01T12:00:00.000Z');
    assert.equal(ok(normalizeRow(gymRow({ created_at: date.getTime() }), ctx)).created_at, '2024-03-01T12:00:00.000Z');
  });

  it('treats a missing gold patch as empty but a missing test patch as an issue', () => {
    const { patch: _patch, ...noPatch } = gymRow();
    assert.equal(ok(normalizeRow(noPatch, ctx)).patch, '');
    for (const testPatch of [undefined, null, '']) {
      const row = gymRow({ test_patch: testPatch });
      const [issue, ...rest] = issues(normalizeRow(row, ctx));
      assert.deepEqual(rest, []);
      assert.deepEqual(issue, {
        file: '/data/x.jsonl',
        row: 7,
        instance_id: row.instance_id,
        field: 'test_patch',
        message: 'missing: grading needs the test patch',
      });
    }
  });

  it('names the field and the reason for bad test lists', () => {
    const cases: [unknown, RegExp][] = [
      [5, /expected a list of strings or its JSON text, got number 5/],
      ['[tests/a.py::t', /not valid JSON .*"\[tests\/a.py::t"/],
      ['{"a": 1}', /JSON text holds an object, not a list of strings/],
      [['ok', 3], /item 1 is number 3, not a string/],
      [['ok', null], /item 1 is null/],
      [undefined, /missing/],
    ];
    for (const [value, reason] of cases) {
      const found = issues(normalizeRow(gymRow({ FAIL_TO_PASS: value }), ctx));
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.field, 'FAIL_TO_PASS');
      assert.match(found[0]?.message ?? '', reason);
    }
    const p2p = issues(normalizeRow(benchRow({ PASS_TO_PASS: 'nope' }), ctx));
    assert.equal(p2p[0]?.field, 'PASS_TO_PASS');
  });

  it('reports every problem of a row at once', () => {
    const found = issues(normalizeRow({ instance_id: 'x__y-1', repo: 42, FAIL_TO_PASS: [], PASS_TO_PASS: 7 }, ctx));
    assert.deepEqual(
      found.map((i) => i.field),
      ['repo', 'base_commit', 'test_patch', 'PASS_TO_PASS'],
    );
    assert.ok(found.every((i) => i.instance_id === 'x__y-1' && i.row === 7 && i.file === ctx.file));
  });

  it('rejects ids, repos and commits that could escape a path or a command', () => {
    const bad: [Row, string][] = [
      [{ instance_id: '../etc/passwd' }, 'instance_id'],
      [{ instance_id: 'a b' }, 'instance_id'],
      [{ repo: 'getmoto' }, 'repo'],
      [{ repo: 'a/b; rm -rf /' }, 'repo'],
      [{ base_commit: '$(reboot)' }, 'base_commit'],
      [{ environment_setup_commit: 'main' }, 'environment_setup_commit'],
    ];
    for (const [overrides, field] of bad) {
      const found = issues(normalizeRow(gymRow(overrides), ctx));
      assert.deepEqual(
        found.map((i) => i.field),
        [field],
        JSON.stringify(overrides),
      );
    }
    // GitHub's case is kept.
    assert.equal(ok(normalizeRow(gymRow({ instance_id: 'Project-MONAI__MONAI-1010' }), ctx)).instance_id, 'Project-MONAI__MONAI-1010');
  });

  it('keeps the optional per-row overrides and checks their types', () => {
    const instance = ok(
      normalizeRow(
        gymRow({
          image_name: 'swe-gym-studio/sample-textkit:1',
          test_cmd: 'pytest -rA',
          log_parser: 'pytest',
          install_cmd: 'pip install -e .',
          eval_commands: '["export PYTHONPATH=$PYTHONPATH:$(pwd)"]',
          image_build_context: 'tasks/textkit',
          difficulty: '<15 min fix',
        }),
        ctx,
      ),
    );
    assert.deepEqual(instance.eval_commands, ['export PYTHONPATH=$PYTHONPATH:$(pwd)']);
    assert.equal(instance.image_name, 'swe-gym-studio/sample-textkit:1');
    assert.equal(instance.difficulty, '<15 min fix');
    assert.deepEqual(ok(normalizeRow(gymRow({ eval_commands: ['a', 'b'] }), ctx)).eval_commands, ['a', 'b']);
    assert.equal(ok(normalizeRow(gymRow({ image_name: null }), ctx)).image_name, undefined);
    assert.deepEqual(
      issues(normalizeRow(gymRow({ eval_commands: 3, test_cmd: ['pytest'] }), ctx)).map((i) => i.field),
      ['test_cmd', 'eval_commands'],
    );
  });

  it('rejects rows that are not objects', () => {
    for (const value of [null, 3, 'text', [1, 2]]) {
      const [issue] = issues(normalizeRow(value, ctx));
      assert.match(issue?.message ?? '', /row is not an object/);
      assert.equal(issue?.instance_id, undefined);
    }
  });

  it('leaves deferred heavy fields alone', () => {
    const { test_patch: _t, patch: _p, ...row } = gymRow();
    const instance = ok(normalizeRow(row, { ...ctx, deferred: new Set(['test_patch', 'patch'] as const) }));
    assert.equal(instance.test_patch, '');
  });
});
