import * as fs from 'node:fs';
import { updateJsonFile } from '../util/lockedJsonFile';
import { SCORES, TIME_BUCKETS, type DifficultyAnnotation, type Score, type TimeBucket } from './annotation';

export const DRAFTS_FORMAT = 'swe-gym-studio/annotation-drafts@1';
/** The file's name in an annotator's output folder, beside `annotations.json`. */
export const DRAFTS_FILE = 'annotation-drafts.json';

/** Answers given so far in a difficulty form closed before its end. */
export type DraftAnswers = Partial<Pick<DifficultyAnnotation, 'difficulty' | 'underspecified' | 'false_negative' | 'notes'>>;

interface DraftsFile {
  format: typeof DRAFTS_FORMAT;
  annotator: string;
  /** instance id -> the answers given so far. */
  drafts: Record<string, DraftAnswers>;
}

/**
 * One annotator's unfinished answers (a form closed early), one per instance, kept on disk beside
 * their annotations so the next form starts on them after a reload or a restart. Rewritten whole
 * and durably on each change, like the annotations file, and like it changed under a cross-process
 * lock (two windows of one annotator keep each other's drafts); a draft goes once its answers are
 * stored.
 */
export class AnnotationDrafts {
  private constructor(
    readonly file: string,
    readonly annotator: string,
    private readonly byInstance: Map<string, DraftAnswers>,
  ) {}

  /** Opens (or starts) the annotator's drafts; a file that is not ours is an error, never overwritten. */
  static open(file: string, annotator: string): AnnotationDrafts {
    const drafts = new Map<string, DraftAnswers>();
    if (fs.existsSync(file)) {
      const read = readDraftsFile(file);
      if (read.annotator !== annotator) throw new Error(`${file} holds the drafts of "${read.annotator}", not "${annotator}"`);
      for (const [id, d] of Object.entries(read.drafts)) drafts.set(id, d);
    }
    return new AnnotationDrafts(file, annotator, drafts);
  }

  get(instanceId: string): DraftAnswers | undefined {
    return this.byInstance.get(instanceId);
  }

  /** Keeps the answers given so far (an empty draft is dropped); on disk before it resolves. */
  async put(instanceId: string, answers: DraftAnswers): Promise<void> {
    const checked = parseDraft(answers, `draft of ${instanceId}`);
    await this.change((drafts) => {
      if (Object.keys(checked).length) drafts.set(instanceId, checked);
      else if (!drafts.delete(instanceId)) return false;
      return true;
    });
  }

  async delete(instanceId: string): Promise<void> {
    await this.change((drafts) => drafts.delete(instanceId));
  }

  /** Changes the drafts the file holds now (`edit` says whether it changed anything to write). */
  private async change(edit: (drafts: Map<string, DraftAnswers>) => boolean): Promise<void> {
    let now: Map<string, DraftAnswers> | undefined;
    await updateJsonFile<DraftsFile>(
      this.file,
      (raw) => {
        now = new Map(raw === undefined ? [] : Object.entries(this.ownDrafts(raw)));
        if (!edit(now)) return undefined;
        return { format: DRAFTS_FORMAT, annotator: this.annotator, drafts: Object.fromEntries([...now].sort(([x], [y]) => x.localeCompare(y))) };
      },
      { indent: 2 },
    );
    // What the file holds now, other windows' drafts included.
    this.byInstance.clear();
    for (const [id, d] of now ?? []) this.byInstance.set(id, d);
  }

  private ownDrafts(raw: unknown): Record<string, DraftAnswers> {
    const read = parseDraftsBody(raw, this.file);
    if (read.annotator !== this.annotator) throw new Error(`${this.file} holds the drafts of "${read.annotator}", not "${this.annotator}"`);
    return read.drafts;
  }
}

/** Reads a drafts file, checking every draft; the error names the file and the instance. */
export function readDraftsFile(file: string): { annotator: string; drafts: Record<string, DraftAnswers> } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the annotation drafts in ${file}: ${(err as Error).message}`);
  }
  return parseDraftsBody(raw, file);
}

/** Checks what a drafts file holds (parsed JSON); the error names the file and the instance. */
function parseDraftsBody(raw: unknown, file: string): { annotator: string; drafts: Record<string, DraftAnswers> } {
  const body = raw as Partial<DraftsFile>;
  if (body?.format !== DRAFTS_FORMAT || typeof body.annotator !== 'string' || typeof body.drafts !== 'object' || body.drafts === null || Array.isArray(body.drafts)) {
    throw new Error(`${file} is not an annotation drafts file (expected "format": "${DRAFTS_FORMAT}", an annotator and drafts)`);
  }
  const drafts: Record<string, DraftAnswers> = {};
  for (const [id, d] of Object.entries(body.drafts)) drafts[id] = parseDraft(d, `${file}: ${id}`);
  return { annotator: body.annotator, drafts };
}

/** Checks the answers a draft holds (each optional, each a valid answer when present). */
export function parseDraft(raw: unknown, where: string): DraftAnswers {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: a draft must be an object`);
  const r = raw as Record<string, unknown>;
  const out: DraftAnswers = {};
  if (r.difficulty !== undefined) {
    if (!TIME_BUCKETS.includes(r.difficulty as TimeBucket)) throw new Error(`${where}: difficulty must be one of ${TIME_BUCKETS.map((b) => `"${b}"`).join(', ')}, got ${JSON.stringify(r.difficulty)}`);
    out.difficulty = r.difficulty as TimeBucket;
  }
  for (const k of ['underspecified', 'false_negative'] as const) {
    if (r[k] === undefined) continue;
    if (!SCORES.includes(r[k] as Score)) throw new Error(`${where}: ${k} must be 0, 1, 2 or 3, got ${JSON.stringify(r[k])}`);
    out[k] = r[k] as Score;
  }
  if (r.notes !== undefined) {
    if (typeof r.notes !== 'string') throw new Error(`${where}: notes must be text`);
    out.notes = r.notes;
  }
  return out;
}
