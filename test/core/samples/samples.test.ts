/**
 * The bundled sample tasks (samples/): the dataset rows agree byte for byte with their task
 * folders, every image builds with /testbed clean on the row's base commit, the patches apply
 * there, and the bundled predictions do what samples/README.md says they do. Real Docker, real
 * git; containers are started with --rm and removed by name if a run is cut short.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseTestLog } from '../../../src/core/grading/logParsers';
import { gradeStatusMap } from '../../../src/core/grading/grade';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SAMPLES = path.join(REPO_ROOT, 'samples');
const DATASET = path.join(SAMPLES, 'samples.jsonl');
const PREDICTIONS = path.join(SAMPLES, 'predictions');
const PREDICTION_FILES = ['tempting-fixes.jsonl', 'broken.jsonl'];

const STRING_FIELDS = [
  'instance_id', 'repo', 'base_commit', 'patch', 'test_patch', 'problem_statement', 'hints_text',
  'created_at', 'version', 'image_name', 'image_build_context', 'test_cmd', 'log_parser',
] as const;

interface Row extends TaskInstance {
  image_name: string;
  image_build_context: string;
  test_cmd: string;
  log_parser: string;
}

interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  model_patch: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { maxBuffer: 32 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, env: opts.env ?? process.env },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${file} ${args.slice(0, 3).join(' ')}...: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** `docker run --rm` under a unique name, force-removed afterwards in case it was cut short. */
async function dockerRun(args: string[], timeoutMs = 120_000): Promise<RunResult> {
  const name = `swe-gym-studio-samples-test-${randomBytes(5).toString('hex')}`;
  try {
    return await run('docker', ['run', '--rm', '--name', name, '--network', 'none', ...args], { timeoutMs });
  } finally {
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

function readRows(): Row[] {
  return readFileSync(DATASET, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      const parsed: unknown = JSON.parse(line);
      assert.ok(parsed !== null && typeof parsed === 'object', `row ${i} is a JSON object`);
      return parsed as Row;
    });
}

function readPredictions(file: string): Prediction[] {
  return readFileSync(path.join(PREDICTIONS, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Prediction);
}

const contextDir = (row: Row) => path.join(SAMPLES, row.image_build_context);
const readTaskFile = (row: Row, name: string) => readFileSync(path.join(contextDir(row), name), 'utf8');

/** The `b/` paths of a patch's `diff --git` headers. */
function patchedPaths(patch: string): string[] {
  return [...patch.matchAll(/^diff --git a\/.* b\/(.*)$/gm)].map((m) => m[1] ?? '');
}

const rows = readRows();

describe('samples.jsonl agrees with samples/tasks', () => {
  test('every row has the SWE-Gym fields plus the per-row overrides, with the right types', () => {
    assert.ok(rows.length >= 6, `at least 6 sample tasks, found ${rows.length}`);
    for (const row of rows) {
      const where = row.instance_id ?? '(row without instance_id)';
      for (const field of STRING_FIELDS) {
        assert.equal(typeof row[field], 'string', `${where}: ${field} is a string`);
      }
      for (const field of ['FAIL_TO_PASS', 'PASS_TO_PASS'] as const) {
        assert.ok(Array.isArray(row[field]) && row[field].every((t) => typeof t === 'string' && t !== ''), `${where}: ${field} is a list of ids`);
        assert.equal(new Set(row[field]).size, row[field].length, `${where}: ${field} has no duplicates`);
      }
      assert.ok(row.FAIL_TO_PASS.length > 0, `${where}: FAIL_TO_PASS is not empty`);
      assert.ok(row.PASS_TO_PASS.length >= 3, `${where}: several PASS_TO_PASS tests`);
      const overlap = row.FAIL_TO_PASS.filter((t) => row.PASS_TO_PASS.includes(t));
      assert.deepEqual(overlap, [], `${where}: no test is in both lists`);

      const m = /^([A-Za-z0-9-]+)__([A-Za-z0-9_.-]+)-(\d+)$/.exec(row.instance_id);
      assert.ok(m, `${where}: id looks like <owner>__<repo>-<number>`);
      assert.equal(row.repo, `${m[1]}/${m[2]}`, `${where}: repo matches the id`);
      assert.match(row.base_commit, /^[0-9a-f]{40}$/, `${where}: base_commit is a full hash`);
      assert.ok(!Number.isNaN(Date.parse(row.created_at)) && row.created_at.endsWith('Z'), `${where}: created_at is ISO UTC`);
      assert.equal(
        row.image_name,
        `swe-gym-studio/sweb.eval.x86_64.${row.instance_id.replaceAll('__', '_s_').toLowerCase()}:latest`,
        `${where}: image_name follows the SWE-Gym naming in our namespace`,
      );
      assert.ok(['pytest', 'unittest'].includes(row.log_parser), `${where}: known log_parser`);
    }
    const ids = rows.map((r) => r.instance_id);
    assert.equal(new Set(ids).size, ids.length, 'instance ids are unique');
  });

  test('patches, issue and hints are byte-identical to the task files; lists equal tests.json', () => {
    const folders = readdirSync(path.join(SAMPLES, 'tasks')).sort();
    assert.deepEqual(rows.map((r) => r.image_build_context).sort(), folders.map((f) => `tasks/${f}`), 'one row per task folder');
    for (const row of rows) {
      const dir = contextDir(row);
      assert.equal(row.patch, readTaskFile(row, 'gold.patch'), `${row.instance_id}: patch`);
      assert.equal(row.test_patch, readTaskFile(row, 'test.patch'), `${row.instance_id}: test_patch`);
      assert.equal(row.problem_statement, readTaskFile(row, 'issue.md'), `${row.instance_id}: problem_statement`);
      const hints = existsSync(path.join(dir, 'hints.md')) ? readTaskFile(row, 'hints.md') : '';
      assert.equal(row.hints_text, hints, `${row.instance_id}: hints_text`);
      const derived = JSON.parse(readTaskFile(row, 'tests.json')) as Record<string, unknown>;
      assert.equal(derived.base_commit, row.base_commit, `${row.instance_id}: base_commit`);
      assert.deepEqual(derived.FAIL_TO_PASS, row.FAIL_TO_PASS, `${row.instance_id}: FAIL_TO_PASS`);
      assert.deepEqual(derived.PASS_TO_PASS, row.PASS_TO_PASS, `${row.instance_id}: PASS_TO_PASS`);

      const dockerfile = readTaskFile(row, 'Dockerfile');
      assert.match(dockerfile, /^ARG BASE_IMAGE=swe-gym-studio\/base:bookworm-1$/m, `${row.instance_id}: BASE_IMAGE arg`);
      assert.match(dockerfile, /^FROM \$\{BASE_IMAGE\}$/m, `${row.instance_id}: FROM the base image`);

      const goldPaths = patchedPaths(row.patch);
      const testPaths = patchedPaths(row.test_patch);
      assert.ok(goldPaths.length > 0 && goldPaths.every((p) => !p.startsWith('tests/')), `${row.instance_id}: gold patch is source only`);
      assert.ok(testPaths.length > 0 && testPaths.every((p) => p.startsWith('tests/')), `${row.instance_id}: test patch is tests only`);
    }
  });

  test('generated files are current: make-dataset --check (tests.json inputs digests included)', async () => {
    const r = await run(process.execPath, [path.join(SAMPLES, 'tools', 'make-dataset.mjs'), '--check']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('the samples cover what the harness tests rely on', () => {
    const all = rows.flatMap((r) => [...r.FAIL_TO_PASS, ...r.PASS_TO_PASS]);
    assert.ok(all.some((id) => id.includes('[') && !id.includes(']')), 'a parametrized id cut at a space');
    assert.ok(all.some((id) => /\[[^\]]*\]$/.test(id)), 'a whole parametrized id');
    assert.ok(rows.some((r) => patchedPaths(r.patch).length >= 2), 'a multi-file gold patch');
    assert.ok(rows.some((r) => r.log_parser === 'unittest' && r.test_cmd.startsWith('python -m unittest')), 'a unittest task');
    assert.ok(rows.some((r) => /^new file mode/m.test(r.patch)), 'a gold patch that adds a file');
  });

  test('predictions files hold SWE-bench predictions for known instances', () => {
    const ids = new Set(rows.map((r) => r.instance_id));
    for (const file of PREDICTION_FILES) {
      const preds = readPredictions(file);
      assert.ok(preds.length >= 2, `${file}: has predictions`);
      for (const p of preds) {
        assert.ok(ids.has(p.instance_id), `${file}: ${p.instance_id} is a sample`);
        assert.equal(typeof p.model_name_or_path, 'string');
        assert.match(p.model_patch, /^diff --git /, `${file}: ${p.instance_id} has a patch`);
      }
    }
  });
});

// Checks run inside one container per task. Fixed text: the patches arrive as mounted files and
// the prediction patch paths as arguments.
const INSPECT = `
set -u
cd /testbed
echo "head=$(git rev-parse HEAD)"
echo "branch=$(git symbolic-ref -q --short HEAD)"
echo "dirty=$(git status --porcelain --untracked-files=all | wc -l)"
git apply --check /task/gold.patch 2>/dev/null; echo "gold_applies=$?"
git apply --check /task/test.patch 2>/dev/null; echo "test_applies=$?"
git apply --check -R /task/gold.patch 2>/dev/null; echo "gold_already_in=$?"
export GIT_INDEX_FILE=/tmp/fixed.index
git read-tree HEAD && git apply --cached /task/gold.patch /task/test.patch && echo "fixed_tree=$(git write-tree)"
unset GIT_INDEX_FILE
for c in $(git rev-list --all --not HEAD); do echo "future=$c $(git rev-parse "$c^{tree}")"; done
git for-each-ref --format='ref=%(refname) %(objectname) %(*objectname)'
for p in "$@"; do git apply --check "$p" 2>/dev/null; echo "prediction=$? $p"; done
`;

interface Inspection {
  head: string;
  branch: string;
  dirty: number;
  goldApplies: boolean;
  testApplies: boolean;
  goldAlreadyIn: boolean;
  fixedTree: string;
  future: { commit: string; tree: string }[];
  refs: { name: string; target: string }[];
  predictions: Map<string, boolean>;
}

function parseInspection(out: string): Inspection {
  const values = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) {
      const key = line.slice(0, eq);
      values.set(key, [...(values.get(key) ?? []), line.slice(eq + 1)]);
    }
  }
  const one = (key: string) => {
    const v = values.get(key);
    assert.ok(v && v.length === 1, `inspection printed ${key} once:\n${out}`);
    return v[0] ?? '';
  };
  const pairs = (key: string) => (values.get(key) ?? []).map((v) => v.split(' '));
  return {
    head: one('head'),
    branch: one('branch'),
    dirty: Number(one('dirty')),
    goldApplies: one('gold_applies') === '0',
    testApplies: one('test_applies') === '0',
    goldAlreadyIn: one('gold_already_in') === '0',
    fixedTree: one('fixed_tree'),
    future: pairs('future').map(([commit = '', tree = '']) => ({ commit, tree })),
    // A tag ref's %(*objectname) is the commit it points to.
    refs: pairs('ref').map(([name = '', object = '', peeled = '']) => ({ name, target: peeled || object })),
    predictions: new Map(pairs('prediction').map(([code = '', file = '']) => [path.basename(file), code === '0'])),
  };
}

/** An instance's bundled predictions, each mounted at /pred/<predictions file stem>.patch. */
function predictionMounts(instanceId: string): { mounts: string[]; targets: string[] } {
  const mounts: string[] = [];
  const targets: string[] = [];
  for (const file of PREDICTION_FILES) {
    for (const p of readPredictions(file).filter((x) => x.instance_id === instanceId)) {
      const target = `/pred/${file.replace('.jsonl', '')}.patch`;
      mounts.push('-v', `${predictionPatchPath(p)}:${target}:ro`);
      targets.push(target);
    }
  }
  return { mounts, targets };
}

describe('sample images', { timeout: 240_000 }, () => {
  const inspections = new Map<string, Inspection>();

  before(async () => {
    const base = await run('docker', ['image', 'inspect', 'swe-gym-studio/base:bookworm-1']);
    assert.equal(base.code, 0, 'the base image exists (scripts/lib/ensure-base-image.sh builds it)');
    for (const row of rows) {
      // Docker's build cache makes this a no-op when nothing changed.
      const build = await run('docker', ['build', '-q', '-t', row.image_name, contextDir(row)], {
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
        timeoutMs: 180_000,
      });
      assert.equal(build.code, 0, `${row.instance_id}: image builds\n${build.stderr}`);
    }
  });

  test('/testbed is a clean git work tree on base_commit (branch main), where gold and test patches apply', async () => {
    for (const row of rows) {
      const preds = predictionMounts(row.instance_id);
      const r = await dockerRun([
        '-v', `${contextDir(row)}:/task:ro`, ...preds.mounts,
        row.image_name, 'bash', '-c', INSPECT, 'inspect', ...preds.targets,
      ]);
      assert.equal(r.code, 0, `${row.instance_id}: inspection ran\n${r.stdout}${r.stderr}`);
      const info = parseInspection(r.stdout);
      inspections.set(row.instance_id, info);
      assert.equal(info.head, row.base_commit, `${row.instance_id}: HEAD is base_commit`);
      assert.equal(info.branch, 'main', `${row.instance_id}: HEAD is on main`);
      assert.equal(info.dirty, 0, `${row.instance_id}: work tree is clean`);
      assert.ok(info.goldApplies, `${row.instance_id}: gold.patch applies`);
      assert.ok(info.testApplies, `${row.instance_id}: test.patch applies (hidden tests are not there yet)`);
      assert.ok(!info.goldAlreadyIn, `${row.instance_id}: the fix is not in the work tree`);
    }
  });

  test('one image carries future history: refs past the base commit whose first commit is the fix', () => {
    const withFuture = rows.filter((r) => (inspections.get(r.instance_id)?.future.length ?? 0) > 0);
    assert.ok(withFuture.length >= 1, 'some sample image has commits after its base commit');
    for (const row of withFuture) {
      const info = inspections.get(row.instance_id);
      assert.ok(info);
      const futureCommits = new Set(info.future.map((f) => f.commit));
      const futureRefs = info.refs.filter((ref) => futureCommits.has(ref.target)).map((ref) => ref.name);
      assert.ok(futureRefs.some((n) => n.startsWith('refs/tags/')), `${row.instance_id}: a tag points past the base commit`);
      assert.ok(futureRefs.some((n) => n.startsWith('refs/heads/')), `${row.instance_id}: a branch points past the base commit`);
      assert.ok(!futureRefs.includes('refs/heads/main'), `${row.instance_id}: main stays on the base commit`);
      assert.ok(
        info.future.some((f) => f.tree === info.fixedTree),
        `${row.instance_id}: a future commit holds exactly base + gold + hidden tests (what the dev container must hide)`,
      );
    }
  });

  test('bundled predictions apply (or not) as documented', () => {
    const expectApply = new Map([
      ['swe-gym-studio__confini-7', new Map([['tempting-fixes.patch', true]])],
      ['swe-gym-studio__textkit-12', new Map([['tempting-fixes.patch', true], ['broken.patch', true]])],
      ['swe-gym-studio__moneta-34', new Map([['broken.patch', false]])],
    ]);
    for (const [id, expected] of expectApply) {
      const info = inspections.get(id);
      assert.ok(info, `${id} was inspected`);
      assert.deepEqual(info.predictions, expected, `${id}: git apply --check of its predictions`);
    }
    const predicted = new Set(PREDICTION_FILES.flatMap((f) => readPredictions(f).map((p) => p.instance_id)));
    assert.deepEqual([...predicted].sort(), [...expectApply.keys()].sort(), 'every prediction is covered');
  });

  test('tempting fixes: the P2P trap resolves nothing, the pad-only fix resolves partially', async () => {
    const expected = new Map([
      ['swe-gym-studio__confini-7', { resolution: 'RESOLVED_NO', f2pFailures: 0, p2pFailures: 4 }],
      ['swe-gym-studio__textkit-12', { resolution: 'RESOLVED_PARTIAL', f2pFailures: 1, p2pFailures: 0 }],
    ]);
    for (const p of readPredictions('tempting-fixes.jsonl')) {
      const row = rows.find((r) => r.instance_id === p.instance_id);
      assert.ok(row);
      const directives = patchedPaths(row.test_patch);
      const script = 'cd /testbed && git apply /task/test.patch && git apply /pred/model.patch && "$@" 2>&1';
      const r = await dockerRun([
        '-v', `${contextDir(row)}:/task:ro`,
        '-v', `${predictionPatchPath(p)}:/pred/model.patch:ro`,
        row.image_name, 'bash', '-c', script, 'run-tests', ...row.test_cmd.split(' '), ...directives,
      ]);
      const parsed = parseTestLog('pytest', r.stdout, 'swe-gym');
      const grade = gradeStatusMap(row, parsed.raw, 'swe-gym');
      const want = expected.get(p.instance_id);
      assert.ok(want, `${p.instance_id}: an expectation exists`);
      assert.deepEqual(
        {
          resolution: grade.resolution,
          f2pFailures: grade.tests_status.FAIL_TO_PASS.failure.length,
          p2pFailures: grade.tests_status.PASS_TO_PASS.failure.length,
        },
        want,
        `${p.instance_id}: grade of the tempting fix\n${r.stdout.slice(-2000)}`,
      );
    }
  });
});

/** The patch file a prediction's text came from (make-dataset.mjs copies it verbatim). */
function predictionPatchPath(p: Prediction): string {
  const dir = path.join(PREDICTIONS, 'patches');
  const match = readdirSync(dir).find((f) => readFileSync(path.join(dir, f), 'utf8') === p.model_patch);
  assert.ok(match, `${p.instance_id}: the prediction's patch is one of samples/predictions/patches`);
  return path.join(dir, match);
}
