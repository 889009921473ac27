/** File and line counts of a unified diff, through the `diff` package's parser. */
import { parsePatch } from 'diff';

export interface PatchFileStat {
  path: string;
  added: number;
  removed: number;
}

/** A patch's size: what the page, the agent view and the run history show of a diff. */
export interface PatchStats {
  files: PatchFileStat[];
  added: number;
  removed: number;
}

/** `a/x.py` / `b/x.py` -> `x.py`; /dev/null stays as it is. */
export function stripGitPrefix(name: string | undefined): string | undefined {
  if (name === undefined || name === '/dev/null') return name;
  return name.replace(/^[ab]\//, '');
}

export interface ParsedFilePatch {
  /** Path in the new tree, or the old one for deletions. */
  path: string;
  oldPath?: string;
  created: boolean;
  deleted: boolean;
  added: number;
  removed: number;
}

export function parseFilePatches(patch: string): ParsedFilePatch[] {
  if (patch.trim() === '') return [];
  const out: ParsedFilePatch[] = [];
  for (const file of parsePatch(patch)) {
    const oldPath = stripGitPrefix(file.oldFileName);
    const newPath = stripGitPrefix(file.newFileName);
    const deleted = newPath === '/dev/null' || file.isDelete === true;
    const created = oldPath === '/dev/null' || file.isCreate === true;
    const path = (deleted ? oldPath : newPath) ?? oldPath ?? '(unknown)';
    let added = 0;
    let removed = 0;
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.startsWith('+')) added++;
        else if (line.startsWith('-')) removed++;
      }
    }
    out.push({ path, oldPath: created ? undefined : oldPath, created, deleted, added, removed });
  }
  return out;
}

export function patchStats(patch: string): PatchStats {
  const files: PatchFileStat[] = parseFilePatches(patch).map(({ path, added, removed }) => ({ path, added, removed }));
  return {
    files,
    added: files.reduce((n, f) => n + f.added, 0),
    removed: files.reduce((n, f) => n + f.removed, 0),
  };
}
