// One evaluation makes its spec once: each heavy field of the row is read once, the parser is
// resolved once. A row whose parser we lack fails before the engine pulls, builds or starts
// anything. Both run through runEvaluation (what `swe-gym eval` calls) on a real engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';
import { runEvaluation } from '../../../src/core/harness/runEvaluation';
import type { ContainerRuntime } from '../../../src/core/runtime/containerRuntime';
import { runtime, TEST_SESSION } from '../../support/docker';
import { samples } from '../../support/samples';

const ID = 'swe-gym-studio__textkit-12';
const COUNTED = ['problem_statement', 'hints_text', 'patch', 'test_patch', 'FAIL_TO_PASS', 'PASS_TO_PASS', 'log_parser'] as const;

/** A copy of `row` whose counted fields are getters that count their reads. */
function instrumented(row: TaskInstance): { row: TaskInstance; reads: Record<string, number> } {
  const reads: Record<string, number> = Object.fromEntries(COUNTED.map((f) => [f, 0]));
  const copy = { ...row } as TaskInstance;
  for (const field of COUNTED) {
    const value = row[field];
    Object.defineProperty(copy, field, {
      enumerable: true,
      get: () => {
        reads[field] = (reads[field] ?? 0) + 1;
        return Array.isArray(value) ? [...value] : value;
      },
    });
  }
  return { row: copy, reads };
}

/** The real engine, with the calls that fetch images or start containers counted. */
function countingRuntime(): { runtime: ContainerRuntime; calls: Record<string, number> } {
  const calls: Record<string, number> = { pullImage: 0, buildImage: 0, createContainer: 0, inspectImage: 0 };
  const proxy = new Proxy(runtime, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop === 'string' && prop in calls && typeof value === 'function') {
        return (...args: unknown[]) => {
          calls[prop] = (calls[prop] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { runtime: proxy, calls };
}

test('one evaluation builds the spec once: each heavy field read once, the parser resolved once', async () => {
  const ds = await samples();
  const original = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(original);
  const gold = original.patch;
  const { row, reads } = instrumented(original);
  const outcome = await runEvaluation(runtime, { ...ds, instances: [row] }, [{ instance_id: ID, model_name_or_path: 'gold', model_patch: gold }], { sessionId: TEST_SESSION, allowPull: false });
  const [result] = outcome.results;
  assert.equal(result?.status, 'resolved', `${result?.error ?? ''}\n${result?.testLog.slice(-1500) ?? ''}`);
  assert.equal(result.grade?.reference.tests.length, original.FAIL_TO_PASS.length + original.PASS_TO_PASS.length, 'every listed test was graded');
  assert.deepEqual(reads, { problem_statement: 0, hints_text: 0, patch: 0, test_patch: 1, FAIL_TO_PASS: 1, PASS_TO_PASS: 1, log_parser: 1 });
});

test('a row whose log parser we do not support fails before any pull, build or container start', async () => {
  const ds = await samples();
  const original = ds.instances.find((i) => i.instance_id === ID);
  assert.ok(original);
  const image = `swe-gym-studio/never-pulled:${process.pid}`;
  const row: TaskInstance = { ...original, log_parser: 'parse_log_jest', image_name: image, image_build_context: undefined };
  const session = `${TEST_SESSION}-specfail`;
  const counted = countingRuntime();
  const outcome = await runEvaluation(counted.runtime, { ...ds, instances: [row] }, [{ instance_id: ID, model_name_or_path: 'gold', model_patch: original.patch }], { sessionId: session });
  const [result] = outcome.results;
  assert.equal(result?.status, 'error');
  assert.match(result.error ?? '', /\(nothing was pulled or started\): swe-gym-studio__textkit-12: log_parser "parse_log_jest" is not supported/);
  assert.deepEqual(counted.calls, { pullImage: 0, buildImage: 0, createContainer: 0, inspectImage: 0 });
  assert.deepEqual(await runtime.listOurContainers({ sessionId: session }), []);
  assert.equal(await runtime.inspectImage(image), undefined);
});
