import { loadDataset } from '../../src/core/dataset/loadDataset';
import type { LoadedDataset, TaskInstance } from '../../src/core/dataset/taskInstance';
import * as path from 'node:path';
import { datasetContextOf } from '../../src/core/spec/datasetContext';
import { type InstanceSpec, makeInstanceSpec, type SpecSettings } from '../../src/core/spec/instanceSpec';

let cached: Promise<LoadedDataset> | undefined;

/** The bundled sample tasks, loaded once per test process. */
export function samples(): Promise<LoadedDataset> {
  cached ??= loadDataset('samples');
  return cached;
}

export async function sampleDir(): Promise<string> {
  const ds = await samples();
  return path.dirname(ds.files[0] ?? '.');
}

export async function sample(predicate: (i: TaskInstance) => boolean, what: string): Promise<TaskInstance> {
  const found = (await samples()).instances.find(predicate);
  if (!found) throw new Error(`no sample task ${what}`);
  return found;
}

/** A pytest-run sample (most are): any hostile conftest.py reaches its test session. */
export function pytestSample(): Promise<TaskInstance> {
  return sample((i) => (i.test_cmd ?? 'pytest').startsWith('pytest'), 'run by pytest');
}

/** The spec of a sample row (tests default to no pulls: every sample image is built locally). */
export async function sampleSpec(instance: TaskInstance, settings: SpecSettings = {}): Promise<InstanceSpec> {
  return makeInstanceSpec(instance, datasetContextOf(await samples()), { allowPull: false, ...settings });
}
