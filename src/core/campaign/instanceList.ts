import * as fs from 'node:fs';

/** A list file names instances the open dataset does not hold, or is not a list at all. */
export class InstanceListError extends Error {
  override name = 'InstanceListError';
}

export interface ListedInstance {
  id: string;
  /** 1-based line in the list file, for errors that point at it. */
  line: number;
}

/**
 * A list file's instance ids: one per line; blank lines and `#` comments (whole lines, or after
 * the id) are skipped. A line holding more than one word, or an id listed twice, is an error
 * naming its line: a campaign built from a mistyped list would silently demonstrate the wrong set.
 */
export function parseInstanceList(text: string, where: string): ListedInstance[] {
  const out: ListedInstance[] = [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    if (/\s/.test(line)) {
      problems.push(`line ${i + 1} holds more than one id ("${line}")`);
      continue;
    }
    const first = seen.get(line);
    if (first !== undefined) {
      problems.push(`line ${i + 1} lists ${line} again (first on line ${first})`);
      continue;
    }
    seen.set(line, i + 1);
    out.push({ id: line, line: i + 1 });
  }
  if (problems.length) throw new InstanceListError(`${where}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  if (!out.length) throw new InstanceListError(`${where} lists no instance ids (one id a line; # starts a comment).`);
  return out;
}

export function readInstanceList(file: string): ListedInstance[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InstanceListError(`Cannot read the instance list ${file}: ${(err as Error).message}`);
  }
  return parseInstanceList(text, file);
}

/** The ids, in the list's order, once every one is known; otherwise an error naming the unknown ones and their lines. */
export function knownIds(listed: readonly ListedInstance[], isKnown: (id: string) => boolean, where: string, datasetName: string): string[] {
  const unknown = listed.filter((x) => !isKnown(x.id));
  if (unknown.length) {
    const named = unknown.slice(0, 8).map((x) => `${x.id} (line ${x.line})`);
    const more = unknown.length > 8 ? ` and ${unknown.length - 8} more` : '';
    throw new InstanceListError(`${where}: ${unknown.length} of ${listed.length} ids are not in ${datasetName}: ${named.join(', ')}${more}. Nothing was started.`);
  }
  return listed.map((x) => x.id);
}
