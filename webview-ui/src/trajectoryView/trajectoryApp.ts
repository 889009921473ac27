import type { AgentStepView, AgentViewState } from '../../../src/shared/agentView';
import type { AgentRequests, TrajectoryRequests } from '../../../src/shared/protocol';
import { clockText } from '../../../src/shared/demoPanel';
import { DISAGREEMENT_LABELS, gradeDisagreement, type DemonstrationView, type ImportedRunRow, type SelectedRunView, type StepVerdictView, type TrajectoryBusy, type TrajectoryViewState } from '../../../src/shared/trajectoryView';
import type { Call } from '../boot';
import { button, ErrorBanner } from '../controls';
import { unifiedDiff } from '../diffView';
import { h, icon, plural, Slot } from '../dom';
import { dollars } from '../agentView/format';
import { noteBlock, StepCard, type AgentCall } from '../agentView/stepCard';

const VERDICT: Record<StepVerdictView['verdict'], { label: string; icon: string; cls: string }> = {
  same: { label: 'same as recorded', icon: 'pass', cls: 'passed' },
  noise: { label: 'same up to environment noise', icon: 'pass', cls: 'noise' },
  different: { label: 'different from the recording', icon: 'diff', cls: 'failed' },
};

function recordedText(r: boolean | null): string {
  return r === null ? 'does not say' : r ? 'resolved' : 'not resolved';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The file with its folder (`swe-gym/rows.jsonl`): what tells two runs of one scaffold apart. */
function shortFile(file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/');
}

/**
 * The trajectory view: one imported run at a time (header with what its file says and our grade,
 * Grade / Replay / Compute diffs, the last replay's summary, the instance's other imported runs),
 * then its steps drawn by the agent view's step cards, each with its replay verdict.
 */
export class TrajectoryApp {
  private state: TrajectoryViewState | undefined;
  private busy: TrajectoryBusy | null = null;
  private cards = new Map<number, StepCard>();
  private shownRollout: string | undefined;
  private readonly header = new Slot(h('header', { class: 'agent-header' }));
  private readonly bar = new Slot(h('div', { class: 'agent-bar', role: 'toolbar', 'aria-label': 'Run actions' }));
  private readonly busySlot = new Slot(h('div', { class: 'busy', 'aria-live': 'polite' }));
  private readonly error = new ErrorBanner();
  private readonly result = new Slot(h('div', { id: 'result', class: 'result', 'aria-live': 'polite' }));
  private readonly replay = new Slot(h('section', { id: 'replay-summary', class: 'replay-summary', 'aria-live': 'polite' }));
  private readonly runs = new Slot(h('section', { id: 'runs', class: 'runs' }));
  private readonly opening = new Slot(h('div', { class: 'opening' }));
  private readonly steps = h('div', { id: 'steps', class: 'steps' });

  constructor(
    root: HTMLElement,
    private readonly call: Call<TrajectoryRequests>,
    private readonly instanceId: string,
    /** Called once a run's steps are first drawn (the view's place is restored and saved). */
    private readonly onShown?: (rolloutId: string) => void,
  ) {
    root.replaceChildren(this.header.el, this.bar.el, this.busySlot.el, this.error.el, this.result.el, this.replay.el, this.runs.el, this.opening.el, this.steps);
  }

  showError(message: string): void {
    this.error.show(message);
  }

  clearError(): void {
    this.error.clear();
  }

  setState(s: TrajectoryViewState): void {
    this.state = s;
    this.busy = s.busy;
    this.render();
  }

  setBusy(b: TrajectoryBusy | null): void {
    this.busy = b;
    this.renderBar();
    this.renderBusy();
  }

  private get selected(): SelectedRunView | null {
    return this.state?.selected ?? null;
  }

  private render(): void {
    const sel = this.selected;
    this.renderHeader();
    this.renderBar();
    this.renderBusy();
    this.renderResult();
    this.renderReplay();
    this.renderRuns();
    this.opening.set(JSON.stringify([sel?.row.rolloutId, sel?.task.length]), () => (sel ? [this.taskBlock(sel)] : []));
    this.renderSteps();
  }

  private renderHeader(): void {
    const sel = this.selected;
    this.header.set(JSON.stringify([sel?.row, sel?.view.totals, sel?.demonstration, sel?.view.steps.length]), () => {
      if (!sel) {
        return [
          h('div', { class: 'title-row' }, icon('history', 'title-icon'), h('h1', {}, `Imported runs · ${this.instanceId}`)),
          h('p', { class: 'muted' }, 'No run of this instance is imported. Use “SWE-Gym: Open Trajectories…” on a file or a folder of runs from SWE-agent, mini-swe-agent, OpenHands, SWE-Gym rows, SFT text or ATIF.'),
        ];
      }
      const r = sel.row;
      const t = sel.view.totals;
      const d = sel.demonstration;
      if (d) return this.demonstrationHeader(r, d, sel);
      const meta = [
        h('span', { title: r.format }, icon('symbol-method'), ` ${r.scaffold}`),
        h('span', {}, icon('hubot'), ` ${r.model}`),
        h('span', { title: 'Exit status as recorded' }, icon('debug-stop'), ` ${r.exitStatus ?? 'no exit status recorded'}`),
      ];
      return [
        h('div', { class: 'title-row' }, icon('history', 'title-icon'), h('h1', {}, `Imported run · ${r.instanceId}`)),
        h('div', { class: 'meta-row' }, ...meta.flatMap((m, i) => (i ? [h('span', { class: 'sep' }, '·'), m] : [m]))),
        // The file on a line of its own: a long path wrapping inside the row left a separator at a line's end.
        h('div', { class: 'meta-row muted', title: r.sourceFile }, icon('file'), ` ${shortFile(r.sourceFile)}${r.entry ? ` · entry ${r.entry + 1}` : ''}`),
        h(
          'div',
          { id: 'run-figures', class: 'figures-row' },
          h('span', {}, plural(r.steps, 'step')),
          t.promptTokens || t.completionTokens ? h('span', { title: 'prompt + completion tokens, as recorded' }, `${t.promptTokens.toLocaleString('en-US')} + ${t.completionTokens.toLocaleString('en-US')} tokens`) : h('span', {}, 'no token counts recorded'),
          t.costUsd ? h('span', { title: 'cost as recorded' }, dollars(t.costUsd)) : null,
        ),
      ];
    });
  }

  /** A person's demonstration: who, how long, its recording steps (as the demonstration panel counts them). */
  private demonstrationHeader(r: ImportedRunRow, d: DemonstrationView, sel: SelectedRunView): HTMLElement[] {
    const calls = sel.view.steps.reduce((n, s) => n + s.toolCalls.length, 0);
    return [
      h('div', { class: 'title-row' }, icon('person', 'title-icon'), h('h1', {}, `Demonstration · ${r.instanceId}`)),
      h(
        'div',
        { id: 'run-figures', class: 'figures-row' },
        h('span', { id: 'demo-annotator' }, icon('account'), ` ${d.annotator ?? 'no annotator set'}`),
        h('span', { title: 'Recording time, pauses and idle gaps left out' }, `${clockText(d.activeMs)} active`),
        h('span', {}, plural(sel.view.steps.length, 'step')),
        h('span', {}, plural(calls, 'tool call')),
        h('span', { title: 'When the person finished it' }, `finished ${new Date(d.finishedAt).toLocaleString()}`),
      ),
      h('div', { class: 'meta-row muted', title: r.sourceFile }, icon('file'), ` ${shortFile(r.sourceFile)}`),
    ];
  }

  private renderBar(): void {
    const sel = this.selected;
    const busy = this.busy;
    this.bar.set(JSON.stringify([sel?.row.rolloutId, sel?.row.hasPatch, sel?.diffs, busy?.rolloutId, busy?.what]), () => {
      if (!sel) return [];
      const id = sel.row.rolloutId;
      const idle = !busy;
      return [
        button('btn-grade', 'Grade', 'beaker', () => void this.call('grade', { rolloutId: id }), { disabled: !idle || !sel.row.hasPatch, title: sel.row.hasPatch ? 'Run the hidden tests on this run’s final patch with our harness, in a fresh container' : 'The file records no final patch' }),
        button('btn-replay', 'Replay', 'debug-rerun', () => void this.call('replay', { rolloutId: id, reward: true }), { disabled: !idle, secondary: true, title: 'Play the recorded actions again in a fresh container: each step’s verdict (same, same up to noise, different), the first divergence, the patch and reward compared' }),
        sel.diffs === null ? button('btn-diffs', 'Compute diffs', 'diff', () => void this.call('replay', { rolloutId: id, reward: false }), { disabled: !idle, secondary: true, title: 'The file has no workspace diff per step: replay the actions in a fresh container to get them (no hidden tests)' }) : null,
        sel.row.hasPatch ? button('btn-patch', 'Final patch', 'git-compare', () => void this.call('showPatch', { rolloutId: id }), { secondary: true, title: 'The final patch as the file records it' }) : null,
        button('btn-source', 'Source file', 'go-to-file', () => void this.call('openSource', { rolloutId: id }), { secondary: true, title: sel.row.sourceFile }),
      ];
    });
  }

  private renderBusy(): void {
    const b = this.busy;
    this.busySlot.set(JSON.stringify(b), () =>
      b ? [h('div', { class: 'busy-row', id: 'busy' }, h('vscode-progress-bar', { indeterminate: true }), h('span', { class: 'busy-message' }, b.message), button('btn-cancel', 'Cancel', 'close', () => void this.call('cancel', { rolloutId: b.rolloutId }), { secondary: true }))] : [],
    );
  }

  private renderResult(): void {
    const sel = this.selected;
    this.result.set(JSON.stringify([sel?.row.rolloutId, sel?.row.recordedResolved, sel?.row.grade, sel?.demonstration]), () => {
      if (!sel) return [];
      const r = sel.row;
      const flag = gradeDisagreement(r);
      const g = r.grade;
      const gradePill = g ? this.gradePill('grade-pill', g) : h('span', { id: 'grade-pill', class: 'pill neutral' }, 'not graded yet');
      const d = sel.demonstration;
      if (d) {
        // A person's own demonstration: the grade taken when they finished, and a later one only if there is one.
        const again = g && g.at !== d.finishedAt;
        return [
          h(
            'div',
            { class: 'result-row' },
            h('span', { class: 'muted' }, 'Graded at finish'),
            d.finishGrade ? this.gradePill('finish-pill', d.finishGrade) : h('span', { id: 'finish-pill', class: 'pill neutral' }, 'not graded'),
            again ? h('span', { class: 'muted' }, 'Graded again') : null,
            again ? gradePill : null,
            again && g.error ? h('span', { class: 'muted small' }, g.error) : null,
          ),
        ];
      }
      return [
        h(
          'div',
          { class: 'result-row' },
          h('span', { class: 'muted' }, 'The file says'),
          h('span', { id: 'recorded-pill', class: `pill ${r.recordedResolved === null ? 'neutral' : r.recordedResolved ? 'passed' : 'failed'}` }, recordedText(r.recordedResolved)),
          h('span', { class: 'muted' }, 'Our grade'),
          gradePill,
          g?.error ? h('span', { class: 'muted small' }, g.error) : null,
        ),
        flag ? h('div', { id: 'grade-flag', class: 'warning-banner', role: 'alert' }, icon('warning'), ` ${capitalise(DISAGREEMENT_LABELS[flag])}.${flag === 'resolved-not-reproduced' ? ' Replay it to see where today’s environment differs from the recorded one.' : ''}`) : null,
      ];
    });
  }

  private gradePill(id: string, g: { status: string; resolved: boolean }): HTMLElement {
    return h('span', { id, class: `pill ${g.status === 'error' ? 'warning' : g.resolved ? 'passed' : 'failed'}` }, icon(g.status === 'error' ? 'warning' : g.resolved ? 'pass-filled' : 'error'), ` ${g.status === 'error' ? 'grade failed' : g.resolved ? 'resolved' : g.status.replace(/_/g, ' ')}`);
  }

  private renderReplay(): void {
    const sel = this.selected;
    const rp = sel?.replay;
    this.replay.set(JSON.stringify([sel?.row.rolloutId, rp?.at, sel?.diffs]), () => {
      if (!sel) return [];
      const out: HTMLElement[] = [];
      if (sel.diffs === null) out.push(h('p', { class: 'muted small', id: 'no-diffs' }, icon('info'), ' This file does not carry the workspace diff after each step. Compute diffs replays the actions in a fresh container to get them.'));
      if (!rp) return out;
      const c = rp.counts;
      const first = rp.firstDivergence;
      out.push(
        h('h2', {}, icon('debug-rerun'), ' Replay'),
        h(
          'div',
          { class: 'verdict-counts' },
          h('span', { class: 'pill passed' }, `${c.same} same`),
          h('span', { class: 'pill noise' }, `${c.noise} same up to noise`),
          h('span', { class: `pill ${c.different ? 'failed' : 'neutral'}` }, `${c.different} different`),
          h('span', { class: 'muted small' }, `ended: ${rp.exitReason.replace(/_/g, ' ')}${rp.message ? ` (${rp.message})` : ''}`),
        ),
        first
          ? h('div', { id: 'first-divergence', class: 'warning-banner', role: 'note' }, icon('warning'), ' The environment first diverged at ', h('button', { class: 'link-button', onclick: () => document.getElementById(`step-${first.step}`)?.scrollIntoView({ block: 'start' }) }, `step ${first.step}`), ` (${first.tool}).`)
          : h('div', { id: 'first-divergence', class: 'muted' }, icon('pass'), ' No step diverged: every observation is the same as recorded, or the same up to environment noise.'),
        h(
          'ul',
          { class: 'replay-facts' },
          h('li', {}, 'Patch: ', rp.patch === null ? h('span', { class: 'muted' }, 'not compared (one side has none)') : rp.patch.same ? h('span', { class: 'passed' }, 'the same changed lines as recorded') : h('span', { class: 'failed' }, `differs: ${plural(rp.patch.onlyRecorded.length, 'line')} only recorded, ${plural(rp.patch.onlyReplayed.length, 'line')} only replayed`)),
          rp.replayedResolved !== null ? h('li', {}, `Reward: replayed ${rp.replayedResolved ? 'resolved' : 'not resolved'}; the file says ${recordedText(rp.recordedResolved)}${rp.rewardMatches === false ? ' — they disagree' : ''}`) : null,
          rp.pathMap.length ? h('li', { class: 'muted' }, 'Paths mapped: ', ...rp.pathMap.map((m) => h('code', {}, `${m.from} → ${m.to}`))) : null,
        ),
      );
      if (rp.patch && !rp.patch.same) {
        const lines = [...rp.patch.onlyRecorded.map((l) => `recorded only  ${l}`), ...rp.patch.onlyReplayed.map((l) => `replayed only  ${l}`)];
        out.push(h('details', { id: 'patch-lines' }, h('summary', {}, `The ${plural(lines.length, 'changed line')} only one side has`), h('pre', { class: 'observation' }, lines.slice(0, 400).join('\n'))));
      }
      return out;
    });
  }

  private renderRuns(): void {
    const s = this.state;
    this.runs.set(JSON.stringify([s?.runs, s?.selected?.row.rolloutId]), () => {
      if (!s || s.runs.length < 2) return [];
      const row = (r: ImportedRunRow) => {
        const flag = gradeDisagreement(r);
        const tr = h(
          'tr',
          { class: r.rolloutId === s.selected?.row.rolloutId ? 'selected' : '', tabindex: 0, title: r.sourceFile },
          h('td', {}, r.scaffold),
          h('td', { class: 'file' }, shortFile(r.sourceFile)),
          h('td', {}, r.model),
          h('td', {}, r.exitStatus ?? '—'),
          h('td', { class: 'num' }, String(r.steps)),
          h('td', {}, recordedText(r.recordedResolved)),
          h('td', { class: flag ? 'failed' : '' }, flag ? icon('warning') : null, r.grade ? ` ${r.grade.status}` : '—'),
        );
        const pick = () => void this.call('select', { rolloutId: r.rolloutId }).then((st) => st && this.setState(st));
        tr.addEventListener('click', pick);
        tr.addEventListener('keydown', (e) => e.key === 'Enter' && pick());
        return tr;
      };
      return [
        h('details', { open: s.runs.length <= 8 }, h('summary', {}, h('span', { class: 'runs-title' }, `${plural(s.runs.length, 'imported run')} of this instance`)), h('div', { class: 'table-scroll' }, h('table', { class: 'history runs-table' }, h('thead', {}, h('tr', {}, ...['Scaffold', 'File', 'Model', 'Exit', 'Steps', 'File says', 'Our grade'].map((x) => h('th', {}, x)))), h('tbody', {}, ...s.runs.map(row))))),
      ];
    });
  }

  private taskBlock(sel: SelectedRunView): HTMLElement {
    return h('details', { class: 'task' }, h('summary', {}, icon('comment'), ' Task', h('span', { class: 'muted small' }, ` ${plural(sel.task.length, 'character')}`)), h('pre', { class: 'observation' }, sel.task.text));
  }

  private renderSteps(): void {
    const sel = this.selected;
    if (!sel) {
      this.cards.clear();
      this.steps.replaceChildren();
      this.shownRollout = undefined;
      return;
    }
    const fresh = this.shownRollout !== sel.row.rolloutId;
    if (fresh) {
      this.cards.clear();
      this.steps.replaceChildren();
      this.shownRollout = sel.row.rolloutId;
      for (const n of sel.view.preamble) this.steps.append(noteBlock(n));
      window.scrollTo({ top: 0 });
    }
    const v = sel.view;
    for (const st of v.steps) {
      let card = this.cards.get(st.step);
      if (!card) {
        card = new StepCard(st.step, { view: () => this.selected?.view as AgentViewState, call: this.stepCall(), extra: (s) => this.stepExtra(s) });
        this.cards.set(st.step, card);
        this.steps.append(card.el);
      }
      card.render(st);
    }
    if (!v.steps.length) this.steps.replaceChildren(h('p', { class: 'muted' }, 'The file records no steps for this run.'));
    if (fresh) this.onShown?.(sel.row.rolloutId);
  }

  /** The step cards speak the agent view's protocol; only reading a folded observation applies here. */
  private stepCall(): AgentCall {
    const call = (async (method: string, params: unknown) => {
      if (method !== 'getObservation') return undefined;
      const p = params as AgentRequests['getObservation']['params'];
      return this.call('getObservation', { rolloutId: p.rolloutId, step: p.step, toolCallId: p.toolCallId });
    }) as AgentCall;
    return call;
  }

  /** Under each step: its replay verdict, and Continue from here (by hand or by a model). */
  private stepExtra(s: AgentStepView): HTMLElement | null {
    const sel = this.selected;
    const verdict = this.verdictBlock(s);
    if (!sel) return verdict;
    const cont = button(`btn-continue-${s.step}`, 'Continue from here…', 'debug-step-over', () => void this.call('continueFrom', { rolloutId: sel.row.rolloutId, step: s.step }), {
      secondary: true,
      title: `Continue from step ${s.step}: steps 1–${s.step} are replayed, then you go on by hand in the dev container, or a model goes on in a container of its own`,
    });
    cont.classList.add('small-button', 'continue-button');
    return h('div', { class: 'step-extra' }, verdict, h('div', { class: 'step-continue' }, cont));
  }

  private verdictBlock(s: AgentStepView): HTMLElement | null {
    const verdicts = this.selected?.replay?.steps.filter((x) => x.step === s.step) ?? [];
    if (!verdicts.length) return null;
    const worst = verdicts.find((x) => x.verdict === 'different') ?? verdicts.find((x) => x.verdict === 'noise') ?? verdicts[0];
    if (!worst) return null;
    const meta = VERDICT[worst.verdict];
    const noise = [...new Set(verdicts.flatMap((x) => x.noise))];
    const line = h('div', { class: `verdict verdict-${worst.verdict}`, 'data-verdict': worst.verdict }, icon(meta.icon), h('span', {}, ` Replay: ${meta.label}`), noise.length && worst.verdict === 'noise' ? h('span', { class: 'muted small' }, ` (${noise.join(', ')})`) : null);
    const different = verdicts.filter((x) => x.verdict === 'different');
    if (!different.length) return line;
    return h(
      'div',
      {},
      line,
      ...different.map((d) =>
        h(
          'details',
          { class: 'verdict-diff', open: true },
          h('summary', {}, `Recorded and replayed observation of ${d.tool}`),
          h('div', { class: 'side-by-side' }, h('div', {}, h('div', { class: 'muted small' }, 'Recorded'), h('pre', { class: 'observation' }, d.recorded ?? '')), h('div', {}, h('div', { class: 'muted small' }, 'Replayed (in the recorded paths)'), h('pre', { class: 'observation' }, d.replayed ?? ''))),
          d.diff ? h('details', {}, h('summary', { class: 'muted small' }, 'As a unified diff'), unifiedDiff(d.diff, 400)) : null,
        ),
      ),
    );
  }
}

