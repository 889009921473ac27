import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { detectFlavor, explainFlavor, familyOfRepo } from '../../../src/core/dataset/flavor';
import { loadDataset, resolveDatasetSource, resolvePackageRoot } from '../../../src/core/dataset/loadDataset';
import { defaultHubCacheDir, repoIdFromPath } from '../../../src/core/dataset/hfCache';
import { gymRow, tempDir, writeJsonl } from './datasetFixtures';

describe('detectFlavor', () => {
  it('goes by the dataset name first', () => {
    assert.equal(detectFlavor({ name: 'SWE-Gym/SWE-Gym-Lite', testListEncoding: 'json-string' }), 'swe-gym');
    assert.equal(detectFlavor({ name: 'swe_gym_raw' }), 'swe-gym');
    assert.equal(detectFlavor({ name: 'princeton-nlp/SWE-bench_Lite', testListEncoding: 'array' }), 'swe-bench');
    assert.equal(detectFlavor({ name: 'SWE-bench/SWE-bench_Verified:test' }), 'swe-bench');
    assert.equal(detectFlavor({ name: 'nebius/SWE-bench-extra', testListEncoding: 'array' }), 'swe-bench');
  });

  it('then by the nearest path segment, ignoring our own package folder', () => {
    assert.equal(detectFlavor({ name: 'train', paths: ['/data/swe-gym/train.jsonl'] }), 'swe-gym');
    assert.equal(detectFlavor({ name: 'train', paths: ['/data/SWE-bench/swe-gym-notes/train.jsonl'] }), 'swe-gym');
    assert.equal(
      detectFlavor({ name: 'tasks', paths: ['/home/me/swe-gym-studio/fixtures/tasks.json'], testListEncoding: 'json-string' }),
      'swe-bench',
    );
  });

  it('then by how the test lists are stored, and the samples file is always samples', () => {
    assert.equal(detectFlavor({ name: 'tasks', testListEncoding: 'array' }), 'swe-gym');
    assert.equal(detectFlavor({ name: 'tasks', testListEncoding: 'json-string' }), 'swe-bench');
    assert.equal(detectFlavor({ name: 'tasks' }), 'swe-bench');
    assert.equal(detectFlavor({ name: 'swe-gym', isSamples: true }), 'samples');
  });
});

describe('sources', () => {
  it('finds the package root from any folder below it', (t) => {
    const root = resolvePackageRoot();
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string };
    assert.equal(pkg.name, 'swe-gym-studio');
    const dir = tempDir(t);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'swe-gym-studio' }));
    fs.mkdirSync(path.join(dir, 'dist', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    assert.equal(resolvePackageRoot(path.join(dir, 'dist', 'deep')), dir);
  });

  it("resolves 'samples' to the bundled samples file and loads it as the samples flavor", async () => {
    const expected = path.join(resolvePackageRoot(), 'samples', 'samples.jsonl');
    if (!fs.existsSync(expected)) {
      assert.throws(() => resolveDatasetSource('samples'), /bundled samples dataset is missing/);
      return;
    }
    assert.deepEqual(resolveDatasetSource('samples'), { kind: 'samples', name: 'samples', files: [expected] });
    const dataset = await loadDataset('samples');
    assert.equal(dataset.flavor, 'samples');
    assert.equal(dataset.name, 'samples');
    assert.deepEqual(dataset.issues, []);
    assert.ok(dataset.instances.length > 0);
    // The same file by path is still the samples dataset.
    assert.equal((await loadDataset(expected)).flavor, 'samples');
  });

  it('follows huggingface_hub cache settings and names cached datasets by repo id', () => {
    assert.equal(defaultHubCacheDir({ HF_HUB_CACHE: '/x/hub', HF_HOME: '/y' }), '/x/hub');
    assert.equal(defaultHubCacheDir({ HF_HOME: '/y' }), path.join('/y', 'hub'));
    assert.equal(defaultHubCacheDir({ XDG_CACHE_HOME: '/c' }), path.join('/c', 'huggingface', 'hub'));
    assert.equal(repoIdFromPath('/h/hub/datasets--SWE-Gym--SWE-Gym/snapshots/abc/data/train.parquet'), 'SWE-Gym/SWE-Gym');
    assert.equal(repoIdFromPath('/tmp/plain/file.jsonl'), undefined);
  });
});

describe('the family from the repositories', () => {
  it('an unnamed JSONL of SWE-Gym rows with string-encoded lists is SWE-Gym, and says why', async (t) => {
    const dir = tempDir(t);
    const rows = [gymRow(), gymRow({ repo: 'python/mypy', instance_id: 'python__mypy-15976' })].map((r) => ({
      ...r,
      FAIL_TO_PASS: JSON.stringify(r.FAIL_TO_PASS),
      PASS_TO_PASS: JSON.stringify(r.PASS_TO_PASS),
    }));
    const file = writeJsonl(path.join(dir, 'converted.jsonl'), rows);
    const dataset = await loadDataset(file);
    assert.equal(dataset.flavor, 'swe-gym');
    assert.match(dataset.flavorReason ?? '', /repositories are SWE-Gym's/);
  });

  it("SWE-bench's repositories stay SWE-bench even with list-encoded tests; a mix falls back to the encoding", () => {
    assert.deepEqual(explainFlavor({ name: 'tasks', repos: ['django/django', 'sympy/sympy'], testListEncoding: 'array' }), {
      flavor: 'swe-bench',
      basis: 'repos',
      reason: "its repositories are SWE-bench's",
    });
    assert.equal(explainFlavor({ name: 'tasks', repos: ['django/django', 'getmoto/moto'], testListEncoding: 'array' }).flavor, 'swe-gym');
    assert.equal(explainFlavor({ name: 'SWE-bench_Lite', repos: ['getmoto/moto'] }).flavor, 'swe-bench', 'a name that says the family still wins');
    assert.equal(familyOfRepo('Project-MONAI/MONAI'), 'swe-gym');
    assert.equal(familyOfRepo('someone/else'), undefined);
  });
});
