import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetLoadError } from './errors';

/** `SWE-Gym/SWE-Gym` -> `datasets--SWE-Gym--SWE-Gym`, the folder name huggingface_hub uses. */
export function hubFolderName(repoId: string): string {
  return `datasets--${repoId.split('/').join('--')}`;
}

/** `.../datasets--SWE-Gym--SWE-Gym/...` -> `SWE-Gym/SWE-Gym`, from the nearest such path segment. */
export function repoIdFromPath(p: string): string | undefined {
  const segments = path.resolve(p).split(path.sep).reverse();
  for (const segment of segments) {
    const m = /^datasets--(.+)$/.exec(segment);
    if (m?.[1]) return m[1].split('--').join('/');
  }
  return undefined;
}

/** Where huggingface_hub keeps its cache, following its own environment variables. */
export function defaultHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, 'hub');
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'huggingface', 'hub');
}

export function isHubDatasetDir(dir: string): boolean {
  return /^datasets--/.test(path.basename(dir)) && isDirectory(path.join(dir, 'snapshots'));
}

/** A hub cache root holds `datasets--*` / `models--*` folders rather than data itself. */
export function listHubDatasets(hubDir: string): string[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(hubDir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.startsWith('datasets--') && isDirectory(path.join(hubDir, e, 'snapshots')))
    .map((e) => e.slice('datasets--'.length).split('--').join('/'))
    .sort();
}

/** The `datasets--org--name` folder of `repoId` inside `hubDir`, or undefined when not cached. */
export function findHubDataset(hubDir: string, repoId: string): string | undefined {
  const dir = path.join(hubDir, hubFolderName(repoId));
  return isHubDatasetDir(dir) ? dir : undefined;
}

/**
 * The snapshot to read: the one `refs/main` names (what `datasets.load_dataset` would use), else
 * the most recently modified snapshot.
 */
export function pickSnapshot(datasetDir: string): string {
  const snapshotsDir = path.join(datasetDir, 'snapshots');
  const mainRef = readTrimmed(path.join(datasetDir, 'refs', 'main'));
  if (mainRef && isDirectory(path.join(snapshotsDir, mainRef))) {
    return path.join(snapshotsDir, mainRef);
  }
  let best: { dir: string; mtimeMs: number } | undefined;
  let names: string[] = [];
  try {
    names = fs.readdirSync(snapshotsDir);
  } catch {
    // reported below
  }
  for (const name of names) {
    const dir = path.join(snapshotsDir, name);
    try {
      const st = fs.statSync(dir);
      if (st.isDirectory() && (!best || st.mtimeMs > best.mtimeMs)) best = { dir, mtimeMs: st.mtimeMs };
    } catch {
      // A snapshot vanishing while we look is not fatal: skip it.
    }
  }
  if (!best) throw new DatasetLoadError(`No snapshot found in ${snapshotsDir}`);
  return best.dir;
}

function readTrimmed(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
