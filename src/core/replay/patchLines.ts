/**
 * Patches compared by what they change, not by their bytes: the added and removed lines of each
 * file. Index lines (abbreviated hashes whose length depends on the repository), hunk headers,
 * CRLF against LF and a missing final newline are not differences.
 */
export interface PatchComparison {
  same: boolean;
  /** `file: +line` / `file: -line` changes only one side has. */
  onlyRecorded: string[];
  onlyReplayed: string[];
}

export function changedLines(patch: string): string[] {
  const out: string[] = [];
  let file = '';
  for (const raw of patch.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) {
      file = header[2] ?? '';
      continue;
    }
    if (line.startsWith('+++ ')) {
      const target = line.slice(4).replace(/^b\//, '');
      if (target !== '/dev/null') file = target;
      continue;
    }
    if (line.startsWith('--- ')) {
      const source = line.slice(4).replace(/^a\//, '');
      if (!file && source !== '/dev/null') file = source;
      continue;
    }
    if ((line.startsWith('+') || line.startsWith('-')) && file) out.push(`${file}: ${line}`);
  }
  return out.sort();
}

export function comparePatches(recorded: string, replayed: string): PatchComparison {
  const a = changedLines(recorded);
  const b = changedLines(replayed);
  return { same: a.length === b.length && a.every((x, i) => x === b[i]), onlyRecorded: minus(a, b), onlyReplayed: minus(b, a) };
}

function minus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}
