import * as fs from 'node:fs';
import { updateJsonFile } from '../util/lockedJsonFile';
import { parseAnnotation, type DifficultyAnnotation } from './annotation';

export const ANNOTATIONS_FORMAT = 'swe-gym-studio/annotations@1';
/** The file's name in an annotator's output folder (beside their demonstrations). */
export const ANNOTATIONS_FILE = 'annotations.json';

interface AnnotationsFile {
  format: typeof ANNOTATIONS_FORMAT;
  annotator: string;
  /** instance id -> the annotator's latest answers. */
  annotations: Record<string, DifficultyAnnotation>;
}

/**
 * One annotator's answers, one per instance, in one plain JSON file rewritten whole on each
 * answer (durably: a crash leaves the old file or the new one, never half of it). A person
 * answers a few times an hour, so rewriting is cheap and the file stays readable by hand. Two
 * windows (processes) of the same annotator may answer at once: each answer is a change of what
 * the file holds at that moment, under a cross-process lock, so neither loses the other's.
 */
export class AnnotationStore {
  private readonly byInstance = new Map<string, DifficultyAnnotation>();

  private constructor(
    readonly file: string,
    readonly annotator: string,
  ) {}

  /** Opens (or starts) the annotator's file; a file that is not ours is an error, never overwritten. */
  static open(file: string, annotator: string): AnnotationStore {
    const store = new AnnotationStore(file, annotator);
    if (fs.existsSync(file)) {
      const read = readAnnotationsFile(file);
      if (read.annotator !== annotator) throw new Error(`${file} holds the annotations of "${read.annotator}", not "${annotator}"`);
      for (const a of read.annotations) store.byInstance.set(a.instance_id, a);
    }
    return store;
  }

  get(instanceId: string): DifficultyAnnotation | undefined {
    return this.byInstance.get(instanceId);
  }

  all(): DifficultyAnnotation[] {
    return [...this.byInstance.values()];
  }

  /** Stores (or replaces) the annotator's answers for an instance; on disk before it resolves. */
  async put(annotation: DifficultyAnnotation): Promise<DifficultyAnnotation> {
    const a = parseAnnotation(annotation, `annotation of ${annotation.instance_id}`);
    if (a.annotator !== this.annotator) throw new Error(`This store holds the answers of "${this.annotator}", not "${a.annotator}"`);
    const written = await updateJsonFile<AnnotationsFile>(
      this.file,
      (raw) => {
        const next = new Map(raw === undefined ? [] : this.ownAnnotations(raw).map((x) => [x.instance_id, x] as const)).set(a.instance_id, a);
        return { format: ANNOTATIONS_FORMAT, annotator: this.annotator, annotations: Object.fromEntries([...next].sort(([x], [y]) => x.localeCompare(y))) };
      },
      { indent: 2 },
    );
    // What the file holds now, other windows' answers included.
    this.byInstance.clear();
    for (const x of Object.values(written?.annotations ?? {})) this.byInstance.set(x.instance_id, x);
    return a;
  }

  private ownAnnotations(raw: unknown): DifficultyAnnotation[] {
    const read = parseAnnotationsBody(raw, this.file);
    if (read.annotator !== this.annotator) throw new Error(`${this.file} holds the annotations of "${read.annotator}", not "${this.annotator}"`);
    return read.annotations;
  }
}

/** Reads one annotations file, checking every record; the error names the file and the record. */
export function readAnnotationsFile(file: string): { annotator: string; annotations: DifficultyAnnotation[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the annotations in ${file}: ${(err as Error).message}`);
  }
  return parseAnnotationsBody(raw, file);
}

/** Checks what an annotations file holds (parsed JSON); the error names the file and the record. */
function parseAnnotationsBody(raw: unknown, file: string): { annotator: string; annotations: DifficultyAnnotation[] } {
  const body = raw as Partial<AnnotationsFile>;
  if (body?.format !== ANNOTATIONS_FORMAT || typeof body.annotator !== 'string' || typeof body.annotations !== 'object' || body.annotations === null) {
    throw new Error(`${file} is not an annotations file (expected "format": "${ANNOTATIONS_FORMAT}", an annotator and annotations)`);
  }
  const annotations = Object.entries(body.annotations).map(([id, a]) => {
    const parsed = parseAnnotation(a, `${file}: ${id}`);
    if (parsed.instance_id !== id) throw new Error(`${file}: the record under "${id}" is for ${parsed.instance_id}`);
    return parsed;
  });
  return { annotator: body.annotator, annotations };
}
