/**
 * Decoded parquet column chunks, shared by every lazy parquet source in the process and bounded
 * by size, so walking all 66k rows of six shards never holds more than one budget of text.
 */
export class DecodedChunkCache {
  private readonly entries = new Map<string, { values: unknown[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string): unknown[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-insert: Map order is the recency order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.values;
  }

  set(key: string, values: unknown[]): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    const bytes = approximateBytes(values);
    this.entries.set(key, { values, bytes });
    this.bytes += bytes;
    // Always keep the newest entry, even when it alone exceeds the budget.
    for (const [k, entry] of this.entries) {
      if (this.bytes <= this.budgetBytes || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.bytes -= entry.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }
}

function approximateBytes(values: unknown[]): number {
  let n = values.length * 8;
  for (const v of values) {
    if (typeof v === 'string') n += v.length + 16;
    else if (Array.isArray(v)) for (const item of v) n += typeof item === 'string' ? item.length + 24 : 8;
  }
  return n;
}

/** 64 MB: a few row groups of SWE-Gym Raw text (about 12 MB per 1,000-row column chunk). */
export const decodedChunks = new DecodedChunkCache(64 * 1024 * 1024);
