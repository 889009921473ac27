import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DatasetLoadError } from '../../../src/core/dataset/errors';
import { hasLazyText } from '../../../src/core/dataset/lazyText';
import { loadDataset, type TextStorage } from '../../../src/core/dataset/loadDataset';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { benchRow, gymRow, tempDir, writeJson, writeJsonl, writeParquet } from './datasetFixtures';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/datasets');

function plain(instance: TaskInstance): TaskInstance {
  return JSON.parse(JSON.stringify(instance)) as TaskInstance;
}

describe('loadDataset: JSON and JSON Lines', () => {
  it('loads a JSON array of SWE-bench rows and reports the bad ones with file, row and field', async (t) => {
    const dir = tempDir(t);
    const rows = [benchRow(), benchRow({ FAIL_TO_PASS: '["unterminated' }), benchRow(), 17];
    const file = writeJson(path.join(dir, 'my-tasks.json'), rows);
    const dataset = await loadDataset(file);
    assert.equal(dataset.name, 'my-tasks');
    assert.equal(dataset.flavor, 'swe-bench'); // neutral name: JSON-encoded lists decide
    assert.deepEqual(dataset.files, [file]);
    assert.deepEqual(
      dataset.instances.map((i) => i.instance_id),
      [rows[0], rows[2]].map((r) => (r as Record<string, unknown>).instance_id),
    );
    assert.deepEqual(
      dataset.issues.map((i) => [i.file, i.row, i.field, i.instance_id]),
      [
        [file, 1, 'FAIL_TO_PASS', (rows[1] as Record<string, unknown>).instance_id],
        [file, 3, undefined, undefined],
      ],
    );
    assert.match(dataset.issues[0]?.message ?? '', /not valid JSON/);
  });

  it('streams JSON Lines: a malformed line is an issue with its line index, the rest loads', async (t) => {
    const dir = tempDir(t);
    const good = [gymRow(), gymRow(), gymRow()];
    const lines = [JSON.stringify(good[0]), '', '{"instance_id": "getmoto__moto-1", ', JSON.stringify(good[1]) + '\r', JSON.stringify(good[2])];
    const file = path.join(dir, 'rows.jsonl');
    fs.writeFileSync(file, '\uFEFF' + lines.join('\n')); // BOM, CRLF line, no final newline
    const progress: number[] = [];
    const dataset = await loadDataset(file, { onProgress: (n) => progress.push(n) });
    assert.deepEqual(
      dataset.instances.map((i) => i.instance_id),
      good.map((r) => r.instance_id),
    );
    assert.equal(dataset.flavor, 'swe-gym'); // real lists
    assert.equal(dataset.issues.length, 1);
    assert.equal(dataset.issues[0]?.row, 2);
    assert.match(dataset.issues[0]?.message ?? '', /line 3 is not valid JSON/);
    assert.equal(progress.at(-1), 4);
  });

  it('keeps the first of duplicate instance ids and reports the others', async (t) => {
    const dir = tempDir(t);
    const first = gymRow();
    const again = { ...gymRow(), instance_id: first.instance_id, patch: 'second' };
    const file = writeJsonl(path.join(dir, 'dups.jsonl'), [first, gymRow(), again]);
    const dataset = await loadDataset(file);
    assert.equal(dataset.instances.length, 2);
    assert.equal(dataset.instances[0]?.patch, first.patch);
    assert.deepEqual(dataset.issues, [
      { file, row: 2, instance_id: first.instance_id, field: 'instance_id', message: `duplicate of row 0 in ${file}; the first one is kept` },
    ]);
  });

  it('reads a .json file holding JSON Lines (what Dataset.to_json writes)', async (t) => {
    const dir = tempDir(t);
    const file = writeJsonl(path.join(dir, 'export.json'), [gymRow(), gymRow()]);
    assert.equal((await loadDataset(file)).instances.length, 2);
  });

  it('refuses sources it cannot read, naming them', async (t) => {
    const dir = tempDir(t);
    const single = path.join(dir, 'wrapped.json');
    fs.writeFileSync(single, JSON.stringify({ rows: [gymRow()] }, null, 2));
    await assert.rejects(loadDataset(single), (e: Error) => e instanceof DatasetLoadError && /single JSON object/.test(e.message));
    const csv = path.join(dir, 'rows.csv');
    fs.writeFileSync(csv, 'a,b');
    await assert.rejects(loadDataset(csv), /Unsupported dataset file .*rows\.csv/);
    await assert.rejects(loadDataset(path.join(dir, 'nope.jsonl')), /Dataset source not found: .*nope\.jsonl/);
    const broken = path.join(dir, 'broken.parquet');
    fs.writeFileSync(broken, 'PAR1 not really');
    await assert.rejects(loadDataset(broken), (e: Error) => e instanceof DatasetLoadError && e.message.includes(broken));
  });

  it('loads the checked-in fixtures', async () => {
    const bench = await loadDataset(path.join(FIXTURES, 'swe-bench-style.json'));
    assert.equal(bench.flavor, 'swe-bench');
    assert.ok(bench.instances.length >= 2);
    assert.deepEqual(bench.issues, []);
    const gym = await loadDataset(path.join(FIXTURES, 'swe-gym-style.jsonl'));
    assert.equal(gym.flavor, 'swe-gym');
    assert.ok(gym.instances.every((i) => Array.isArray(i.FAIL_TO_PASS) && i.FAIL_TO_PASS.length > 0));
    assert.equal(gym.issues.length, 1);
  });
});

describe('loadDataset: lazy text', () => {
  it('keeps JSONL heavy text on disk and reads it back on access', async (t) => {
    const dir = tempDir(t);
    const rows = [gymRow({ problem_statement: 'é ünïcödé ✓ '.repeat(50) }), gymRow(), gymRow()];
    const file = writeJsonl(path.join(dir, 'rows.jsonl'), rows);
    const eager = await loadDataset(file, { text: 'memory' });
    const lazy = await loadDataset(file, { text: 'lazy' });
    assert.ok(lazy.instances.every(hasLazyText));
    assert.ok(!eager.instances.some(hasLazyText));
    assert.deepEqual(lazy.instances.map(plain), eager.instances.map(plain));
    const [one] = lazy.instances;
    assert.ok(one);
    assert.equal(one.problem_statement, rows[0]?.problem_statement);
    // Spread and Object.keys see the text fields as ordinary properties.
    const copy = { ...one };
    assert.equal(copy.test_patch, rows[0]?.test_patch);
    assert.ok(Object.keys(one).includes('patch'));
    // Assignment replaces the lazy value.
    one.patch = 'edited';
    assert.equal(one.patch, 'edited');
    assert.equal(one.test_patch, rows[0]?.test_patch);

    // A file changed after loading is an error on access, never another row's text.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(String(rows[1]?.instance_id), 'getmoto__moto-0'));
    const second = lazy.instances[1];
    assert.ok(second);
    assert.throws(() => second.patch, (e: Error) => e instanceof DatasetLoadError && /changed since the dataset was loaded/.test(e.message));
  });

  it('hands out copies of lazy test lists and names a vanished file on access', async (t) => {
    const dir = tempDir(t);
    const rows = [gymRow(), gymRow()];
    const parquet = await writeParquet(path.join(dir, 'train.parquet'), rows);
    const jsonl = writeJsonl(path.join(dir, 'train.jsonl'), rows);
    for (const file of [parquet, jsonl]) {
      const dataset = await loadDataset(file, { text: 'lazy' });
      const first = dataset.instances[0];
      const second = dataset.instances[1];
      if (!first || !second) return assert.fail('rows missing');
      first.PASS_TO_PASS.push('mutated');
      assert.deepEqual(first.PASS_TO_PASS, rows[0]?.PASS_TO_PASS);
      fs.rmSync(file);
      // The parquet chunk of row 0 is cached now, row 1 shares it; a new field must touch the disk.
      assert.throws(
        () => (file === parquet ? second.problem_statement : second.patch),
        (e: Error) => e instanceof DatasetLoadError && e.message.includes(file),
      );
    }
  });

  it("'auto' keeps small files in memory", async (t) => {
    const dir = tempDir(t);
    const file = writeJsonl(path.join(dir, 'rows.jsonl'), [gymRow()]);
    assert.ok(!(await loadDataset(file)).instances.some(hasLazyText));
  });
});

describe('loadDataset: parquet', () => {
  const modes: TextStorage[] = ['memory', 'lazy'];

  it('reads SWE-Gym parquet (LIST columns, timestamps, several row groups) the same in memory and lazily', async (t) => {
    const dir = tempDir(t);
    const rows = Array.from({ length: 7 }, (_, i) => gymRow(i === 3 ? { patch: null, hints_text: null } : {}));
    const file = await writeParquet(path.join(dir, 'train.parquet'), rows, { rowGroupSize: 3, timestamps: true });
    const loaded = await Promise.all(modes.map((text) => loadDataset(file, { text })));
    for (const dataset of loaded) {
      assert.deepEqual(dataset.issues, []);
      assert.equal(dataset.flavor, 'swe-gym');
      assert.equal(dataset.instances.length, 7);
    }
    const [eager, lazy] = loaded;
    assert.ok(eager && lazy);
    assert.ok(lazy.instances.every(hasLazyText));
    assert.deepEqual(lazy.instances.map(plain), eager.instances.map(plain));
    const expected = rows.map((r) => ({
      instance_id: r.instance_id,
      patch: r.patch ?? '',
      test_patch: r.test_patch,
      hints_text: r.hints_text ?? '',
      created_at: '2024-03-01T12:00:00.000Z',
      FAIL_TO_PASS: r.FAIL_TO_PASS,
      PASS_TO_PASS: r.PASS_TO_PASS,
    }));
    // Read in a scattered order: every row group's columns decode on demand.
    for (const i of [6, 0, 4, 3, 1, 5, 2]) {
      const got = lazy.instances[i];
      if (!got) return assert.fail(`row ${i} missing`);
      const picked: Partial<TaskInstance> = {
        instance_id: got.instance_id,
        patch: got.patch,
        test_patch: got.test_patch,
        hints_text: got.hints_text,
        created_at: got.created_at,
        FAIL_TO_PASS: got.FAIL_TO_PASS,
        PASS_TO_PASS: got.PASS_TO_PASS,
      };
      assert.deepEqual(picked, expected[i]);
    }
  });

  it('finds a missing test_patch in lazy mode whether statistics prove the rest present or not', async (t) => {
    const dir = tempDir(t);
    const rows = Array.from({ length: 6 }, (_, i) => gymRow(i === 4 ? { test_patch: null } : i === 1 ? { test_patch: '' } : {}));
    for (const statistics of [true, false]) {
      const file = await writeParquet(path.join(dir, `stats-${statistics}.parquet`), rows, { rowGroupSize: 2, statistics });
      for (const text of modes) {
        const dataset = await loadDataset(file, { text });
        assert.deepEqual(
          dataset.issues.map((i) => [i.row, i.field, i.instance_id]),
          [
            [1, 'test_patch', rows[1]?.instance_id],
            [4, 'test_patch', rows[4]?.instance_id],
          ],
          `statistics=${statistics} text=${text}`,
        );
        assert.equal(dataset.instances.length, 4);
        assert.equal(dataset.instances[3]?.test_patch, rows[5]?.test_patch);
      }
    }
  });

  it('reads SWE-bench parquet with JSON-encoded test lists; lazily, a bad PASS_TO_PASS fails when read', async (t) => {
    const dir = tempDir(t);
    const rows = [benchRow(), benchRow({ PASS_TO_PASS: 'not json' }), benchRow()];
    const file = await writeParquet(path.join(dir, 'test-00000-of-00001.parquet'), rows, { testLists: 'json-string' });
    const f2p = (i: number): unknown => JSON.parse(String(rows[i]?.FAIL_TO_PASS));

    const eager = await loadDataset(file, { text: 'memory' });
    assert.equal(eager.flavor, 'swe-bench');
    assert.deepEqual(eager.instances.map((i) => i.FAIL_TO_PASS), [f2p(0), f2p(2)]);
    assert.deepEqual(eager.issues.map((i) => [i.row, i.field]), [[1, 'PASS_TO_PASS']]);
    assert.equal(eager.instances[0]?.environment_setup_commit, 'c'.repeat(40));

    // Lazy parquet leaves PASS_TO_PASS undecoded at load: the row loads, and reading it names the problem.
    const lazy = await loadDataset(file, { text: 'lazy' });
    assert.equal(lazy.flavor, 'swe-bench');
    assert.deepEqual(lazy.issues, []);
    assert.deepEqual(lazy.instances.map((i) => i.FAIL_TO_PASS), [f2p(0), f2p(1), f2p(2)]);
    assert.deepEqual(lazy.instances[2]?.PASS_TO_PASS, JSON.parse(String(rows[2]?.PASS_TO_PASS)));
    const bad = lazy.instances[1];
    assert.ok(bad);
    assert.throws(
      () => bad.PASS_TO_PASS,
      (e: Error) =>
        e instanceof DatasetLoadError &&
        e.message.startsWith(`${file}, row 1 (${String(rows[1]?.instance_id)}): PASS_TO_PASS not valid JSON`),
    );
  });

  it('can be cancelled between row groups', async (t) => {
    const dir = tempDir(t);
    const file = await writeParquet(path.join(dir, 'big.parquet'), Array.from({ length: 20 }, () => gymRow()), { rowGroupSize: 2 });
    const controller = new AbortController();
    const seen: number[] = [];
    await assert.rejects(
      loadDataset(file, {
        signal: controller.signal,
        onProgress: (n) => {
          seen.push(n);
          if (n >= 4) controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
    assert.deepEqual(seen, [2, 4]);
    await assert.rejects(loadDataset(file, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });
});

describe('loadDataset: folders and the Hugging Face cache', () => {
  it('loads every data file of a folder and its data/ subfolder, shards in order', async (t) => {
    const dir = tempDir(t);
    const a = gymRow();
    const b = gymRow();
    const c = gymRow();
    const d = gymRow();
    writeJsonl(path.join(dir, 'extra.jsonl'), [a]);
    await writeParquet(path.join(dir, 'data', 'shard-10.parquet'), [d]);
    await writeParquet(path.join(dir, 'data', 'shard-2.parquet'), [c, { ...a, patch: 'dup' }]);
    writeJson(path.join(dir, 'data', 'shard-1.json'), [b]);
    fs.writeFileSync(path.join(dir, 'README.md'), '# not data');
    fs.mkdirSync(path.join(dir, 'nested', 'deeper'), { recursive: true });
    writeJsonl(path.join(dir, 'nested', 'ignored.jsonl'), [gymRow()]);
    const dataset = await loadDataset(dir);
    assert.equal(dataset.name, path.basename(dir));
    assert.deepEqual(
      dataset.files.map((f) => path.relative(dir, f)),
      ['extra.jsonl', 'data/shard-1.json', 'data/shard-2.parquet', 'data/shard-10.parquet'],
    );
    assert.deepEqual(
      dataset.instances.map((i) => i.instance_id),
      [a, b, c, d].map((r) => r.instance_id),
    );
    assert.deepEqual(dataset.issues.map((i) => [path.basename(i.file), i.row, i.field]), [['shard-2.parquet', 1, 'instance_id']]);
  });

  it('asks for a split when a folder holds several, and reads the one named', async (t) => {
    const dir = tempDir(t);
    await writeParquet(path.join(dir, 'data', 'test-00000-of-00001.parquet'), [benchRow(), benchRow()], { testLists: 'json-string' });
    await writeParquet(path.join(dir, 'data', 'dev-00000-of-00001.parquet'), [benchRow()], { testLists: 'json-string' });
    await assert.rejects(loadDataset(dir), /several splits \(dev, test\)/);
    assert.equal((await loadDataset(dir, { split: 'test' })).instances.length, 2);
    await assert.rejects(loadDataset(dir, { split: 'train' }), /No files of split "train" .*splits there: dev, test/);
  });

  /** The layout huggingface_hub writes: snapshots hold symlinks into blobs/, refs/main names the revision. */
  async function makeHubCache(
    hub: string,
    repoId: string,
    revisions: { rev: string; rows: Record<string, unknown>[]; mtime: number; split?: string }[],
  ) {
    const datasetDir = path.join(hub, `datasets--${repoId.replace('/', '--')}`);
    for (const { rev, rows, mtime, split = 'train' } of revisions) {
      const blob = await writeParquet(path.join(datasetDir, 'blobs', `${rev}-${split}-blob`), rows);
      const link = path.join(datasetDir, 'snapshots', rev, 'data', `${split}-00000-of-00001.parquet`);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(link), blob), link);
      fs.writeFileSync(path.join(datasetDir, 'snapshots', rev, 'README.md'), 'card');
      fs.utimesSync(path.join(datasetDir, 'snapshots', rev), mtime, mtime);
    }
    return datasetDir;
  }

  it('reads a cached Hugging Face dataset by name or folder, at refs/main or else the newest snapshot', async (t) => {
    const hub = tempDir(t);
    const old = [gymRow()];
    const current = [gymRow(), gymRow()];
    const datasetDir = await makeHubCache(hub, 'SWE-Gym/SWE-Gym', [
      { rev: 'a'.repeat(40), rows: current, mtime: 1_000 },
      { rev: 'b'.repeat(40), rows: old, mtime: 2_000 },
    ]);
    fs.mkdirSync(path.join(datasetDir, 'refs'));
    fs.writeFileSync(path.join(datasetDir, 'refs', 'main'), 'a'.repeat(40));

    const byName = await loadDataset('SWE-Gym/SWE-Gym', { hubCacheDir: hub });
    assert.equal(byName.name, 'SWE-Gym/SWE-Gym');
    assert.equal(byName.flavor, 'swe-gym');
    assert.deepEqual(byName.instances.map((i) => i.instance_id), current.map((r) => r.instance_id));
    assert.ok(byName.files[0]?.includes(path.join('snapshots', 'a'.repeat(40), 'data')));

    const byFolder = await loadDataset(datasetDir);
    assert.deepEqual(byFolder.instances.map((i) => i.instance_id), current.map((r) => r.instance_id));

    fs.rmSync(path.join(datasetDir, 'refs'), { recursive: true });
    const newest = await loadDataset(datasetDir);
    assert.deepEqual(newest.instances.map((i) => i.instance_id), old.map((r) => r.instance_id));

    // A snapshot folder itself is a plain folder; the name still comes from the cache layout.
    const snapshot = await loadDataset(path.join(datasetDir, 'snapshots', 'a'.repeat(40)));
    assert.equal(snapshot.name, 'SWE-Gym/SWE-Gym');
  });

  it('explains what to do when the cache does not hold the dataset, or is given whole', async (t) => {
    const hub = tempDir(t);
    await makeHubCache(hub, 'princeton-nlp/SWE-bench_Lite', [{ rev: 'c'.repeat(40), rows: [gymRow()], mtime: 1_000 }]);
    await assert.rejects(loadDataset('SWE-Gym/SWE-Gym-Lite', { hubCacheDir: hub }), /has no dataset SWE-Gym\/SWE-Gym-Lite.*huggingface-cli download --repo-type dataset SWE-Gym\/SWE-Gym-Lite/);
    await assert.rejects(loadDataset(hub), /Hugging Face hub cache; name one of its datasets instead: princeton-nlp\/SWE-bench_Lite/);
    const lite = await loadDataset('princeton-nlp/SWE-bench_Lite', { hubCacheDir: hub });
    assert.equal(lite.flavor, 'swe-bench'); // by name, although its lists are real lists
  });

  it('picks a split of a cached dataset with org/name:split', async (t) => {
    const hub = tempDir(t);
    const rev = 'd'.repeat(40);
    await makeHubCache(hub, 'SWE-bench/SWE-bench_Lite', [
      { rev, rows: [gymRow(), gymRow()], mtime: 1_000, split: 'test' },
      { rev, rows: [gymRow()], mtime: 1_000, split: 'dev' },
    ]);
    await assert.rejects(loadDataset('SWE-bench/SWE-bench_Lite', { hubCacheDir: hub }), /several splits \(dev, test\)/);
    const test = await loadDataset('SWE-bench/SWE-bench_Lite:test', { hubCacheDir: hub });
    assert.equal(test.name, 'SWE-bench/SWE-bench_Lite:test');
    assert.equal(test.instances.length, 2);
    assert.equal((await loadDataset('SWE-bench/SWE-bench_Lite', { hubCacheDir: hub, split: 'dev' })).instances.length, 1);
  });
});
