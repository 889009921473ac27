// The InstanceSpec factory on its own: family and rules by repository, one image answer, frozen,
// and failing on what the row alone rules out. `swe-gym show` runs as the real CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from '../../../src/core/dataset/loadDataset';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { datasetContextOf } from '../../../src/core/spec/datasetContext';
import { InstanceSpecError, makeInstanceSpec } from '../../../src/core/spec/instanceSpec';
import { benchRow, gymRow, tempDir, writeJsonl } from '../dataset/datasetFixtures';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

function swegym(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** SWE-Gym rows as converted copies store them: test lists as JSON text. */
function stringEncoded(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row, FAIL_TO_PASS: JSON.stringify(row.FAIL_TO_PASS), PASS_TO_PASS: JSON.stringify(row.PASS_TO_PASS) };
}

function byId(instances: TaskInstance[], id: string): TaskInstance {
  const found = instances.find((i) => i.instance_id === id);
  assert.ok(found, id);
  return found;
}

describe('InstanceSpec', () => {
  it('an unnamed JSONL of SWE-Gym rows with string-encoded lists gets SWE-Gym rules and image names, and `show` says which rules and why', async (t) => {
    const dir = tempDir(t, 'sgs-spec-');
    const file = writeJsonl(path.join(dir, 'tasks.jsonl'), [stringEncoded(gymRow({ instance_id: 'getmoto__moto-7365' })), stringEncoded(gymRow({ repo: 'python/mypy', instance_id: 'python__mypy-15976' }))]);
    const ds = await loadDataset(file);
    const spec = makeInstanceSpec(byId(ds.instances, 'getmoto__moto-7365'), datasetContextOf(ds));
    assert.equal(spec.family.flavor, 'swe-gym');
    assert.equal(spec.rules.reference, 'swe-gym');
    assert.equal(spec.rules.strict, 'swebench-v5');
    assert.equal(spec.applyStrategy, 'swe-gym');
    assert.equal(spec.image.name, 'xingyaoww/sweb.eval.x86_64.getmoto_s_moto-7365:latest');
    assert.equal(spec.image.policy, 'pull');
    assert.match(spec.rules.reason, /SWE-Gym harness.*repositories are SWE-Gym's/);

    const shown = await swegym(['show', '--dataset', file, 'getmoto__moto-7365']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^image +xingyaoww\/sweb\.eval\.x86_64\.getmoto_s_moto-7365:latest \(pull: SWE-Gym's image naming\)$/m);
    assert.match(shown.stdout, /^rules +swe-gym, strict swebench-v5 \(SWE-Gym harness \(SWE-bench 4\.1 grading\), SWE-Gym's own harness, because the dataset is taken as swe-gym: its repositories are SWE-Gym's\)$/m);
    const json = JSON.parse((await swegym(['show', '--dataset', file, 'getmoto__moto-7365', '--json'])).stdout) as Record<string, unknown>;
    assert.equal(json.image, spec.image.name, '`show` reads the same image as the runtime');
    assert.equal(json.rules, 'swe-gym');
    assert.equal(json.rules_reason, spec.rules.reason);
    // The interpreter language servers resolve imports with: the conda env the eval script activates.
    assert.equal(spec.python.interpreter, '/opt/miniconda3/envs/testbed/bin/python');
    assert.equal(json.python, spec.python.interpreter);
    assert.match(shown.stdout, /^python +\/opt\/miniconda3\/envs\/testbed\/bin\/python \(SWE-Gym images install the repository and its dependencies into the conda env testbed/m);
  });

  it("in a mixed file (the dataset falls back to the encoding), each row's repository decides its family", async (t) => {
    const dir = tempDir(t, 'sgs-spec-');
    const file = writeJsonl(path.join(dir, 'mixed.jsonl'), [stringEncoded(gymRow({ instance_id: 'getmoto__moto-7001' })), benchRow({ instance_id: 'astropy__astropy-12907' })]);
    const ds = await loadDataset(file);
    assert.equal(ds.flavor, 'swe-bench', 'the dataset as a whole: JSON-text lists');
    const gym = makeInstanceSpec(byId(ds.instances, 'getmoto__moto-7001'), datasetContextOf(ds));
    assert.equal(gym.family.flavor, 'swe-gym');
    assert.equal(gym.family.reason, "its repository getmoto/moto is one of SWE-Gym's");
    assert.equal(gym.rules.reference, 'swe-gym');
    assert.match(gym.image.name, /^xingyaoww\/sweb\.eval\.x86_64\.getmoto_s_moto-7001:latest$/);
    const bench = makeInstanceSpec(byId(ds.instances, 'astropy__astropy-12907'), datasetContextOf(ds));
    assert.equal(bench.rules.reference, 'swebench-v4');
    assert.equal(bench.applyStrategy, 'swe-bench');
    assert.equal(bench.image.name, 'swebench/sweb.eval.x86_64.astropy_1776_astropy-12907:latest');
    assert.equal(bench.python.interpreter, '/opt/miniconda3/envs/testbed/bin/python');
    assert.match(bench.python.reason, /^SWE-bench images/);
    // A name that says the family is not overruled.
    const named = makeInstanceSpec(byId(ds.instances, 'getmoto__moto-7001'), { flavor: 'swe-bench', flavorBasis: 'name', flavorReason: 'its name says SWE-bench' });
    assert.equal(named.rules.reference, 'swebench-v4');
  });

  it('is frozen all the way down (but for the row), and settings shape it', async (t) => {
    const dir = tempDir(t, 'sgs-spec-');
    const file = writeJsonl(path.join(dir, 'swe-gym.jsonl'), [gymRow({ instance_id: 'getmoto__moto-7365', install_cmd: 'pip install -e .' })]);
    const ds = await loadDataset(file);
    const row = byId(ds.instances, 'getmoto__moto-7365');
    const spec = makeInstanceSpec(row, datasetContextOf(ds), { imageTemplate: 'reg.local/{id_swegym}:{version}', allowPull: false, skipInstall: true, rules: 'swebench-v5' });
    assert.ok(Object.isFrozen(spec) && Object.isFrozen(spec.image) && Object.isFrozen(spec.evalScript.run) && Object.isFrozen(spec.tests.PASS_TO_PASS) && Object.isFrozen(spec.notes));
    assert.throws(() => (spec.tests.FAIL_TO_PASS as string[]).push('x'), TypeError);
    assert.equal(Object.isFrozen(spec.row), false, 'the row stays the dataset’s');
    assert.deepEqual([spec.image.name, spec.image.policy, spec.image.source], ['reg.local/getmoto_s_moto-7365:5.0', 'local', 'template']);
    assert.equal(spec.rules.reference, 'swebench-v5');
    assert.match(spec.rules.reason, /chosen in the settings/);
    assert.equal(spec.install.skipped, true);
    assert.equal(spec.evalNetwork, 'none');
    assert.ok(spec.notes.some((n) => /Install step skipped/.test(n)));
    assert.doesNotMatch(spec.evalScript.text, /pip install -e \./);
    assert.equal(spec.testCommand, 'pytest -n0 -rA tests/test_s3.py');
  });

  it('fails on what the row alone rules out, naming the row', () => {
    const row = gymRow({ instance_id: 'x__y-1', repo: 'x/y' }) as unknown as TaskInstance;
    assert.throws(
      () => makeInstanceSpec({ ...row, log_parser: 'parse_log_jest' }, { flavor: 'swe-gym' }),
      (err: unknown) => err instanceof InstanceSpecError && /x__y-1: log_parser "parse_log_jest" is not supported/.test(err.message),
    );
    assert.throws(() => makeInstanceSpec({ ...row, base_commit: 'HEAD; rm -rf /' }, { flavor: 'swe-gym' }), (err: unknown) => err instanceof InstanceSpecError && /x__y-1: base_commit .* is not a commit hash/.test(err.message));
  });
});
