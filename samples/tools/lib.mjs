// Shared by make-dataset.mjs and derive-test-lists.mjs: where the sample tasks live and the
// harness rules both scripts must agree on (image names, test directives, input digests).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TASKS_DIR = join(SAMPLES_DIR, 'tasks');
export const DATASET_FILE = join(SAMPLES_DIR, 'samples.jsonl');
const TOOLS_DIR = join(SAMPLES_DIR, 'tools');

/** Every task folder name under samples/tasks, sorted. */
export function listTaskNames() {
  return readdirSync(TASKS_DIR)
    .filter((name) => statSync(join(TASKS_DIR, name)).isDirectory())
    .sort();
}

export function readText(path) {
  return readFileSync(path, 'utf8');
}

/** task.json (hand-written metadata) plus the folder's paths. */
export function readTask(name) {
  const dir = join(TASKS_DIR, name);
  const metaPath = join(dir, 'task.json');
  if (!existsSync(metaPath)) {
    throw new Error(`samples/tasks/${name}: task.json is missing`);
  }
  const meta = JSON.parse(readText(metaPath));
  for (const field of ['instance_id', 'repo', 'created_at', 'version', 'test_cmd', 'log_parser']) {
    if (typeof meta[field] !== 'string' || meta[field] === '') {
      throw new Error(`samples/tasks/${name}/task.json: "${field}" must be a non-empty string`);
    }
  }
  return { name, dir, meta, imageName: imageNameFor(meta.instance_id) };
}

/**
 * SWE-Gym's image naming (`__` -> `_s_`, lower-cased, tag latest) in our own namespace, so a
 * sample can never be mistaken for a pulled SWE-Gym image.
 */
export function imageNameFor(instanceId) {
  return `swe-gym-studio/sweb.eval.x86_64.${instanceId.replaceAll('__', '_s_').toLowerCase()}:latest`;
}

// The harness drops these from the test directives (SWE-bench's NON_TEST_EXTS; "csv" has no dot
// there either).
const NON_TEST_EXTS = ['.json', '.png', 'csv', '.txt', '.md', '.jpg', '.jpeg', '.pkl', '.yml', '.yaml', '.toml'];

/** The paths the harness appends to the test command: every `diff --git a/X b/Y` Y. */
export function testDirectives(testPatch) {
  const paths = [...testPatch.matchAll(/diff --git a\/.* b\/(.*)/g)].map((m) => m[1]);
  return paths.filter((p) => !NON_TEST_EXTS.some((ext) => p.endsWith(ext)));
}

// Local caches a test run may leave in a task's repo/ (also kept out of builds by .dockerignore).
const IGNORED = new Set(['__pycache__', '.pytest_cache']);

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || entry.name.endsWith('.pyc')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...listFiles(path));
    } else {
      out.push(path);
    }
  }
  return out;
}

/**
 * Digest of everything the derived test lists depend on: the image's build inputs and both
 * patches. tests.json records it, so stale lists are caught instead of shipped.
 */
export function inputsDigest(task) {
  const files = [];
  for (const entry of ['Dockerfile', 'gold.patch', 'test.patch']) {
    files.push(join(task.dir, entry));
  }
  for (const sub of ['repo', 'history']) {
    files.push(...listFiles(join(task.dir, sub)));
  }
  const hash = createHash('sha256');
  for (const file of files.map((f) => relative(task.dir, f)).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(task.dir, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The files every task's build context needs, made from one source each (an image's build
 * context is its task folder, so they cannot be shared by reference): the Dockerfile from
 * Dockerfile.template, the history replayer and the .dockerignore. Returns [path, text] pairs.
 */
export function buildContextFiles(task) {
  const steps = readText(join(task.dir, 'history', 'steps'));
  // A history past the base commit (textkit) applies the fix and hidden tests as a later commit.
  const future = steps.includes('$SRC/future/') ? 'COPY gold.patch test.patch /tmp/testbed-src/future/\n' : '';
  const dockerfile = readText(join(TOOLS_DIR, 'Dockerfile.template'))
    .replaceAll('{{instance_id}}', task.meta.instance_id)
    .replaceAll('{{name}}', task.name)
    .replaceAll('{{copy_future}}', future);
  return [
    [join(task.dir, 'Dockerfile'), dockerfile],
    [join(task.dir, '.dockerignore'), readText(join(TOOLS_DIR, 'dockerignore'))],
    [join(task.dir, 'history', 'replay.sh'), readText(join(TOOLS_DIR, 'replay-history.sh'))],
  ];
}

/** Writes what is out of date, or (check) only reports it; returns the paths that differed. */
export function syncFiles(files, check) {
  const stale = files.filter(([path, text]) => !existsSync(path) || readText(path) !== text).map(([path]) => path);
  if (!check) for (const [path, text] of files) if (stale.includes(path)) writeFileSync(path, text);
  return stale;
}
