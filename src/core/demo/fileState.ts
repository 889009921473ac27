/**
 * What a recorder knows of one path of the repository: a regular file (its bytes and whether it
 * is executable, the only mode bit git keeps) or a symbolic link (its target). Absent = no such path.
 */
export type FileState = { kind: 'file'; bytes: Buffer; executable: boolean } | { kind: 'symlink'; target: string };

/** One path's change between two recorded states (repository-relative POSIX path). */
export interface FileChange {
  path: string;
  before: FileState | undefined;
  after: FileState | undefined;
}

export function sameState(a: FileState | undefined, b: FileState | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'symlink' || b.kind === 'symlink') return a.kind === 'symlink' && b.kind === 'symlink' && a.target === b.target;
  return a.executable === b.executable && a.bytes.equals(b.bytes);
}

/** Same content, ignoring the executable bit (a rename keeps the mode anyway). */
export function sameContent(a: FileState, b: FileState): boolean {
  if (a.kind === 'symlink' || b.kind === 'symlink') return a.kind === 'symlink' && b.kind === 'symlink' && a.target === b.target;
  return a.bytes.equals(b.bytes);
}

/** The changes from one tree to another (paths in either). */
export function diffStates(before: ReadonlyMap<string, FileState>, after: ReadonlyMap<string, FileState>): FileChange[] {
  const out: FileChange[] = [];
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(path);
    const a = after.get(path);
    if (!sameState(b, a)) out.push({ path, before: b, after: a });
  }
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The text of bytes that are valid UTF-8, or undefined. */
export function utf8Text(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
