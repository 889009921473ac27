import type { TaskInstance } from './taskInstance';

/**
 * The big fields of a row: the free text, and PASS_TO_PASS (hundreds to thousands of test ids in
 * pandas-like rows). Together they are nearly all of a dataset's bytes and decode time. Big
 * sources keep them on disk and read them on access; see lazyText.ts.
 */
export const HEAVY_FIELDS = ['problem_statement', 'hints_text', 'patch', 'test_patch', 'PASS_TO_PASS'] as const;
export type HeavyField = (typeof HEAVY_FIELDS)[number] & keyof TaskInstance;

/**
 * Where the heavy fields live after loading.
 * - 'memory': plain strings, read at load time.
 * - 'lazy': JSONL and parquet rows keep them on disk; reading the property reads them back
 *   synchronously (JSON arrays are always in memory). Memory and load time stay small for SWE-Gym
 *   and SWE-Gym Raw sized sources; the price is a disk read (for parquet a row-group decode, tens
 *   of ms) on first access, and an error on access if the file changed since loading. JSONL rows
 *   are still checked in full at load; parquet rows are checked at load except PASS_TO_PASS and
 *   the free text (test_patch is still proven present), which are checked when read.
 * - 'auto' (default): 'lazy' when the heavy fields exceed LAZY_TEXT_THRESHOLD_BYTES (the file size
 *   for JSONL, the uncompressed size of those columns for parquet), else 'memory'.
 */
export type TextStorage = 'auto' | 'memory' | 'lazy';

/** Small sets (SWE-bench Lite and Verified, SWE-Gym Lite) stay in memory; SWE-Gym and Raw go lazy. */
export const LAZY_TEXT_THRESHOLD_BYTES = 24 * 1024 * 1024;
