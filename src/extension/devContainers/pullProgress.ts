import type { ImageProgress } from '../../core/images/ensureImage';

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.max(1, Math.round(n / 1024))} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(0)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/**
 * Sums per-layer pull progress into one "x of y" figure: the engine reports each layer on its
 * own, and the total is only known once every layer has announced its size.
 */
export class PullProgressSummary {
  private readonly layers = new Map<string, { current: number; total: number }>();

  /** Returns the line to show and, when sizes are known, the fraction done. */
  update(e: ImageProgress): { message: string; fraction?: number } {
    if (e.phase !== 'pull') return { message: e.message };
    const layer = /^([0-9a-f]{12}): /.exec(e.message)?.[1];
    if (layer && e.totalBytes) {
      this.layers.set(layer, { current: e.currentBytes ?? 0, total: e.totalBytes });
    } else if (layer && /complete|already exists/i.test(e.message)) {
      const l = this.layers.get(layer);
      if (l) l.current = l.total;
    }
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      current += Math.min(l.current, l.total);
      total += l.total;
    }
    if (total === 0) return { message: e.message };
    return { message: `Pulling the image: ${formatBytes(current)} of ${formatBytes(total)} (${this.layers.size} layers)`, fraction: current / total };
  }
}
