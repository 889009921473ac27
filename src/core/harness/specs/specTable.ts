/** Shape of the per-repository spec tables (keys: lower-cased `owner/name`). */
export interface SpecEntry {
  test_cmd: string;
  install?: string;
  pre_install?: readonly string[];
  eval_commands?: readonly string[];
}

export interface RepoSpecTable {
  /** The versions the reference table lists, space-separated (others make the harness fail). */
  versions: string;
  /** The entry for a version; for unlisted versions, the one its neighbours share. */
  entry: (version: string) => SpecEntry;
}

export type SpecTable = Readonly<Record<string, RepoSpecTable>>;

export function tableEntry(table: SpecTable, repo: string): RepoSpecTable | undefined {
  const key = repo.toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function listsVersion(t: RepoSpecTable, version: string): boolean {
  return t.versions.split(' ').includes(version);
}
