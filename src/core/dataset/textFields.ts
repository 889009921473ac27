import type { TaskInstance } from './taskInstance';

/**
 * The large free-text fields of a row (together most of a dataset's bytes). Big sources keep them
 * on disk and read them on access; see lazyText.ts.
 */
export const HEAVY_TEXT_FIELDS = ['problem_statement', 'hints_text', 'patch', 'test_patch'] as const;
export type HeavyTextField = (typeof HEAVY_TEXT_FIELDS)[number] & keyof TaskInstance;
