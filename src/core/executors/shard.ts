/** One shard of a batch split K ways: shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** `I/K` as the CLI spells it (0 <= I < K). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) throw new Error(`"${text}" is not a shard: use I/K with 0 <= I < K (e.g. 0/4)`);
  return { index, count };
}

/**
 * The items of one shard: every K-th of them in instance-id order, so the K shards partition the
 * batch whatever order it was given in, and each shard holds instances of every kind.
 */
export function shardOf<T>(items: readonly T[], shard: Shard, idOf: (item: T) => string): T[] {
  const ids = [...new Set(items.map(idOf))].sort();
  const mine = new Set(ids.filter((_, i) => i % shard.count === shard.index));
  return items.filter((item) => mine.has(idOf(item)));
}
