import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetLoadError } from './errors';
import {
  defaultHubCacheDir,
  findHubDataset,
  isDirectory,
  isHubDatasetDir,
  listHubDatasets,
  pickSnapshot,
  repoIdFromPath,
} from './hfCache';
import { resolveSamplesFile } from './packageRoot';

export type DatasetFileFormat = 'json' | 'jsonl' | 'parquet';

export interface ResolvedDatasetSource {
  kind: 'samples' | 'file' | 'folder' | 'hub';
  /** Display name: `samples`, the Hugging Face repo id (`SWE-Gym/SWE-Gym`), or the file/folder name. */
  name: string;
  /** Absolute paths, in load order. */
  files: string[];
  /** The split the files were narrowed to, when the source names several. */
  split?: string;
}

export interface ResolveSourceOptions {
  /** Only files of this split (`test` for `data/test-00000-of-00001.parquet`). */
  split?: string;
  /** Hugging Face hub cache root used for `org/name` sources; defaults to huggingface_hub's own. */
  hubCacheDir?: string;
}

const EXTENSIONS: Record<string, DatasetFileFormat> = {
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
};

export function fileFormat(file: string): DatasetFileFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

/** `org/name` or `org/name:split`, as typed for a Hugging Face dataset. */
const HUB_ID = /^([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)(?::([\w.-]+))?$/;

/**
 * Turns what a user typed into the files to read. Accepts `samples`, a .json/.jsonl/.ndjson/.parquet
 * file, a folder (its files plus those in `data/`), a `datasets--org--name` cache folder, or
 * `org/name[:split]` looked up in the local Hugging Face cache (nothing is downloaded).
 */
export function resolveDatasetSource(source: string, options: ResolveSourceOptions = {}): ResolvedDatasetSource {
  const trimmed = source.trim();
  if (trimmed === '') throw new DatasetLoadError('No dataset source given');
  if (trimmed === 'samples') {
    const file = resolveSamplesFile();
    if (!fs.existsSync(file)) throw new DatasetLoadError(`The bundled samples dataset is missing: ${file}`);
    return { kind: 'samples', name: 'samples', files: [file] };
  }

  const absolute = path.resolve(trimmed);
  if (fs.existsSync(absolute)) return resolvePath(absolute, options);

  const hub = HUB_ID.exec(trimmed);
  if (hub?.[1]) {
    const hubDir = options.hubCacheDir ?? defaultHubCacheDir();
    const datasetDir = findHubDataset(hubDir, hub[1]);
    if (!datasetDir) {
      throw new DatasetLoadError(
        `"${trimmed}" is neither a file nor a folder, and the Hugging Face cache at ${hubDir} has no dataset ${hub[1]}. ` +
          `Download it first (huggingface-cli download --repo-type dataset ${hub[1]}) or give a path.`,
      );
    }
    return resolveHubDataset(datasetDir, { ...options, split: options.split ?? hub[2] });
  }
  throw new DatasetLoadError(`Dataset source not found: ${absolute}`);
}

function resolvePath(absolute: string, options: ResolveSourceOptions): ResolvedDatasetSource {
  if (!isDirectory(absolute)) {
    if (!fileFormat(absolute)) {
      throw new DatasetLoadError(`Unsupported dataset file ${absolute}: expected .json, .jsonl, .ndjson or .parquet`);
    }
    const name = repoIdFromPath(absolute) ?? path.basename(absolute).replace(/\.[^.]+$/, '');
    const samples = safeSamplesFile();
    if (samples !== undefined && path.resolve(samples) === absolute) {
      return { kind: 'samples', name: 'samples', files: [absolute] };
    }
    return { kind: 'file', name, files: [absolute] };
  }
  if (isHubDatasetDir(absolute)) return resolveHubDataset(absolute, options);

  const files = listDataFiles(absolute);
  if (files.length === 0) {
    const cached = listHubDatasets(absolute);
    if (cached.length > 0) {
      throw new DatasetLoadError(
        `${absolute} is a Hugging Face hub cache; name one of its datasets instead: ${cached.join(', ')}`,
      );
    }
    throw new DatasetLoadError(`No .json, .jsonl, .ndjson or .parquet files in ${absolute} or its data/ folder`);
  }
  const base = path.basename(absolute) === 'data' ? path.dirname(absolute) : absolute;
  const name = repoIdFromPath(absolute) ?? path.basename(base);
  return { kind: 'folder', name, ...narrowToSplit(files, options.split, absolute) };
}

function resolveHubDataset(datasetDir: string, options: ResolveSourceOptions): ResolvedDatasetSource {
  const snapshot = pickSnapshot(datasetDir);
  const files = listDataFiles(snapshot);
  const name = repoIdFromPath(datasetDir) ?? path.basename(datasetDir);
  if (files.length === 0) throw new DatasetLoadError(`Snapshot ${snapshot} of ${name} holds no data files`);
  const narrowed = narrowToSplit(files, options.split, snapshot);
  return { kind: 'hub', name: narrowed.split ? `${name}:${narrowed.split}` : name, ...narrowed };
}

/** Data files directly in `dir` and in `dir/data`, in natural order so shards load in sequence. */
export function listDataFiles(dir: string): string[] {
  const found: string[] = [];
  for (const folder of [dir, path.join(dir, 'data')]) {
    let entries: string[];
    try {
      entries = fs.readdirSync(folder);
    } catch {
      continue;
    }
    const files = entries
      .filter((e) => fileFormat(e) !== undefined)
      .map((e) => path.join(folder, e))
      // Hugging Face snapshots hold symlinks into blobs/: stat follows them.
      .filter((p) => isFile(p))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    found.push(...files);
  }
  return found;
}

/** `test-00000-of-00001.parquet` -> `test`; undefined for files not named after a split. */
export function splitOfFile(file: string): string | undefined {
  return /^(.+?)-\d+-of-\d+\.[^.]+$/.exec(path.basename(file))?.[1];
}

function narrowToSplit(files: string[], split: string | undefined, where: string): { files: string[]; split?: string } {
  const splits = [...new Set(files.map(splitOfFile).filter((s): s is string => s !== undefined))].sort();
  if (split !== undefined) {
    const chosen = files.filter((f) => splitOfFile(f) === split);
    if (chosen.length === 0) {
      throw new DatasetLoadError(
        `No files of split "${split}" in ${where}` + (splits.length ? `; splits there: ${splits.join(', ')}` : ''),
      );
    }
    return { files: chosen, split };
  }
  if (splits.length > 1) {
    throw new DatasetLoadError(
      `${where} holds several splits (${splits.join(', ')}); choose one, e.g. with the split option or "org/name:${splits[0]}"`,
    );
  }
  return { files };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function safeSamplesFile(): string | undefined {
  try {
    return resolveSamplesFile();
  } catch {
    return undefined;
  }
}
