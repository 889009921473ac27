#!/usr/bin/env node
// Writes samples/samples.jsonl, one SWE-Gym-schema row per folder under samples/tasks/, from
// the folder's files: task.json (metadata), gold.patch, test.patch, issue.md, hints.md, and the
// tests.json that derive-test-lists.mjs produced by running the tests. Patch texts are copied
// verbatim. Refuses to write when tests.json is stale (its inputs digest no longer matches).
// Also writes the prediction files in samples/predictions/ from samples/predictions/patches/,
// and each task's build-context files from their one source in samples/tools/ (buildContextFiles).
//
// Usage: node samples/tools/make-dataset.mjs [--check]
//   --check: exit 1 if a file differs from what would be written, without writing anything.
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DATASET_FILE, SAMPLES_DIR, buildContextFiles, imageNameFor, inputsDigest, listTaskNames, readTask, readText, syncFiles } from './lib.mjs';

const PREDICTIONS_DIR = join(SAMPLES_DIR, 'predictions');

/** SWE-bench predictions files: {instance_id, model_name_or_path, model_patch} per line. */
const PREDICTION_FILES = {
  'tempting-fixes.jsonl': {
    model: 'tempting-fixes',
    entries: [
      // Passes every FAIL_TO_PASS test, breaks four PASS_TO_PASS tests: RESOLVED_NO.
      ['swe-gym-studio__confini-7', 'confini-7.tempting-split-on-hash.patch'],
      // Fixes pad() but not columns(): 5 of 6 FAIL_TO_PASS, RESOLVED_PARTIAL.
      ['swe-gym-studio__textkit-12', 'textkit-12.tempting-pad-only.patch'],
    ],
  },
  'broken.jsonl': {
    model: 'broken-patches',
    entries: [
      // Neither git apply nor patch --fuzz=5 applies it (hallucinated context).
      ['swe-gym-studio__moneta-34', 'moneta-34.does-not-apply.patch'],
      // Applies; pad() then loops forever, so the test run never ends.
      ['swe-gym-studio__textkit-12', 'textkit-12.hangs-forever.patch'],
    ],
  },
};

function predictionsText(spec, knownIds) {
  return spec.entries
    .map(([instanceId, patchFile]) => {
      if (!knownIds.has(instanceId)) throw new Error(`predictions: unknown instance ${instanceId}`);
      const patch = readText(join(PREDICTIONS_DIR, 'patches', patchFile));
      return JSON.stringify({ instance_id: instanceId, model_name_or_path: spec.model, model_patch: patch });
    })
    .join('\n') + '\n';
}

function rowFor(task) {
  const { meta, dir, name } = task;
  const testsPath = join(dir, 'tests.json');
  if (!existsSync(testsPath)) {
    throw new Error(`samples/tasks/${name}: tests.json is missing; run node samples/tools/derive-test-lists.mjs ${name}`);
  }
  const tests = JSON.parse(readText(testsPath));
  if (tests.instance_id !== meta.instance_id) {
    throw new Error(`samples/tasks/${name}: tests.json is for ${tests.instance_id}, task.json says ${meta.instance_id}`);
  }
  if (tests.inputs_sha256 !== inputsDigest(task)) {
    throw new Error(
      `samples/tasks/${name}: tests.json is stale (the image inputs or patches changed since it was derived); ` +
        `run node samples/tools/derive-test-lists.mjs ${name}`,
    );
  }
  if (tests.test_cmd !== meta.test_cmd || tests.log_parser !== meta.log_parser) {
    throw new Error(`samples/tasks/${name}: test_cmd/log_parser changed since tests.json was derived; derive again`);
  }
  if (!Array.isArray(tests.FAIL_TO_PASS) || tests.FAIL_TO_PASS.length === 0) {
    throw new Error(`samples/tasks/${name}: tests.json has no FAIL_TO_PASS tests`);
  }
  const hintsPath = join(dir, 'hints.md');
  return {
    instance_id: meta.instance_id,
    repo: meta.repo,
    base_commit: tests.base_commit,
    patch: readText(join(dir, 'gold.patch')),
    test_patch: readText(join(dir, 'test.patch')),
    problem_statement: readText(join(dir, 'issue.md')),
    hints_text: existsSync(hintsPath) ? readText(hintsPath) : '',
    created_at: meta.created_at,
    version: meta.version,
    FAIL_TO_PASS: tests.FAIL_TO_PASS,
    PASS_TO_PASS: tests.PASS_TO_PASS,
    image_name: imageNameFor(meta.instance_id),
    image_build_context: relative(SAMPLES_DIR, dir).split('\\').join('/'),
    test_cmd: meta.test_cmd,
    log_parser: meta.log_parser,
  };
}

function main() {
  const check = process.argv.includes('--check');
  const tasks = listTaskNames().map((name) => readTask(name));
  // First the build contexts: the rows' digests are taken over them.
  for (const path of syncFiles(tasks.flatMap(buildContextFiles), check)) {
    const shown = relative(process.cwd(), path) || path;
    if (check) {
      console.error(`${shown} is out of date; run node samples/tools/make-dataset.mjs`);
      process.exitCode = 1;
    } else {
      console.log(`wrote ${shown}`);
    }
  }
  const rows = tasks.map((task) => rowFor(task));
  const ids = new Set();
  for (const row of rows) {
    if (ids.has(row.instance_id)) throw new Error(`duplicate instance_id ${row.instance_id}`);
    ids.add(row.instance_id);
  }
  const outputs = [[DATASET_FILE, rows.map((row) => JSON.stringify(row)).join('\n') + '\n']];
  for (const [file, spec] of Object.entries(PREDICTION_FILES)) {
    outputs.push([join(PREDICTIONS_DIR, file), predictionsText(spec, ids)]);
  }
  for (const [path, text] of outputs) {
    const shown = relative(process.cwd(), path) || path;
    const lines = text.split('\n').length - 1;
    if (check) {
      const current = existsSync(path) ? readText(path) : '';
      if (current !== text) {
        console.error(`${shown} is out of date; run node samples/tools/make-dataset.mjs`);
        process.exitCode = 1;
      } else {
        console.log(`${shown} is up to date (${lines} rows)`);
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${shown}: ${lines} rows`);
    }
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
