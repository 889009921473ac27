import * as vscode from 'vscode';
import { FALSE_NEGATIVE_LABELS, SCORES, TIME_BUCKETS, UNDERSPECIFIED_LABELS, type Score, type TimeBucket } from '../../core/annotations/annotation';
import type { Answers } from './annotationService';

export interface FormOptions {
  instanceId: string;
  /** Earlier answers of the same person (or a closed form's draft): every step starts on them. */
  previous?: Partial<Answers>;
  /** The bucket the recorded active time falls in (after a demonstration). */
  suggested?: TimeBucket;
  /** Why the bucket is suggested (shown beside it). */
  suggestedWhy?: string;
  /** Told the step shown ('difficulty', 'underspecified', 'false_negative', 'notes'), or undefined when closed. */
  onStep?: (step: string | undefined) => void;
  /** Told each answer as it is given, so a dismissed form loses none of them. */
  onAnswer?: (answers: Partial<Answers>) => void;
}

/** The quick input shown now (one form at a time in a window). */
let shown: vscode.QuickInput | undefined;

/** Closes the open form as Escape would (its answers so far were already reported). */
export function closeDifficultyForm(): void {
  shown?.hide();
}

/** The Back button: a symbol, so no typed note can be taken for it. */
const BACK: unique symbol = Symbol('back');
type Back = typeof BACK;
type Step<T> = () => Promise<T | Back | undefined>;

/**
 * SWE-bench Verified's questions as four quick steps: time bucket, is the issue well specified,
 * are the tests valid, free notes. A QuickPick rather than a webview form: four keystrokes for a
 * person doing fifty a day, Back between steps, no focus stolen from the editor or the
 * demonstration panel, and it looks like the rest of VS Code. Escape at any step stores nothing
 * final: the answers given so far are reported through onAnswer (kept as a draft by the caller).
 */
export async function askDifficulty(o: FormOptions): Promise<Answers | undefined> {
  const answers: Partial<Answers> = { ...o.previous };
  const steps: [keyof Answers, Step<unknown>][] = [
    ['difficulty', () => pick('How long would an experienced engineer take to write the fix?', 1, `${o.instanceId}: for someone who knows the codebase, not for you today`, TIME_BUCKETS.map((b) => ({ value: b, label: b, description: b === o.suggested ? `suggested: ${o.suggestedWhy ?? 'your recorded time'}` : undefined })), answers.difficulty ?? o.suggested, false)],
    ['underspecified', () => pick('Is the issue well specified?', 2, `${o.instanceId}: 0 = clear what a solution does … 3 = cannot tell without more information`, scoreItems(UNDERSPECIFIED_LABELS), answers.underspecified, true)],
    ['false_negative', () => pick('Are the hidden tests valid for the issue?', 3, `${o.instanceId}: 0 = they accept every correct solution … 3 = they check something else`, scoreItems(FALSE_NEGATIVE_LABELS), answers.false_negative, true)],
    ['notes', () => notes(`Notes on ${o.instanceId} (optional)`, answers.notes ?? '')],
  ];
  try {
    for (let i = 0; i < steps.length; ) {
      const [key, step] = steps[i]!;
      o.onStep?.(key);
      const value = await step();
      if (value === undefined) return undefined;
      if (value === BACK) {
        i = Math.max(0, i - 1);
        continue;
      }
      (answers as Record<string, unknown>)[key] = value;
      o.onAnswer?.({ ...answers });
      i++;
    }
  } finally {
    o.onStep?.(undefined);
  }
  return answers as Answers;
}

function scoreItems(labels: Readonly<Record<Score, string>>): { value: Score; label: string; detail: string }[] {
  return SCORES.map((s) => ({ value: s, label: String(s), detail: labels[s] }));
}

function pick<T>(title: string, step: number, placeholder: string, items: ({ value: T; label: string; detail?: string; description?: string | undefined })[], current: T | undefined, canGoBack: boolean): Promise<T | Back | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: T }>();
    qp.title = title;
    qp.step = step;
    qp.totalSteps = 4;
    qp.placeholder = placeholder;
    qp.ignoreFocusOut = true;
    qp.matchOnDetail = true;
    qp.items = items.map((i) => ({ ...i, description: i.description ?? (i.value === current ? 'your earlier answer' : undefined) }));
    const active = qp.items.find((i) => i.value === current);
    if (active) qp.activeItems = [active];
    if (canGoBack) qp.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: T | Back | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      if (shown === qp) shown = undefined;
      qp.dispose();
    };
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
      if (chosen) finish(chosen.value);
    });
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    qp.onDidHide(() => finish(undefined));
    shown = qp;
    qp.show();
  });
}

function notes(title: string, value: string): Promise<string | Back | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = title;
    box.step = 4;
    box.totalSteps = 4;
    box.value = value;
    box.prompt = 'Free notes (optional): what makes it hard or easy, what the tests miss. Enter saves the answers.';
    box.placeholder = 'Notes (optional)';
    box.ignoreFocusOut = true;
    box.buttons = [vscode.QuickInputButtons.Back];
    let done = false;
    const finish = (v: string | Back | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      if (shown === box) shown = undefined;
      box.dispose();
    };
    box.onDidAccept(() => finish(box.value.trim()));
    box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    box.onDidHide(() => finish(undefined));
    shown = box;
    box.show();
  });
}
