// Difficulty annotations: the store on disk, `swe-gym validate`'s automatic flags on a real
// container run of a sample made unsound the ways real SWE-bench rows are (pydicom-1458's
// absolute-path ids, a FAIL_TO_PASS test that passes on the base, a listed test no log holds),
// and `swe-gym annotations` (the real CLI in a child process) putting both beside the figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnnotationStore } from '../../../src/core/annotations/annotationStore';
import type { DifficultyAnnotation } from '../../../src/core/annotations/annotation';
import { validationFlags } from '../../../src/core/annotations/validationFlags';
import { unmatchableTests } from '../../../src/core/harness/testIdChecks';
import { validateInstances } from '../../../src/core/harness/validateInstances';
import { TRAJECTORY_FORMAT, type ClosedTrajectory } from '../../../src/core/trajectory/trajectoryTypes';
import { runtime, TEST_SESSION } from '../../support/docker';
import { samples } from '../../support/samples';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');
const ID = 'swe-gym-studio__confini-7';
// As in pydicom__pydicom-1458: the collecting machine's checkout path is part of the id.
const ABSOLUTE = '/n/fs/p-swe-bench/temp/confini/tmpq8x2/confini__confini-7/tests/test_config.py::test_get';
const NOT_IN_LOG = 'tests/test_config.py::test_that_was_renamed_long_ago';

function answer(over: Partial<DifficultyAnnotation> = {}): DifficultyAnnotation {
  return { instance_id: ID, annotator: 'Ada', difficulty: '15 min - 1 hour', underspecified: 1, false_negative: 0, notes: 'comment char "#" or ";", inline', annotated_at: '2026-11-30T08:00:00.000Z', ...over };
}

test('the store: one answer per instance and annotator, durable JSON, bad records and foreign files refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-annotations-'));
  try {
    const file = path.join(dir, 'Ada', 'annotations.json');
    const store = AnnotationStore.open(file, 'Ada');
    await store.put(answer());
    await store.put(answer({ instance_id: 'swe-gym-studio__argsy-9', difficulty: '<15 min fix' }));
    await store.put(answer({ underspecified: 2, notes: 'second thoughts' }));
    const again = AnnotationStore.open(file, 'Ada');
    assert.equal(again.all().length, 2);
    assert.equal(again.get(ID)?.underspecified, 2, 'the latest answer replaces the earlier one');
    assert.equal(again.get(ID)?.notes, 'second thoughts');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['annotations.json'], 'no temp or lock file left beside it');
    await assert.rejects(() => again.put(answer({ underspecified: 4 as 0 })), /underspecified must be 0, 1, 2 or 3, got 4/);
    await assert.rejects(() => again.put(answer({ difficulty: 'a week' as '<15 min fix' })), /difficulty must be one of/);
    await assert.rejects(() => again.put(answer({ annotator: 'Bob' })), /answers of "Ada", not "Bob"/);
    assert.equal(AnnotationStore.open(file, 'Ada').get(ID)?.underspecified, 2, 'a refused answer changes nothing on disk');
    assert.throws(() => AnnotationStore.open(file, 'Bob'), /holds the annotations of "Ada"/);
    fs.writeFileSync(path.join(dir, 'other.json'), '{"hello": 1}');
    assert.throws(() => AnnotationStore.open(path.join(dir, 'other.json'), 'Ada'), /other\.json is not an annotations file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('validate flags ids no log can hold, F2P passing on the base and tests missing from the log; annotations exports them beside the answers and figures', async () => {
  const ds = await samples();
  const original = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(original);
  const passesOnBase = original.PASS_TO_PASS[0]!;
  const unsound = { ...original, FAIL_TO_PASS: [...original.FAIL_TO_PASS, passesOnBase], PASS_TO_PASS: [...original.PASS_TO_PASS.slice(1), ABSOLUTE, NOT_IN_LOG] };
  const [v] = await validateInstances(runtime, { ...ds, instances: [unsound] }, [unsound], { goldRuns: 2, allowPull: false, sessionId: TEST_SESSION });
  assert.ok(v);
  assert.equal(v.ok, false);
  assert.deepEqual(v.gold.map((g) => g.status), ['unresolved', 'unresolved'], 'listed tests that never run make the gold patch fail');
  assert.deepEqual(v.unmatchableTests.map((u) => [u.id, u.list]), [[ABSOLUTE, 'PASS_TO_PASS']]);
  assert.match(v.unmatchableTests[0]!.reason, /absolute path of the machine that collected it .*\/testbed/);
  assert.deepEqual(v.missingTests, [ABSOLUTE, NOT_IN_LOG]);
  assert.deepEqual(v.passingOnBase, [passesOnBase]);
  assert.deepEqual(v.flakyTests, [], 'the sample is deterministic: two gold runs agree');
  assert.ok(v.problems.some((p) => p.includes('can never match a log')) && v.problems.some((p) => p.includes('missing from every gold log')));

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'swe-gym-annotations-export-'));
  try {
    // What `swe-gym validate --json` prints for it.
    const validation = path.join(root, 'validate.json');
    fs.writeFileSync(validation, JSON.stringify({ total: 1, valid: 0, instances: [{ instance_id: ID, ok: v.ok, flags: validationFlags(v) }] }));
    // An annotator's folder (answers + a resolved demonstration) and an agent run folder.
    const demos = path.join(root, 'demonstrations');
    await AnnotationStore.open(path.join(demos, 'Ada', 'annotations.json'), 'Ada').put(answer());
    await AnnotationStore.open(path.join(demos, 'Bob', 'annotations.json'), 'Bob').put(answer({ annotator: 'Bob', difficulty: '1-4 hours', underspecified: 3, notes: '=HYPERLINK("x")' }));
    writeTrajectory(path.join(demos, 'Ada'), 0, { demonstration: { origin: 'human', annotator: 'Ada', active_ms: 754_000, idle_gaps: [], reveals: [], test_runs: [], recorded_steps: 4, resumed_after_crash: 0 } }, true);
    writeTrajectory(path.join(demos, 'Bob'), 0, { demonstration: { origin: 'human', annotator: 'Bob', active_ms: 1_300_000, idle_gaps: [], reveals: [], test_runs: [], recorded_steps: 9, resumed_after_crash: 0 } }, true);
    const agents = path.join(root, 'runs', 'rollout-1');
    writeTrajectory(agents, 0, {}, true);
    writeTrajectory(agents, 1, {}, false);
    writeTrajectory(agents, 2, {}, false);
    writeTrajectory(agents, 3, { environment: { kind: 'dev', startedClean: false, counted: false } as unknown as ClosedTrajectory['environment'] }, true);

    const jsonl = path.join(root, 'out', 'annotations.jsonl');
    fs.mkdirSync(path.dirname(jsonl));
    const r = await swegym(['annotations', '--dataset', 'samples', '--runs', demos, '--runs', path.join(root, 'runs'), '--validation', validation, '--out', jsonl, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).rows, 2);
    const rows = fs.readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((x) => [x.annotator, x.difficulty, x.underspecified, x.human_time_to_solve_ms]), [['Ada', '15 min - 1 hour', 1, 754_000], ['Bob', '1-4 hours', 3, 1_300_000]]);
    const ada = rows[0];
    // The gold patch's size, counted here from its text: files, and changed lines without the ---/+++ headers.
    const goldFiles = (original.patch.match(/^diff --git /gm) ?? []).length;
    const goldLines = original.patch.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l)).length;
    assert.ok(goldLines > 0);
    assert.equal(ada.gold_patch_files, goldFiles);
    assert.equal(ada.gold_patch_lines, goldLines);
    assert.equal(ada.fail_to_pass, original.FAIL_TO_PASS.length);
    assert.deepEqual([ada.agent_rollouts, ada.agent_resolved, ada.agent_success_rate], [3, 1, 1 / 3], 'a rollout from an unclean dev container does not count');
    assert.deepEqual([ada.human_demonstrations, ada.human_resolved, ada.human_median_time_to_solve_ms], [2, 2, 1_027_000]);
    assert.deepEqual(ada.unmatchable_tests, [], 'the dataset row itself is sound');
    assert.deepEqual(ada.missing_from_log, [ABSOLUTE, NOT_IN_LOG]);
    assert.deepEqual(ada.fail_to_pass_passing_on_base, [passesOnBase]);
    assert.equal(ada.validation_gold_runs, 2);

    const csv = path.join(root, 'out', 'annotations.csv');
    const c = await swegym(['annotations', '--dataset', 'samples', '--runs', demos, '--validation', validation, '--out', csv, '--all']);
    assert.equal(c.code, 0, c.stderr);
    const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 1 + 1 + ds.instances.length, 'header, two answers for confini, one row for every other instance');
    const header = lines[0]!.split(',');
    // The CSV carries the same objective figures as the JSONL, by column name.
    const table = lines.map(csvFields);
    const adaCsv = Object.fromEntries(header.map((h, i) => [h, table.find((r) => r[0] === ID && r[2] === 'Ada')![i]]));
    assert.deepEqual(
      [adaCsv.gold_patch_files, adaCsv.gold_patch_lines, adaCsv.fail_to_pass, adaCsv.agent_rollouts, adaCsv.agent_success_rate, adaCsv.human_time_to_solve_ms, adaCsv.human_median_time_to_solve_ms],
      [String(goldFiles), String(goldLines), String(original.FAIL_TO_PASS.length), '0', '', '754000', '1027000'],
      'no --runs for the agents here: no rollouts, an empty success rate',
    );
    assert.equal(adaCsv.notes, 'comment char "#" or ";", inline');
    const bob = lines.find((l) => l.includes(',Bob,'))!;
    assert.ok(bob.includes(`"'=HYPERLINK(""x"")"`), 'a note that looks like a formula is quoted and neutralised');
    assert.ok(header.includes('missing_from_log_count') && header.includes('unmatchable_test_ids'));
    const other = lines.find((l) => l.startsWith('swe-gym-studio__argsy-9,'))!;
    assert.match(other, /^swe-gym-studio__argsy-9,[^,]+,,,,,,,/, 'an instance nobody annotated: figures only');

    // The issue's own form (no folders): the figures of every instance, and a note on where answers come from.
    const bare = await swegym(['annotations', '--dataset', 'samples', '--out', path.join(root, 'bare.jsonl'), '--all']);
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stderr, /no --runs given, so no answers or trajectories were read/);
    const bareRows = fs.readFileSync(path.join(root, 'bare.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(bareRows.length, ds.instances.length);
    assert.deepEqual(bareRows.find((x) => x.instance_id === ID)?.gold_patch_lines, goldLines);

    const bad = await swegym(['annotations', '--dataset', 'samples', '--out', path.join(root, 'x.txt')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--out must end in \.csv or \.jsonl/);
    const old = path.join(root, 'old.json');
    fs.writeFileSync(old, JSON.stringify({ instances: [{ instance_id: ID, ok: true }] }));
    const stale = await swegym(['annotations', '--dataset', 'samples', '--validation', old, '--out', jsonl]);
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /older swe-gym validate/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('ids no log can hold are found from the row alone: pydicom-1458-style absolute paths, whitespace under the token parsers', () => {
  const tests = { FAIL_TO_PASS: ['tests/a.py::t[x y]'], PASS_TO_PASS: [ABSOLUTE, 'C:\\work\\tests\\a.py::t', 'tests/a.py::fine', ' '] };
  assert.deepEqual(unmatchableTests(tests, 'pytest', '/testbed').map((u) => u.id), ['tests/a.py::t[x y]', ABSOLUTE, 'C:\\work\\tests\\a.py::t', ' ']);
  assert.deepEqual(unmatchableTests(tests, 'django', '/testbed').map((u) => u.id), [ABSOLUTE, 'C:\\work\\tests\\a.py::t', ' '], 'django names hold spaces');
});

/** One CSV line's fields (RFC 4180 quoting; the file's lines hold no line breaks inside a field here). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i++;
        } else if (line[i] === '"') break;
        else v += line[i];
      }
      out.push(v);
      i += 2;
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

function writeTrajectory(dir: string, index: number, extra: Partial<ClosedTrajectory>, resolved: boolean): void {
  fs.mkdirSync(dir, { recursive: true });
  const t = {
    format: TRAJECTORY_FORMAT, rollout_id: `${ID}_${index}`, run_id: path.basename(dir), instance_id: ID, index, model: extra.demonstration ? 'human' : 'scripted', template: 'swe-gym', config: {},
    started_at: '2026-11-30T07:00:00.000Z', finished_at: `2026-11-30T07:${String(10 + index).padStart(2, '0')}:00.000Z`, exit_reason: 'finished', steps: 3,
    usage: { prompt_tokens: 0, completion_tokens: 0, estimated: false }, cost_usd: 0, duration_ms: 1000, messages: [], tools: [], step_records: [], patch: 'diff --git a/x b/x\n',
    reward: { resolved, status: resolved ? 'resolved' : 'unresolved' }, events_file: `${ID}_${index}.jsonl`, ...extra,
  };
  fs.writeFileSync(path.join(dir, `${ID}_${index}.json`), JSON.stringify(t));
}

function swegym(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
