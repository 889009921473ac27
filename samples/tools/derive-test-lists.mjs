#!/usr/bin/env node
// Derives FAIL_TO_PASS / PASS_TO_PASS for the sample tasks by running their hidden tests, and
// writes samples/tasks/<name>/tests.json.
//
// For each task: build its image, then in two fresh containers run the row's test command on the
// test directives (the `b/` paths of test.patch, as the harness passes them)
//   (a) after applying test.patch,
//   (b) after applying test.patch and gold.patch,
// parse both logs with the harness's parser for the row's log_parser, and keep
//   FAIL_TO_PASS = not passing in (a), PASSED or XFAIL in (b)
//   PASS_TO_PASS = PASSED in (a) and in (b).
//
// Usage: node samples/tools/derive-test-lists.mjs [task-name ...]   (default: every task)
// Needs a running Docker engine and the base image (scripts/lib/ensure-base-image.sh).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SAMPLES_DIR, buildContextFiles, inputsDigest, listTaskNames, readTask, readText, syncFiles, testDirectives } from './lib.mjs';

const TEST_TIMEOUT_MS = 10 * 60 * 1000;
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
const HARNESS_PARSERS = join(SAMPLES_DIR, '..', 'out', 'src', 'core', 'grading', 'logParsers.js');

/** Runs a program with an argv array (no shell); resolves with merged output and exit code. */
function run(file, args, { timeoutMs, env } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, env: env ?? process.env },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`));
          return;
        }
        resolvePromise({ code: error ? error.code : 0, stdout, stderr });
      },
    );
  });
}

async function mustRun(file, args, opts) {
  const result = await run(file, args, opts);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  }
  return result;
}

// --- log parsing ------------------------------------------------------------------------------

// Minimal copies of the harness parsers, used only when the compiled TypeScript parsers
// (npx tsc -p tsconfig.test.json) are not there, and otherwise as a cross-check.
const STATUSES = ['FAILED', 'PASSED', 'SKIPPED', 'ERROR', 'XFAIL'];

function builtinPytest(log) {
  const map = new Map();
  for (let line of log.split('\n')) {
    if (!STATUSES.some((s) => line.startsWith(s))) continue;
    if (line.startsWith('FAILED')) line = line.replaceAll(' - ', ' ');
    const tokens = line.split(/\s+/).filter(Boolean);
    if (tokens.length <= 1) continue;
    map.set(tokens[1], tokens[0]);
  }
  return map;
}

function builtinUnittest(log) {
  // SWE-bench's django parser, without its Django-only special cases.
  const map = new Map();
  let prevTest;
  for (const rawLine of log.split('\n')) {
    const line = rawLine.trim();
    if (line.includes(' ... ')) prevTest = line.split(' ... ')[0];
    for (const suffix of [' ... ok', ' ... OK', ' ...  OK']) {
      if (line.endsWith(suffix)) {
        map.set(line.slice(0, line.lastIndexOf(suffix)), 'PASSED');
        break;
      }
    }
    if (line.includes(' ... skipped')) map.set(line.split(' ... skipped')[0], 'SKIPPED');
    if (line.endsWith(' ... FAIL')) map.set(line.split(' ... FAIL')[0], 'FAILED');
    if (line.startsWith('FAIL:')) map.set(line.split(/\s+/)[1], 'FAILED');
    if (line.endsWith(' ... ERROR')) map.set(line.split(' ... ERROR')[0], 'ERROR');
    if (line.startsWith('ERROR:')) map.set(line.split(/\s+/)[1], 'ERROR');
    if (line.startsWith('ok') && prevTest !== undefined) map.set(prevTest, 'PASSED');
  }
  return map;
}

const BUILTIN_PARSERS = { pytest: builtinPytest, unittest: builtinUnittest };

function loadHarnessParsers() {
  if (!existsSync(HARNESS_PARSERS)) return undefined;
  const mod = createRequire(import.meta.url)(HARNESS_PARSERS);
  return typeof mod.getLogParser === 'function' ? mod : undefined;
}

/** The parser for a log_parser name: the project's compiled one when built, else the built-in. */
function parserFor(name, harness) {
  const builtin = BUILTIN_PARSERS[name];
  if (harness) {
    const parse = harness.getLogParser(name, 'swe-gym');
    return {
      source: 'src/core/grading/logParsers.ts',
      fromHarness: true,
      parse: (log) => new Map(Object.entries(parse(log))),
      builtin,
    };
  }
  if (!builtin) throw new Error(`no built-in parser for log_parser "${name}"`);
  return { source: 'built-in copy in samples/tools/derive-test-lists.mjs', fromHarness: false, parse: builtin, builtin };
}

// --- containers ---------------------------------------------------------------------------------

// Fixed script; everything from the task arrives as argv or a read-only mounted file.
const RUN_TESTS = [
  'set -uo pipefail',
  'source /opt/miniconda3/bin/activate && conda activate testbed',
  'cd /testbed',
  'git apply -v /task/test.patch || { echo ">>>>> Patch Apply Failed"; exit 90; }',
  'if [ "$APPLY_GOLD" = 1 ]; then git apply -v /task/gold.patch || { echo ">>>>> Patch Apply Failed"; exit 91; }; fi',
  '"$@" 2>&1',
].join('\n');

async function runTests(task, { applyGold, testArgv }) {
  const name = `swe-gym-studio-derive-${randomBytes(6).toString('hex')}`;
  const args = [
    'run', '--rm', '--name', name, '--network', 'none',
    '--label', 'org.swe-gym-studio.purpose=derive-test-lists',
    '-e', `APPLY_GOLD=${applyGold ? 1 : 0}`,
    '-v', `${task.dir}:/task:ro`,
    task.imageName,
    'bash', '-c', RUN_TESTS, 'run-tests', ...testArgv,
  ];
  const started = Date.now();
  try {
    const result = await run('docker', args, { timeoutMs: TEST_TIMEOUT_MS });
    if (result.code === 90 || result.code === 91) {
      throw new Error(`${task.name}: ${result.code === 90 ? 'test.patch' : 'gold.patch'} does not apply:\n${result.stdout}`);
    }
    return { log: result.stdout + result.stderr, code: result.code, seconds: (Date.now() - started) / 1000 };
  } finally {
    // Only reached with a live container on timeout or interruption; --rm handles the rest.
    await run('docker', ['rm', '-f', name]).catch(() => undefined);
  }
}

const passed = (status) => status === 'PASSED' || status === 'XFAIL';

function countStatuses(map) {
  const counts = {};
  for (const status of map.values()) counts[status] = (counts[status] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort());
}

function sameMap(a, b) {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

async function deriveTask(task, harness) {
  const { meta } = task;
  const testPatch = readText(join(task.dir, 'test.patch'));
  const directives = testDirectives(testPatch);
  if (directives.length === 0) throw new Error(`${task.name}: test.patch touches no test files`);

  const buildStarted = Date.now();
  await mustRun('docker', ['build', '-q', '-t', task.imageName, task.dir], {
    timeoutMs: BUILD_TIMEOUT_MS,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  const buildSeconds = (Date.now() - buildStarted) / 1000;
  const head = await mustRun('docker', ['run', '--rm', '--network', 'none', task.imageName, 'git', 'rev-parse', 'HEAD']);
  const baseCommit = head.stdout.trim();

  const testArgv = [...meta.test_cmd.split(/\s+/).filter(Boolean), ...directives];
  const before = await runTests(task, { applyGold: false, testArgv });
  const after = await runTests(task, { applyGold: true, testArgv });

  const parser = parserFor(meta.log_parser, harness);
  const statusBefore = parser.parse(before.log);
  const statusAfter = parser.parse(after.log);
  if (parser.fromHarness && parser.builtin) {
    for (const [label, log, map] of [['before', before.log, statusBefore], ['after', after.log, statusAfter]]) {
      if (!sameMap(parser.builtin(log), map)) {
        throw new Error(`${task.name}: the project's ${meta.log_parser} parser and the built-in copy disagree on the ${label} log`);
      }
    }
  }

  const failToPass = [];
  const passToPass = [];
  for (const [id, status] of statusAfter) {
    const was = statusBefore.get(id);
    if (passed(status) && !(was !== undefined && passed(was))) failToPass.push(id);
    else if (status === 'PASSED' && was === 'PASSED') passToPass.push(id);
  }
  if (failToPass.length === 0) throw new Error(`${task.name}: gold.patch turns no test from failing to passing`);
  const stillFailing = [...statusAfter].filter(([, s]) => s === 'FAILED' || s === 'ERROR').map(([id]) => id);

  const record = {
    instance_id: meta.instance_id,
    base_commit: baseCommit,
    image_name: task.imageName,
    test_cmd: meta.test_cmd,
    test_directives: directives,
    log_parser: meta.log_parser,
    parser: parser.source,
    inputs_sha256: inputsDigest(task),
    statuses_before: countStatuses(statusBefore),
    statuses_after: countStatuses(statusAfter),
    FAIL_TO_PASS: failToPass,
    PASS_TO_PASS: passToPass,
  };
  writeFileSync(join(task.dir, 'tests.json'), `${JSON.stringify(record, null, 2)}\n`);
  return { record, buildSeconds, before, after, stillFailing };
}

async function main() {
  const names = process.argv.slice(2);
  const tasks = (names.length ? names : listTaskNames()).map(readTask);
  const harness = loadHarnessParsers();
  if (!harness) {
    console.log('note: out/src/core/grading/logParsers.js not found (run npx tsc -p tsconfig.test.json); using the built-in parsers');
  }
  for (const task of tasks) {
    // The image is built from these: bring them up to date from their sources first.
    for (const path of syncFiles(buildContextFiles(task), false)) console.log(`wrote ${path}`);
    const { record, buildSeconds, before, after, stillFailing } = await deriveTask(task, harness);
    console.log(
      `${record.instance_id}: base ${record.base_commit.slice(0, 12)}, F2P ${record.FAIL_TO_PASS.length}, ` +
        `P2P ${record.PASS_TO_PASS.length}; build ${buildSeconds.toFixed(1)} s, tests ${before.seconds.toFixed(1)} s ` +
        `before / ${after.seconds.toFixed(1)} s after gold (exit ${before.code} / ${after.code}); parser: ${record.parser}`,
    );
    if (stillFailing.length) {
      console.log(`  still failing or erroring after gold: ${stillFailing.join(', ')}`);
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
