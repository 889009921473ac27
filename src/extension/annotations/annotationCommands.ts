import * as vscode from 'vscode';
import { bucketOf, parseAnnotation, type DifficultyAnnotation } from '../../core/annotations/annotation';
import type { DatasetStore } from '../datasets/datasetStore';
import type { DemoController, DemoFinished } from '../demo/demoController';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import type { TreeNode } from '../tree/instanceTree';
import { errorMessage, type Logger } from '../util/logger';
import { askDifficulty, closeDifficultyForm } from './annotationForm';
import type { AnnotationService, Answers } from './annotationService';

export interface AnnotationCommandDeps {
  annotations: AnnotationService;
  demos: DemoController;
  datasets: DatasetStore;
  devContainers: DevContainerManager;
  log: Logger;
  notices: string[];
}

/** What the questions after a finish ended in: the answers, or nothing (Escape). */
export interface AfterFinish {
  instanceId: string;
  annotation: DifficultyAnnotation | undefined;
}

/**
 * `sweGym.annotate` (tree menu, page, palette) and the questions asked when a demonstration is
 * finished; `onDidAnswerAfterFinish` lets a campaign move on once they are answered or dismissed.
 */
export function registerAnnotationCommands(d: AnnotationCommandDeps): { disposables: vscode.Disposable[]; onDidAnswerAfterFinish: vscode.Event<AfterFinish> } {
  const answered = new vscode.EventEmitter<AfterFinish>();

  // The form being shown: a newer one (another finish) takes its place, the older keeps its draft.
  let showing: object | undefined;

  /** Asks the questions; the answers go with the finished demonstration, or this annotator's newest of the instance. */
  const ask = async (instanceId: string, finished?: DemoFinished): Promise<DifficultyAnnotation | undefined> => {
    if (showing) closeDifficultyForm();
    const me = {};
    showing = me;
    const demo = finished ? { file: finished.file, active_ms: finished.trajectory.demonstration?.active_ms ?? 0, resolved: finished.trajectory.reward?.resolved ?? null } : d.annotations.lastDemonstration(instanceId);
    const mine = d.annotations.mine(instanceId);
    const previous: Partial<Answers> = { ...(mine ? pickAnswers(mine) : {}), ...d.annotations.draft(instanceId) };
    try {
      const answers = await askDifficulty({
        instanceId,
        ...(Object.keys(previous).length ? { previous } : {}),
        ...(demo ? { suggested: bucketOf(demo.active_ms), suggestedWhy: `you took ${Math.max(1, Math.round(demo.active_ms / 60_000))} min` } : {}),
        onStep: (s) => showing === me && (d.annotations.formStep = s),
        onAnswer: (a) => void d.annotations.keepDraft(instanceId, a),
      });
      return answers ? await d.annotations.put(instanceId, answers, demo) : undefined;
    } finally {
      if (showing === me) showing = undefined;
    }
  };

  const afterFinish = async (f: DemoFinished) => {
    const id = f.ref.instance.instance_id;
    let annotation: DifficultyAnnotation | undefined;
    try {
      annotation = await ask(id, f);
      if (!annotation) {
        d.log.info(`${id}: the difficulty questions were closed unanswered; answers so far kept as a draft`);
        void vscode.window.showInformationMessage(`The difficulty questions for ${id} were closed: the demonstration is saved, and any answers given are kept. Answer them any time with “SWE-Gym: Annotate Difficulty…” (tree, page or palette).`, 'Answer now').then((pick) => pick && vscode.commands.executeCommand('sweGym.annotate', id));
      }
    } catch (err) {
      d.log.error('The difficulty questions failed', err);
      void vscode.window.showErrorMessage(errorMessage(err));
    }
    answered.fire({ instanceId: id, annotation });
  };

  const annotate = vscode.commands.registerCommand('sweGym.annotate', async (arg?: unknown, scripted?: unknown) => {
    try {
      const id = instanceIdOf(arg, d);
      // Scripted answers (other extensions, tests) are checked like a file's records.
      if (scripted !== undefined) {
        const a = parseAnnotation({ ...(scripted as object), instance_id: id, annotator: d.annotations.annotator(), annotated_at: new Date().toISOString() }, `answers for ${id}`);
        return await d.annotations.put(id, pickAnswers(a), d.annotations.lastDemonstration(id));
      }
      return await ask(id);
    } catch (err) {
      const text = errorMessage(err);
      d.notices.push(text);
      d.log.error('Annotating failed', err);
      void vscode.window.showErrorMessage(text);
      return undefined;
    }
  });

  return { disposables: [answered, annotate, d.demos.onDidFinish((f) => void afterFinish(f))], onDidAnswerAfterFinish: answered.event };
}

function pickAnswers(a: DifficultyAnnotation): Answers {
  return { difficulty: a.difficulty, underspecified: a.underspecified, false_negative: a.false_negative, notes: a.notes };
}

/** A tree node, an instance id, or the active dev container's instance. */
function instanceIdOf(arg: unknown, d: Pick<AnnotationCommandDeps, 'datasets' | 'devContainers'>): string {
  if (arg && typeof arg === 'object' && (arg as TreeNode).kind === 'instance') return (arg as Extract<TreeNode, { kind: 'instance' }>).instance.instance_id;
  const id = typeof arg === 'string' ? arg : d.devContainers.active;
  if (!id) throw new Error('Pick an instance in the SWE-Gym view (or launch one) to annotate it.');
  if (!d.datasets.find(id)) throw new Error(`No instance "${id}" in the open datasets.`);
  return id;
}
