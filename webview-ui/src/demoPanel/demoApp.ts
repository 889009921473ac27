import { clockText, type DemoPanelState, type DemoTimelineItem, type FinishedDemoRow } from '../../../src/shared/demoPanel';
import type { DemoRequests } from '../../../src/shared/protocol';
import { rolloutNumber } from '../../../src/shared/rolloutNumber';
import type { Call } from '../boot';
import { button, ErrorBanner } from '../controls';
import { h, icon, plural, Slot } from '../dom';
import { NoteEditor } from './noteEditor';

const SOURCE: Record<Extract<DemoTimelineItem, { kind: 'step' }>['source'], { icon: string; label: string }> = {
  save: { icon: 'save', label: 'saved in the editor' },
  terminal: { icon: 'terminal', label: 'terminal command' },
  scan: { icon: 'search', label: 'found in the workspace' },
  start: { icon: 'debug-start', label: 'in the workspace at the start' },
};

const REVEAL: Record<'gold_patch' | 'test_names', string> = { gold_patch: 'Gold patch revealed', test_names: 'Test names revealed' };

/** `str_replace_editor` calls show as edits, the rest as commands. */
function toolIcon(tool: string): string {
  return tool === 'execute_bash' ? 'terminal' : tool === 'str_replace_editor' ? 'edit' : 'tools';
}

/**
 * The demonstration panel: the recording's state and active time, its controls, a note box for
 * the next step, then what happened so far (newest first: steps with their notes and short
 * observations, hidden-test runs, reveals, pauses), and the instance's finished demonstrations.
 */
export class DemoApp {
  private state: DemoPanelState | undefined;
  /** When the last state arrived here (the clock counts on from it; the host's clock may differ). */
  private receivedAt = 0;
  private readonly header = new Slot(h('header', { class: 'agent-header demo-header' }));
  private readonly bar = new Slot(h('div', { class: 'agent-bar demo-bar', role: 'toolbar', 'aria-label': 'Demonstration controls' }));
  private readonly error = new ErrorBanner();
  private readonly intro = new Slot(h('section', { class: 'demo-intro' }));
  private readonly nextNote: NoteEditor;
  private readonly nextNoteBox: HTMLElement;
  private readonly nextNoteStatus = h('span', { id: 'next-note-status', class: 'muted small' });
  private readonly timeline = h('div', { id: 'timeline', class: 'demo-timeline', 'aria-live': 'polite' });
  private readonly items = new Map<string, { json: string; el: HTMLElement }>();
  private readonly editing = new Map<number, NoteEditor>();
  private readonly finished = new Slot(h('section', { id: 'finished', class: 'runs demo-finished' }));
  private clock: HTMLElement | undefined;

  constructor(
    root: HTMLElement,
    private readonly call: Call<DemoRequests>,
    private readonly instanceId: string,
  ) {
    this.nextNote = new NoteEditor('next-note', 'Why you are about to do what you do next…', (text) => void this.run('setNote', { text }));
    this.nextNoteBox = h(
      'section',
      { id: 'next-note-box', class: 'next-note', hidden: true },
      h('label', { class: 'pending-title', for: 'next-note' }, icon('comment'), ' Note for the next step ', this.nextNoteStatus),
      h('div', { class: 'muted small' }, 'It becomes the thought before that step’s tool call in the trajectory (training data wants the reasoning).'),
      this.nextNote.el,
    );
    root.replaceChildren(this.header.el, this.bar.el, this.error.el, this.intro.el, this.nextNoteBox, this.timeline, this.finished.el);
    setInterval(() => this.tick(), 1000);
  }

  showError(message: string): void {
    this.error.show(message);
  }

  clearError(): void {
    this.error.clear();
  }

  setState(s: DemoPanelState): void {
    this.state = s;
    this.receivedAt = performance.now();
    this.renderHeader();
    this.renderBar();
    this.renderIntro();
    this.renderNextNote();
    this.renderTimeline();
    this.renderFinished();
    this.tick();
  }

  private async run<M extends 'start' | 'pause' | 'resume' | 'setNote' | 'setStepNote' | 'finish' | 'discard'>(method: M, params: DemoRequests[M]['params']): Promise<void> {
    const s = await this.call(method, params);
    if (s) this.setState(s);
  }

  private activeMs(): number {
    const r = this.state?.recording;
    if (!r) return 0;
    return r.activeMs + (r.state === 'recording' ? performance.now() - this.receivedAt : 0);
  }

  private tick(): void {
    if (this.clock) this.clock.textContent = clockText(this.activeMs());
  }

  private renderHeader(): void {
    const s = this.state;
    const r = s?.recording;
    const i = r ? null : s?.interrupted;
    this.header.set(JSON.stringify([r?.state, r?.steps, r?.actions, r?.annotator, s?.finished.length, i?.steps, i?.actions, i?.activeMs, i?.annotator]), () => {
      this.clock = undefined;
      if (i) {
        return [
          h('div', { class: 'title-row' }, icon('history', 'title-icon'), h('h1', {}, `Demonstration · ${this.instanceId}`), h('span', { id: 'demo-state', class: 'pill interrupted' }, 'interrupted')),
          h(
            'div',
            { id: 'demo-figures', class: 'figures-row' },
            h('span', { title: 'Active time when the log was last written' }, h('strong', { class: 'demo-clock' }, clockText(i.activeMs)), ' active'),
            h('span', {}, plural(i.steps, 'step')),
            h('span', {}, plural(i.actions, 'tool call')),
            h('span', {}, i.annotator ? `annotator ${i.annotator}` : 'no annotator set'),
          ),
        ];
      }
      if (!r) return [h('div', { class: 'title-row' }, icon('record', 'title-icon'), h('h1', {}, `Demonstration · ${this.instanceId}`))];
      this.clock = h('strong', { id: 'demo-clock', class: 'demo-clock', title: 'Active time (pauses left out)' }, clockText(this.activeMs()));
      const paused = r.state === 'paused';
      return [
        h(
          'div',
          { class: 'title-row' },
          icon(paused ? 'debug-pause' : 'record', `title-icon ${paused ? '' : 'recording-dot'}`),
          h('h1', {}, `Demonstration · ${this.instanceId}`),
          h('span', { id: 'demo-state', class: `pill ${paused ? 'paused' : 'recording'}` }, paused ? 'paused' : 'recording'),
        ),
        h(
          'div',
          { id: 'demo-figures', class: 'figures-row' },
          h('span', {}, this.clock, ' active'),
          h('span', {}, plural(r.steps, 'step')),
          h('span', { title: 'Tool calls in the trajectory (a save of two files is one step, two calls)' }, plural(r.actions, 'tool call')),
          h('span', {}, r.annotator ? `annotator ${r.annotator}` : h('span', { title: 'Set sweGym.demo.annotator to name the person in the trajectory' }, 'no annotator set')),
        ),
      ];
    });
  }

  private renderBar(): void {
    const s = this.state;
    const r = s?.recording;
    this.bar.set(JSON.stringify([r?.state, s?.launched, s?.interrupted, s?.otherRecording]), () => {
      if (!s) return [];
      if (r) {
        const paused = r.state === 'paused';
        return [
          paused
            ? button('btn-demo-resume', 'Resume', 'debug-continue', () => void this.run('resume', {}), { title: 'Resume recording: time counts again' })
            : button('btn-demo-pause', 'Pause', 'debug-pause', () => void this.run('pause', {}), { secondary: true, title: 'Pause recording: time stops counting, changes are picked up at resume' }),
          button('btn-demo-finish', 'Finish', 'pass', () => void this.run('finish', {}), { title: 'Record what is left, grade the patch with the hidden tests in a fresh container, and save the trajectory' }),
          button('btn-demo-discard', 'Discard…', 'trash', () => void this.run('discard', {}), { secondary: true, title: 'Delete this recording (the workspace is left as it is)' }),
        ];
      }
      if (s.otherRecording) return [];
      if (s.interrupted) {
        return [
          button('btn-demo-resume', 'Resume', 'debug-continue', () => void this.run('start', {}), { disabled: !s.launched, title: s.launched ? 'Take it up from its log: every finished step is kept, the next change is the next step' : 'Launch the instance first' }),
          button('btn-demo-discard', 'Discard…', 'trash', () => void this.run('discard', {}), { secondary: true, title: 'Delete this interrupted recording (the workspace is left as it is)' }),
        ];
      }
      return [button('btn-demo-start', 'Start demonstration', 'record', () => void this.run('start', {}), { disabled: !s.launched, title: s.launched ? 'Record your edits, commands and test runs as a trajectory' : 'Launch the instance first' })];
    });
  }

  private renderIntro(): void {
    const s = this.state;
    this.intro.set(JSON.stringify([!!s?.recording, s?.recording?.steps, s?.launched, s?.otherRecording, s?.interrupted?.steps]), () => {
      if (!s) return [];
      if (s.recording) {
        if (s.recording.steps) return [];
        return [h('p', { id: 'demo-empty', class: 'muted' }, icon('info'), ' No steps yet. Edit a file and save it, or run a command in the instance’s SWE-Gym terminal: each becomes a step here, as the agent’s own tool calls.')];
      }
      if (s.otherRecording) return [h('div', { class: 'warning-banner', role: 'note' }, icon('warning'), ` A demonstration of ${s.otherRecording} is being recorded: finish or discard it before starting one here.`)];
      if (!s.launched) return [h('p', { class: 'muted' }, icon('info'), ' Launch the instance (its page has Launch), then start a demonstration: your edits, terminal commands and hidden-test runs are recorded as a trajectory an agent could have written.')];
      if (s.interrupted) {
        const n = s.interrupted.steps;
        const kept = n ? `Its ${plural(n, 'finished step')} below ${n === 1 ? 'is' : 'are'} kept in its log: Resume takes it up from there (the next change is step ${n + 1}).` : 'It has no finished step yet: Resume takes it up from its log.';
        return [h('p', { id: 'demo-interrupted', class: 'demo-interrupted-note', role: 'note' }, icon('history'), ` This demonstration was interrupted (a crash or a reload). ${kept}${s.launched ? '' : ' Launch the instance to resume it.'}`)];
      }
      return [h('p', { class: 'muted' }, icon('info'), ' Start a demonstration to record your edits (at each save), the commands you run in the SWE-Gym terminal and your hidden-test runs.')];
    });
  }

  private renderNextNote(): void {
    const r = this.state?.recording;
    this.nextNoteBox.hidden = !r;
    if (!r) return;
    this.nextNote.setSaved(r.pendingNote ?? '');
    this.nextNoteStatus.textContent = r.pendingNote ? `· saved, goes with step ${r.steps + 1}` : '';
  }

  // ---- timeline: newest first; unchanged rows and a note being edited are left in place --------

  private renderTimeline(): void {
    const items = [...(this.state?.recording?.timeline ?? this.state?.interrupted?.timeline ?? [])].reverse();
    const wanted: { key: string; json: string; item: DemoTimelineItem }[] = [];
    const seen = new Map<string, number>();
    for (const item of items) {
      const base = item.kind === 'step' ? `step-${item.step}` : `${item.kind}-${item.activeMs}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      wanted.push({ key: n ? `${base}-${n}` : base, json: this.itemJson(item), item });
    }
    const keep = new Set(wanted.map((w) => w.key));
    for (const [key, v] of this.items) {
      if (!keep.has(key)) {
        v.el.remove();
        this.items.delete(key);
      }
    }
    let cursor: ChildNode | null = this.timeline.firstChild;
    for (const w of wanted) {
      let entry = this.items.get(w.key);
      const editingThis = w.item.kind === 'step' && this.editing.has(w.item.step);
      if (entry && entry.json !== w.json && !editingThis) {
        const el = this.itemElement(w.item);
        entry.el.replaceWith(el);
        if (cursor === entry.el) cursor = el;
        entry = { json: w.json, el };
        this.items.set(w.key, entry);
      }
      if (!entry) {
        entry = { json: w.json, el: this.itemElement(w.item) };
        this.items.set(w.key, entry);
      }
      if (cursor !== entry.el) this.timeline.insertBefore(entry.el, cursor);
      else cursor = cursor.nextSibling;
    }
  }

  private itemElement(item: DemoTimelineItem): HTMLElement {
    const at = h('span', { class: 'muted small demo-at', title: 'Active time when it happened' }, `at ${clockText(item.activeMs)}`);
    switch (item.kind) {
      case 'step':
        return this.stepElement(item);
      case 'test_run': {
        const cls = item.resolved === null ? 'neutral' : item.resolved ? 'passed' : 'failed';
        const text = item.resolved === null ? item.status.replace(/_/g, ' ') : item.resolved ? 'resolved' : `not resolved (${item.status.replace(/_/g, ' ')})`;
        return h('div', { class: 'demo-event test-run' }, icon('beaker'), h('span', {}, 'Hidden tests run:'), h('span', { class: `pill ${cls}` }, text), at);
      }
      case 'reveal':
        return h('div', { class: 'demo-event warning-banner reveal', role: 'note' }, icon('eye'), h('span', {}, `${REVEAL[item.what]}${item.beforeStart ? ' before this demonstration started' : ''}. Exports leave this demonstration out unless asked to include revealed ones.`), item.beforeStart ? null : at);
      case 'pause':
        return h('div', { class: 'demo-event muted' }, icon('debug-pause'), h('span', {}, 'Paused'), at);
      case 'resume':
        return h('div', { class: 'demo-event muted' }, icon('debug-continue'), h('span', {}, 'Resumed'), at);
      case 'crash':
        return h('div', { class: 'demo-event muted' }, icon('history'), h('span', {}, 'Taken up again after the window went away'), at);
    }
  }

  private stepElement(item: Extract<DemoTimelineItem, { kind: 'step' }>): HTMLElement {
    const src = SOURCE[item.source];
    const editor = this.editing.get(item.step);
    // Notes are given while recording (an interrupted log is read only until it is resumed).
    const noteButton = editor || !this.state?.recording
      ? null
      : h('vscode-toolbar-button', { class: 'btn-step-note', icon: item.note ? 'edit' : 'comment', label: item.note ? 'Edit the note' : 'Add a note', title: item.note ? 'Edit the note of this step' : 'Add a note: the thought before this step' }, item.note ? 'Edit note' : 'Add note');
    noteButton?.addEventListener('click', () => this.editStepNote(item.step, item.note ?? ''));
    const head = h(
      'div',
      { class: 'step-head' },
      h('span', { class: 'step-no' }, `Step ${item.step}`),
      h('span', { class: 'muted', title: src.label }, icon(src.icon), ` ${src.label}`),
      h('span', { class: 'muted small' }, `at ${clockText(item.activeMs)}`),
      h('span', { class: 'spacer' }),
      noteButton,
    );
    const body: (HTMLElement | null)[] = [head];
    if (editor) body.push(editor.el);
    else if (item.note) body.push(h('div', { class: 'thought demo-note' }, icon('comment'), ' ', item.note));
    for (const a of item.actions) {
      const failed = a.exitCode !== undefined && a.exitCode !== 0;
      body.push(
        h('div', { class: 'action' }, icon(toolIcon(a.tool)), h('code', { class: 'call-summary', title: a.tool }, a.label), failed ? h('span', { class: 'pill failed small', title: 'Exit code' }, `exit ${a.exitCode}`) : null),
        a.observation.trim() ? h('pre', { class: `observation demo-observation${failed ? ' error' : ''}` }, a.observation) : null,
      );
    }
    return h('section', { class: 'step demo-step', id: `demo-step-${item.step}`, 'aria-label': `Step ${item.step}` }, ...body);
  }

  private editStepNote(step: number, current: string): void {
    const done = () => {
      this.editing.delete(step);
      this.refreshStep(step);
    };
    const editor = new NoteEditor(`step-note-${step}`, `Note for step ${step}: why you did it…`, (text) => {
      this.editing.delete(step);
      void this.run('setStepNote', { step, text }).then(() => this.refreshStep(step));
    }, { onCancel: done });
    editor.setSaved(current);
    this.editing.set(step, editor);
    this.refreshStep(step);
    editor.focus();
  }

  /** Redraws one step (its note being edited or not). */
  private refreshStep(step: number): void {
    const entry = this.items.get(`step-${step}`);
    const item = this.state?.recording?.timeline.find((x) => x.kind === 'step' && x.step === step);
    if (!entry || !item) return;
    const el = this.itemElement(item);
    entry.el.replaceWith(el);
    this.items.set(`step-${step}`, { json: this.itemJson(item), el });
  }

  /** What a drawn row depends on: the item, and whether notes can be given (not on an interrupted log). */
  private itemJson(item: DemoTimelineItem): string {
    return `${this.state?.recording ? 'rw' : 'ro'}:${JSON.stringify(item)}`;
  }

  // ---- finished demonstrations ---------------------------------------------------------------

  private renderFinished(): void {
    const rows = this.state?.finished ?? [];
    this.finished.set(JSON.stringify(rows), () => {
      if (!rows.length) return [];
      const row = (r: FinishedDemoRow) => {
        const open = () => void this.call('openSteps', { file: r.file });
        const file = h('vscode-toolbar-button', { class: 'btn-file', icon: 'go-to-file', label: 'Open the trajectory file', title: r.file });
        file.addEventListener('click', (e) => {
          e.stopPropagation();
          void this.call('openFile', { file: r.file });
        });
        const tr = h(
          'tr',
          { tabindex: 0, title: 'Open in the step view: steps, notes, observations, per-step diffs, reward; continue from any step' },
          h('td', { title: r.file.split(/[\\/]/).pop() ?? '' }, rolloutNumber(r.index)),
          h('td', {}, new Date(r.finishedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })),
          h('td', { class: 'num' }, clockText(r.activeMs)),
          h('td', { class: 'num' }, String(r.steps)),
          h('td', {}, r.resolved === null ? h('span', { class: 'muted' }, 'not graded') : h('span', { class: `pill ${r.resolved ? 'passed' : 'failed'}` }, r.resolved ? 'resolved' : (r.status ?? 'not resolved').replace(/_/g, ' '))),
          h('td', {}, r.annotator ?? '—'),
          h('td', {}, r.revealed.length ? h('span', { title: 'Left out of default exports' }, icon('eye'), ` ${r.revealed.map((x) => (x === 'gold_patch' ? 'gold patch' : 'test names')).join(', ')}`) : '—'),
          h('td', { class: 'row-actions' }, file),
        );
        tr.addEventListener('click', open);
        tr.addEventListener('keydown', (e) => e.key === 'Enter' && open());
        return tr;
      };
      return [
        h('h2', {}, icon('history'), ` ${plural(rows.length, 'finished demonstration')} of this instance`),
        h('p', { class: 'muted small' }, 'Click one to open it in the step view, where it can be continued from any step by hand or by a model.'),
        h('div', { class: 'table-scroll' }, h('table', { class: 'history finished-table runs-table' }, h('thead', {}, h('tr', {}, ...['', 'Finished', 'Active', 'Steps', 'Result', 'Annotator', 'Revealed', ''].map((x) => h('th', {}, x)))), h('tbody', {}, ...rows.map(row)))),
      ];
    });
  }
}
