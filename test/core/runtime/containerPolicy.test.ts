import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitsFrom } from '../../../src/cli/runtimeOptions';
import { defaultMemoryBytes, HARNESS_MEMORY_BYTES, networkFor, parseByteSize } from '../../../src/core/runtime/containerPolicy';

const GIB = 1024 ** 3;

test('network by purpose: eval isolated, dev and agent none unless the internet is allowed, seed none', () => {
  assert.equal(networkFor('eval', undefined, false), 'isolated');
  assert.equal(networkFor('eval', 'none', false), 'none');
  assert.equal(networkFor('dev', undefined, false), 'none');
  assert.equal(networkFor('agent', undefined, false), 'none');
  assert.equal(networkFor('agent', undefined, true), 'isolated');
  assert.equal(networkFor('seed', undefined, true), 'none');
  assert.equal(networkFor('test', undefined, false), 'default');
});

test("default memory: the harness's 16 GB, at most half the engine's memory", () => {
  assert.equal(defaultMemoryBytes(64 * GIB), HARNESS_MEMORY_BYTES);
  assert.equal(defaultMemoryBytes(8 * GIB), 4 * GIB);
  assert.equal(defaultMemoryBytes(undefined), HARNESS_MEMORY_BYTES);
});

test('sizes and CLI limit flags: clear errors for nonsense', () => {
  assert.equal(parseByteSize('512m'), 512 * 1024 ** 2);
  assert.equal(parseByteSize('8GiB'), 8 * GIB);
  assert.equal(parseByteSize('1.5g'), 1.5 * GIB);
  assert.throws(() => parseByteSize('lots'), /not a size/);
  assert.throws(() => parseByteSize('1k'), /below the 6 MB/);
  assert.deepEqual(limitsFrom({ memory: '2g', pids: '256', cpus: '1.5' }), { memoryBytes: 2 * GIB, pidsLimit: 256, cpus: 1.5 });
  assert.throws(() => limitsFrom({ pids: '3' }), /--pids takes a whole number of at least 16/);
  assert.throws(() => limitsFrom({ cpus: '-1' }), /--cpus takes a positive number/);
  assert.throws(() => limitsFrom({ memory: 'x' }), /--memory: "x" is not a size/);
});
