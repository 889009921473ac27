import * as path from 'node:path';
import type { FlavorBasis } from '../dataset/flavor';
import type { DatasetFlavor, LoadedDataset } from '../dataset/taskInstance';

/** What an instance spec needs to know of the dataset a row came from. */
export interface DatasetContext {
  flavor: DatasetFlavor;
  /** Why the dataset was taken for that family (its loader's words). */
  flavorReason?: string;
  /** What decided it; a row's own repository overrules only 'encoding' and 'default' (and a missing basis). */
  flavorBasis?: FlavorBasis;
  /** Folder of the dataset file: row build contexts are relative to it. */
  dir?: string;
}

export function datasetContextOf(dataset: Pick<LoadedDataset, 'flavor' | 'flavorReason' | 'flavorBasis' | 'files'>): DatasetContext {
  const first = dataset.files[0];
  return {
    flavor: dataset.flavor,
    ...(dataset.flavorReason !== undefined ? { flavorReason: dataset.flavorReason } : {}),
    ...(dataset.flavorBasis !== undefined ? { flavorBasis: dataset.flavorBasis } : {}),
    ...(first !== undefined ? { dir: path.dirname(first) } : {}),
  };
}
