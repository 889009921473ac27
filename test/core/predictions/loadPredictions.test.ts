import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import type { LoadedDataset } from '../../../src/core/dataset/taskInstance';
import { loadPredictions, PredictionsError, type Prediction } from '../../../src/core/predictions/loadPredictions';
import { gymRow, tempDir, writeJsonl } from '../dataset/datasetFixtures';

async function dataset(t: { after: (fn: () => void) => void }, text: 'memory' | 'lazy' = 'memory'): Promise<LoadedDataset> {
  const dir = tempDir(t);
  const rows = [gymRow({ instance_id: 'Project-MONAI__MONAI-1010' }), gymRow(), gymRow({ patch: null })];
  return loadDataset(writeJsonl(path.join(dir, 'swe-gym-lite.jsonl'), rows), { text });
}

function write(t: { after: (fn: () => void) => void }, name: string, content: unknown): string {
  const file = path.join(tempDir(t, 'sgs-preds-'), name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function problemsOf(promise: Promise<unknown>): Promise<PredictionsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PredictionsError) return err;
    throw err;
  }
  return assert.fail('expected a PredictionsError');
}

describe('loadPredictions', () => {
  it('reads a JSON list, JSON Lines and an object keyed by instance id alike', async (t) => {
    const ds = await dataset(t);
    const [a, b] = ds.instances.map((i) => i.instance_id);
    assert.ok(a && b);
    const expected: Prediction[] = [
      { instance_id: a, model_name_or_path: 'org/model-7b', model_patch: 'diff --git a/x b/x\n' },
      { instance_id: b, model_name_or_path: 'org/model-7b', model_patch: null },
    ];
    const list = write(t, 'preds.json', expected);
    const jsonl = write(t, 'preds.jsonl', expected.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const jsonlNamedJson = write(t, 'all_preds.json', expected.map((p) => JSON.stringify(p)).join('\r\n'));
    const keyed = write(t, 'keyed.json', {
      [a]: { model_name_or_path: 'org/model-7b', model_patch: 'diff --git a/x b/x\n' },
      [b]: { instance_id: b, model_name_or_path: 'org/model-7b', model_patch: null },
    });
    for (const file of [list, jsonl, jsonlNamedJson, keyed]) {
      assert.deepEqual(await loadPredictions(file, ds), expected, file);
    }
    assert.deepEqual(await loadPredictions(write(t, 'none.json', '[]'), ds), []);
  });

  it("'gold' uses each row's own patch, read lazily from big datasets; 'empty' gives empty patches", async (t) => {
    for (const text of ['memory', 'lazy'] as const) {
      const ds = await dataset(t, text);
      const gold = await loadPredictions('gold', ds);
      assert.deepEqual(
        gold.map((p) => ({ ...p })),
        ds.instances.map((i) => ({ instance_id: i.instance_id, model_name_or_path: 'gold', model_patch: i.patch })),
      );
      assert.match(gold[0]?.model_patch ?? '', /^diff --git a\/moto\/s3\/models.py/);
      assert.equal(gold[2]?.model_patch, '');
    }
    const ds = await dataset(t);
    assert.deepEqual(
      await loadPredictions('empty', ds),
      ds.instances.map((i) => ({ instance_id: i.instance_id, model_name_or_path: 'empty', model_patch: '' })),
    );
  });

  it('reports every malformed entry with file, entry and field', async (t) => {
    const ds = await dataset(t);
    const [a, b, c] = ds.instances.map((i) => i.instance_id);
    const file = write(t, 'bad.json', [
      { instance_id: a, model_name_or_path: 'm', model_patch: 'p' },
      { instance_id: b, model_name_or_path: 'm' },
      { instance_id: c, model_name_or_path: '', model_patch: 3 },
      { model_name_or_path: 'm', model_patch: '' },
      'just text',
      { instance_id: a, model_name_or_path: 'm', model_patch: 'again' },
    ]);
    const error = await problemsOf(loadPredictions(file, ds));
    assert.deepEqual(
      error.problems.map((p) => [p.file, p.entry, p.instance_id, p.field]),
      [
        [file, 'entry 1', b, 'model_patch'],
        [file, 'entry 2', c, 'model_name_or_path'],
        [file, 'entry 2', c, 'model_patch'],
        [file, 'entry 3', undefined, 'instance_id'],
        [file, 'entry 4', undefined, undefined],
        [file, 'entry 5', a, 'instance_id'],
      ],
    );
    assert.match(error.message, /^6 problems in predictions .*bad\.json:\n  entry 1, .*, model_patch: missing \(use null for "no patch"\)/);
    assert.match(error.message, /entry 2, .*, model_patch: expected a string or null, got number 3/);
    assert.match(error.message, /entry 5, .*: duplicate of entry 0/);
  });

  it('names bad JSON Lines and keyed entries by line and key', async (t) => {
    const ds = await dataset(t);
    const [a] = ds.instances.map((i) => i.instance_id);
    const jsonl = write(t, 'p.jsonl', `${JSON.stringify({ instance_id: a, model_name_or_path: 'm', model_patch: '' })}\n{oops\n`);
    const lineError = await problemsOf(loadPredictions(jsonl, ds));
    assert.deepEqual(lineError.problems.map((p) => [p.entry, p.field]), [['line 2', undefined]]);
    assert.match(lineError.message, /line 2: not valid JSON/);

    const keyed = write(t, 'k.json', { [String(a)]: { instance_id: 'other__id-1', model_name_or_path: 'm', model_patch: '' } });
    const keyError = await problemsOf(loadPredictions(keyed, ds));
    assert.deepEqual(keyError.problems.map((p) => [p.entry, p.instance_id, p.field]), [[`key "${a}"`, a, 'instance_id']]);
    assert.match(keyError.message, /differs from its key/);

    await assert.rejects(loadPredictions(write(t, 'broken.json', '[{"a": 1},'), ds), /broken\.json is not valid JSON/);
    await assert.rejects(loadPredictions(write(t, 'n.json', '42'), ds), /expected a list of predictions/);
    await assert.rejects(loadPredictions(path.join(tempDir(t), 'missing.json'), ds), /Cannot read predictions .*missing\.json/);
  });

  it('refuses instance ids the dataset does not have, and hints at case slips', async (t) => {
    const ds = await dataset(t);
    const file = write(t, 'preds.json', [
      { instance_id: 'project-monai__monai-1010', model_name_or_path: 'm', model_patch: '' },
      { instance_id: 'django__django-11099', model_name_or_path: 'm', model_patch: '' },
    ]);
    const error = await problemsOf(loadPredictions(file, ds));
    assert.deepEqual(
      error.problems.map((p) => [p.entry, p.instance_id]),
      [
        ['entry 0', 'project-monai__monai-1010'],
        ['entry 1', 'django__django-11099'],
      ],
    );
    assert.match(error.message, /not in dataset swe-gym-lite \(ids are case-sensitive: did you mean Project-MONAI__MONAI-1010\?\)/);
    assert.match(error.message, /django__django-11099, instance_id: not in dataset swe-gym-lite$/m);
  });
});
