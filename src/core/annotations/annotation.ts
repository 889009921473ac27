/**
 * SWE-bench Verified's annotation questions, asked when a person finishes an instance. Field
 * names and values follow Verified's released annotations (`difficulty`, `underspecified`,
 * `false_negative`), so our rows can be read beside theirs.
 */

/** How long an experienced engineer would take to write the fix (Verified's `difficulty`). */
export const TIME_BUCKETS = ['<15 min fix', '15 min - 1 hour', '1-4 hours', '>4 hours'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

export type Score = 0 | 1 | 2 | 3;
export const SCORES: readonly Score[] = [0, 1, 2, 3];

/** What each score means (after Verified's rubric), shown in the form. */
export const UNDERSPECIFIED_LABELS: Readonly<Record<Score, string>> = {
  0: 'The issue is well specified: it is clear what a successful solution does',
  1: 'Some blanks to fill in, but there is a sensible reading of what a solution does',
  2: 'Vague: room for ambiguity, unclear what a successful solution looks like',
  3: 'Almost impossible to know what a correct solution is without more information',
};

export const FALSE_NEGATIVE_LABELS: Readonly<Record<Score, string>> = {
  0: 'The tests cover every correct solution',
  1: 'The tests cover most correct solutions; some unusual ones may be missed',
  2: 'The tests work, but some perfectly reasonable solutions fail them',
  3: 'The tests are too narrow or too broad, or test something other than the issue',
};

export interface DifficultyAnnotation {
  instance_id: string;
  /** From the `sweGym.demo.annotator` setting ('anonymous' without one); never the OS user. */
  annotator: string;
  difficulty: TimeBucket;
  /** 0 = well specified … 3 = cannot be solved from the issue alone. */
  underspecified: Score;
  /** 0 = the tests are valid for the issue … 3 = they check something else. */
  false_negative: Score;
  notes: string;
  annotated_at: string;
  /** The demonstration the person had just finished, when the answers came with one. */
  demonstration?: { file: string; active_ms: number; resolved: boolean | null };
}

export const ANONYMOUS = 'anonymous';

/** The bucket a recorded active time falls in: the form's suggestion after a demonstration. */
export function bucketOf(activeMs: number): TimeBucket {
  const min = activeMs / 60_000;
  return min < 15 ? '<15 min fix' : min < 60 ? '15 min - 1 hour' : min < 240 ? '1-4 hours' : '>4 hours';
}

/** Checks a record read from disk or given to a command; says what is wrong with it. */
export function parseAnnotation(raw: unknown, where: string): DifficultyAnnotation {
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('an annotation must be an object');
  const r = raw as Record<string, unknown>;
  const text = (k: string, allowEmpty = false): string => {
    const v = r[k];
    if (typeof v !== 'string' || (!allowEmpty && !v.trim())) return fail(`${k} must be ${allowEmpty ? 'text' : 'non-empty text'}`);
    return v;
  };
  const score = (k: string): Score => {
    const v = r[k];
    if (!SCORES.includes(v as Score)) return fail(`${k} must be 0, 1, 2 or 3, got ${JSON.stringify(v)}`);
    return v as Score;
  };
  const difficulty = r.difficulty;
  if (!TIME_BUCKETS.includes(difficulty as TimeBucket)) fail(`difficulty must be one of ${TIME_BUCKETS.map((b) => `"${b}"`).join(', ')}, got ${JSON.stringify(difficulty)}`);
  const out: DifficultyAnnotation = {
    instance_id: text('instance_id'),
    annotator: text('annotator'),
    difficulty: difficulty as TimeBucket,
    underspecified: score('underspecified'),
    false_negative: score('false_negative'),
    notes: r.notes === undefined ? '' : text('notes', true),
    annotated_at: text('annotated_at'),
  };
  const d = r.demonstration as Record<string, unknown> | undefined;
  if (d !== undefined) {
    if (typeof d !== 'object' || d === null || typeof d.file !== 'string' || typeof d.active_ms !== 'number' || !(d.resolved === null || typeof d.resolved === 'boolean')) fail('demonstration must be {file, active_ms, resolved}');
    out.demonstration = { file: d.file as string, active_ms: d.active_ms as number, resolved: d.resolved as boolean | null };
  }
  return out;
}

/** One number to sort by, hardest highest: Verified's buckets first, then how badly specified and how unfair the tests are. */
export function annotationScore(a: Pick<DifficultyAnnotation, 'difficulty' | 'underspecified' | 'false_negative'>): number {
  return TIME_BUCKETS.indexOf(a.difficulty) * 100 + a.underspecified * 10 + a.false_negative;
}
