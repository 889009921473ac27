// Files met in a folder of runs that are not trajectories but are known: a SWE-bench predictions
// file (what `swe-gym export --format predictions` writes) is told as a note with its patch count
// and how to grade it, not as a bad file; a run folder's own exports/ (written by `swe-gym export`)
// is not read again as more runs. No containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { exportRun } from '../../../src/core/trajectory/exportRows';
import { importRuns } from '../../../src/core/trajectory/import/importRuns';
import { readRuns, type ImportItem } from '../../../src/core/trajectory/import/readRuns';
import { samples } from '../../support/samples';

const FORMATS = path.join(__dirname, '../../../../test/fixtures/trajectories/formats');
const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

async function items(target: string): Promise<ImportItem[]> {
  const out: ImportItem[] = [];
  for await (const item of readRuns(target)) out.push(item);
  return out;
}

const kinds = (list: ImportItem[]) => ({
  runs: list.filter((i) => 'run' in i).length,
  failures: list.flatMap((i) => ('failure' in i ? [`${path.basename(i.failure.file)}: ${i.failure.error}`] : [])),
  notes: list.flatMap((i) => ('note' in i ? [`${path.basename(i.note.file)}: ${i.note.message}`] : [])),
});

test('a run folder with its exports/ reads its runs once and says what exports/ is; a predictions file is a note with its patch count', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-known-files-'));
  try {
    const run = path.join(dir, 'run');
    const imported = await importRuns(FORMATS, await samples(), { outDir: run });
    assert.equal(imported.imported.length, 7);
    for (const format of ['swe-gym', 'sft', 'predictions'] as const) await exportRun(run, format);
    assert.deepEqual((await fs.readdir(path.join(run, 'exports'))).sort(), ['predictions.jsonl', 'sft.jsonl', 'swe-gym.jsonl']);

    // The run folder: its seven runs, not fourteen; exports/ is one note, no failure.
    const inRun = kinds(await items(run));
    assert.deepEqual(inRun.failures, []);
    assert.equal(inRun.runs, 7, 'the exported rows are not read again as runs');
    assert.deepEqual(inRun.notes, [
      `exports: this run folder's own exports (predictions.jsonl, sft.jsonl, swe-gym.jsonl), not read again: its runs are the trajectories beside it; grade predictions.jsonl with swe-gym eval --dataset D --predictions ${path.join(run, 'exports', 'predictions.jsonl')}`,
    ]);

    // The exports folder opened itself: its rows are runs, its predictions file a note.
    const inExports = kinds(await items(path.join(run, 'exports')));
    assert.deepEqual(inExports.failures, []);
    assert.equal(inExports.runs, 7, 'swe-gym.jsonl rows (sft.jsonl is empty: no run was graded here)');
    assert.deepEqual(inExports.notes, [`predictions.jsonl: predictions file, 1 patch, not a trajectory: grade it with swe-gym eval --dataset D --predictions ${path.join(run, 'exports', 'predictions.jsonl')}`]);

    // Predictions elsewhere: JSON Lines, a JSON list, SWE-bench's dict keyed by instance id.
    const loose = path.join(dir, 'loose');
    await fs.mkdir(loose);
    const line = JSON.parse((await fs.readFile(path.join(run, 'exports', 'predictions.jsonl'), 'utf8')).trim()) as Record<string, unknown>;
    const empty = { ...line, instance_id: 'swe-gym-studio__other-1', model_patch: '' };
    await fs.writeFile(path.join(loose, 'all_preds.jsonl'), `${JSON.stringify(line)}\n${JSON.stringify(empty)}\n`);
    await fs.writeFile(path.join(loose, 'list.json'), JSON.stringify([line, line]));
    await fs.writeFile(path.join(loose, 'by-id.json'), JSON.stringify({ [String(line.instance_id)]: line }));
    const inLoose = kinds(await items(loose));
    assert.deepEqual(inLoose.failures, []);
    assert.deepEqual(
      inLoose.notes.map((n) => n.replace(/ --predictions .*$/, '')),
      ['all_preds.jsonl: predictions file, 1 patch (and 1 empty), not a trajectory: grade it with swe-gym eval --dataset D', 'by-id.json: predictions file, 1 patch, not a trajectory: grade it with swe-gym eval --dataset D', 'list.json: predictions file, 2 patches, not a trajectory: grade it with swe-gym eval --dataset D'],
    );

    // The CLI says so and does not fail on a folder that holds only predictions.
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'import', loose, '--dataset', 'samples', '--out', path.join(dir, 'out')], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr })),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note: .*all_preds\.jsonl: predictions file, 1 patch \(and 1 empty\)/);
    assert.doesNotMatch(r.stderr, /skipped|not a trajectory in any known format/);
    assert.match(r.stdout, /^0 run\(s\) imported into .*, 3 note\(s\) \(see above\)/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
