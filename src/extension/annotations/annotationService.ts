import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ANONYMOUS, annotationScore, type DifficultyAnnotation } from '../../core/annotations/annotation';
import { AnnotationDrafts, DRAFTS_FILE } from '../../core/annotations/annotationDrafts';
import { ANNOTATIONS_FILE, AnnotationStore, readAnnotationsFile } from '../../core/annotations/annotationStore';
import { demoRunDir } from '../../core/demo/demoFiles';
import type { AnnotationView } from '../../shared/instancePage';
import { demoAnnotator, demoOutputRoot } from '../demo/demoSettings';
import { finishedDemos } from '../demo/finishedDemos';
import type { InstanceDecoration, InstanceDecorator } from '../tree/instanceTree';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';

export type Answers = Pick<DifficultyAnnotation, 'difficulty' | 'underspecified' | 'false_negative' | 'notes'>;

/** Short forms of Verified's buckets for the tree row. */
const SHORT: Record<string, string> = { '<15 min fix': '<15m', '15 min - 1 hour': '15m–1h', '1-4 hours': '1–4h', '>4 hours': '>4h' };

/**
 * The difficulty answers of this window's annotator (written to their folder in the output root)
 * and those of every other annotator whose folder is there (read, for the page, tooltip and sort).
 */
export class AnnotationService extends Disposable implements InstanceDecorator {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with an instance id whose annotations changed. */
  readonly onDidChange = this.changed.event;
  private byInstance = new Map<string, DifficultyAnnotation[]>();
  /** The form's current step while it is open (tests and the UI flow wait on it). */
  formStep: string | undefined;

  constructor(
    private readonly globalStorage: vscode.Uri,
    private readonly log: Logger,
  ) {
    super();
    this.reload();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('sweGym.demo')) this.reload();
      }),
    );
  }

  /** This window's annotator: the `sweGym.demo.annotator` setting, or "anonymous". */
  annotator(): string {
    return demoAnnotator() ?? ANONYMOUS;
  }

  /** The annotator's own file, beside their demonstrations. */
  storeFile(): string {
    return path.join(demoRunDir(demoOutputRoot(this.globalStorage), demoAnnotator()), ANNOTATIONS_FILE);
  }

  all(instanceId: string): DifficultyAnnotation[] {
    return this.byInstance.get(instanceId) ?? [];
  }

  mine(instanceId: string): DifficultyAnnotation | undefined {
    const me = this.annotator();
    return this.all(instanceId).find((a) => a.annotator === me);
  }

  /** The annotator's drafts file, beside their answers. */
  draftsFile(): string {
    return path.join(path.dirname(this.storeFile()), DRAFTS_FILE);
  }

  /**
   * What a closed form had been told so far (undefined once the answers are stored): read from
   * the annotator's drafts file, so the next form starts on it after a reload too.
   */
  draft(instanceId: string): Partial<Answers> | undefined {
    try {
      return AnnotationDrafts.open(this.draftsFile(), this.annotator()).get(instanceId);
    } catch (err) {
      this.log.warn(`Annotation drafts not read: ${errorMessage(err)}`);
      return undefined;
    }
  }

  /** Keeps the answers given so far on disk (a form answered step by step, or closed early). */
  async keepDraft(instanceId: string, answers: Partial<Answers>): Promise<void> {
    try {
      await AnnotationDrafts.open(this.draftsFile(), this.annotator()).put(instanceId, answers);
    } catch (err) {
      this.log.warn(`The answers so far could not be kept: ${errorMessage(err)}`);
    }
  }

  /** This annotator's newest finished demonstration of the instance (the one the answers go with). */
  lastDemonstration(instanceId: string): DifficultyAnnotation['demonstration'] | undefined {
    const row = finishedDemos(path.dirname(this.storeFile()), instanceId)[0];
    return row ? { file: row.file, active_ms: row.activeMs, resolved: row.resolved } : undefined;
  }

  /** Stores the annotator's answers (replacing earlier ones); on disk before it resolves. */
  async put(instanceId: string, answers: Answers, demonstration?: DifficultyAnnotation['demonstration']): Promise<DifficultyAnnotation> {
    const store = AnnotationStore.open(this.storeFile(), this.annotator());
    const saved = await store.put({ instance_id: instanceId, annotator: this.annotator(), ...answers, annotated_at: new Date().toISOString(), ...(demonstration ? { demonstration } : {}) });
    this.byInstance.set(instanceId, [...this.all(instanceId).filter((a) => a.annotator !== saved.annotator), saved].sort((a, b) => a.annotator.localeCompare(b.annotator)));
    try {
      await AnnotationDrafts.open(this.draftsFile(), this.annotator()).delete(instanceId);
    } catch (err) {
      this.log.warn(`The draft of ${instanceId} could not be dropped: ${errorMessage(err)}`);
    }
    this.log.info(`${instanceId}: annotated by ${saved.annotator} (${saved.difficulty}, underspecified ${saved.underspecified}, false negative ${saved.false_negative}) in ${store.file}`);
    this.changed.fire(instanceId);
    return saved;
  }

  views(instanceId: string): AnnotationView[] {
    const me = this.annotator();
    return this.all(instanceId).map((a) => ({
      annotator: a.annotator,
      mine: a.annotator === me,
      difficulty: a.difficulty,
      underspecified: a.underspecified,
      falseNegative: a.false_negative,
      notes: a.notes,
      at: a.annotated_at,
      ...(a.demonstration ? { demonstrationMs: a.demonstration.active_ms } : {}),
    }));
  }

  /** Hardest highest, averaged over annotators; undefined when nobody answered. */
  score(instanceId: string): number | undefined {
    const all = this.all(instanceId);
    return all.length ? all.reduce((n, a) => n + annotationScore(a), 0) / all.length : undefined;
  }

  decorate(instanceId: string): InstanceDecoration | undefined {
    const all = this.all(instanceId);
    if (!all.length) return undefined;
    const lines = all.map((a) => `${a.annotator}: ${a.difficulty} · issue ${a.underspecified}/3 · tests ${a.false_negative}/3${a.notes.trim() ? ` — “${a.notes.trim().replace(/\s+/g, ' ').slice(0, 200)}”` : ''}`);
    return {
      description: `✎ ${[...new Set(all.map((a) => SHORT[a.difficulty] ?? a.difficulty))].join('/')}`,
      tooltip: `**Annotated** (0 = well specified / tests valid, 3 = far from it):\n\n${lines.map((l) => `- ${escapeMarkdown(l)}`).join('\n')}`,
    };
  }

  /** Reads every annotator's file under the output root again (a setting changed, or at start). */
  reload(): void {
    const root = demoOutputRoot(this.globalStorage);
    const next = new Map<string, DifficultyAnnotation[]>();
    let folders: string[] = [];
    try {
      folders = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, e.name));
    } catch {
      // No output root yet: nobody has annotated.
    }
    for (const folder of folders) {
      const file = path.join(folder, ANNOTATIONS_FILE);
      if (!fs.existsSync(file)) continue;
      try {
        for (const a of readAnnotationsFile(file).annotations) next.set(a.instance_id, [...(next.get(a.instance_id) ?? []), a]);
      } catch (err) {
        this.log.warn(`Annotations not read: ${errorMessage(err)}`);
      }
    }
    const touched = new Set([...this.byInstance.keys(), ...next.keys()]);
    this.byInstance = next;
    for (const id of touched) this.changed.fire(id);
  }
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
