import type { TaskInstance } from './taskInstance';

/**
 * The large free-text fields of a row (together most of a dataset's bytes). Big sources keep them
 * on disk and read them on access; see lazyText.ts.
 */
export const HEAVY_TEXT_FIELDS = ['problem_statement', 'hints_text', 'patch', 'test_patch'] as const;
export type HeavyTextField = (typeof HEAVY_TEXT_FIELDS)[number] & keyof TaskInstance;

/**
 * Where the heavy text fields live after loading.
 * - 'memory': plain strings, read at load time.
 * - 'lazy': JSONL and parquet rows keep them on disk; reading the property reads them back
 *   synchronously (JSON arrays are always in memory). Memory stays small for SWE-Gym Raw sized
 *   sources; the price is a disk read (and for parquet a row-group decode) on first access, and
 *   an error on access if the file changed since loading.
 * - 'auto' (default): 'lazy' when the heavy text exceeds LAZY_TEXT_THRESHOLD_BYTES (the file size
 *   for JSONL, the uncompressed size of those columns for parquet), else 'memory'.
 */
export type TextStorage = 'auto' | 'memory' | 'lazy';

/** SWE-bench (test) and SWE-Gym Lite stay in memory; SWE-Gym and SWE-Gym Raw go lazy. */
export const LAZY_TEXT_THRESHOLD_BYTES = 24 * 1024 * 1024;
