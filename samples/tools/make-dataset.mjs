#!/usr/bin/env node
// Writes samples/samples.jsonl, one SWE-Gym-schema row per folder under samples/tasks/, from
// the folder's files: task.json (metadata), gold.patch, test.patch, issue.md, hints.md, and the
// tests.json that derive-test-lists.mjs produced by running the tests. Patch texts are copied
// verbatim. Refuses to write when tests.json is stale (its inputs digest no longer matches).
//
// Usage: node samples/tools/make-dataset.mjs [--check]
//   --check: exit 1 if samples.jsonl differs from what would be written, without writing it.
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DATASET_FILE, SAMPLES_DIR, imageNameFor, inputsDigest, listTaskNames, readTask, readText } from './lib.mjs';

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
  const rows = listTaskNames().map((name) => rowFor(readTask(name)));
  const ids = new Set();
  for (const row of rows) {
    if (ids.has(row.instance_id)) throw new Error(`duplicate instance_id ${row.instance_id}`);
    ids.add(row.instance_id);
  }
  const text = rows.map((row) => JSON.stringify(row)).join('\n') + '\n';
  const shown = relative(process.cwd(), DATASET_FILE) || DATASET_FILE;
  if (process.argv.includes('--check')) {
    const current = existsSync(DATASET_FILE) ? readText(DATASET_FILE) : '';
    if (current !== text) {
      console.error(`${shown} is out of date; run node samples/tools/make-dataset.mjs`);
      process.exitCode = 1;
      return;
    }
    console.log(`${shown} is up to date (${rows.length} rows)`);
    return;
  }
  writeFileSync(DATASET_FILE, text);
  console.log(`wrote ${shown}: ${rows.length} rows`);
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
