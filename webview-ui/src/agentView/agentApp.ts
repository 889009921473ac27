// Over 400 lines: one view's rendering kept in one class (header and controls, the pending action,
// the reward card, the step cards, the run table), each part a Slot re-rendered on its own key.
import { applyAgentEvent, EXIT_LABELS, type AgentControl, type AgentRunRow, type AgentRunsView, type AgentViewEvent, type AgentViewState } from '../../../src/shared/agentView';
import { rolloutNumber } from '../../../src/shared/rolloutNumber';
import { countsLine } from '../../../src/shared/runRecord';
import { statsLine } from '../diffView';
import { h, icon, plural, Slot } from '../dom';
import { button, ErrorBanner } from '../controls';
import { dollars, parseArgs, prettyArgs, seconds } from './format';
import { noteBlock, StepCard, type AgentCall } from './stepCard';
import { hasScores, verifierCell, verifierMeta, verifierSummary } from './verifierCells';

type LiveEvent = AgentViewEvent & { rolloutId: string };


function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** Time of day for today, else the date. */
function shortWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : d.toLocaleDateString();
}

function statusOf(v: AgentViewState): { text: string; cls: string; icon: string; spin?: boolean } {
  if (v.rewarding) return { text: 'Running the hidden tests', cls: 'running', icon: 'beaker', spin: false };
  switch (v.state) {
    case 'starting':
      return { text: 'Starting', cls: 'running', icon: 'loading', spin: true };
    case 'running':
      // A gym session between calls waits for its client, not for a model.
      if (v.external && v.steps.at(-1)?.phase === 'model') return { text: `Waiting for the client’s step ${v.step}`, cls: 'running', icon: 'watch' };
      return { text: v.step ? `Running step ${v.step}` : 'Running', cls: 'running', icon: 'loading', spin: true };
    case 'paused':
      return { text: v.pausedAt === 'before_action' ? `Paused before step ${v.step}’s action` : v.external ? 'Paused before the client’s next action' : 'Paused before the model', cls: 'paused', icon: 'debug-pause' };
    case 'ended': {
      if (v.exit?.runError) return { text: `Error: ${EXIT_LABELS[v.exit.reason] ?? v.exit.reason}`, cls: 'failed', icon: 'error' };
      const r = v.reward;
      if (r) return r.resolved ? { text: 'Resolved', cls: 'passed', icon: 'pass-filled' } : { text: r.status === 'unresolved' ? 'Not resolved' : r.status.replace(/_/g, ' '), cls: 'failed', icon: 'error' };
      return { text: EXIT_LABELS[v.exit?.reason ?? ''] ?? v.exit?.reason ?? 'Ended', cls: 'neutral', icon: 'circle-slash' };
    }
  }
}

/**
 * The agent live view: a header with the controls, what waits while paused, the reward, and one
 * card per step. Events update the view model with the shared reducer and re-render only the
 * part they touched; streamed text is appended to its step.
 */
export class AgentApp {
  private view: AgentViewState | undefined;
  private runs: AgentRunsView | undefined;
  private buffer: LiveEvent[] = [];
  private readonly cards = new Map<number, StepCard>();
  private readonly header = new Slot(h('header', { class: 'agent-header' }));
  private readonly bar = new Slot(h('div', { class: 'agent-bar', role: 'toolbar', 'aria-label': 'Agent controls' }));
  private readonly busy = new Slot(h('div', { class: 'busy', 'aria-live': 'polite' }));
  private readonly error = new ErrorBanner();
  private readonly pending = new Slot(h('div', { id: 'pending', class: 'pending', 'aria-live': 'polite' }));
  private readonly reward = new Slot(h('div', { id: 'reward', class: 'reward', 'aria-live': 'polite' }));
  private readonly opening = new Slot(h('div', { class: 'opening' }));
  private readonly preamble = new Slot(h('div', { class: 'preamble' }));
  private readonly steps = h('div', { id: 'steps', class: 'steps', 'aria-live': 'polite' });
  private readonly runsSlot = new Slot(h('section', { id: 'runs', class: 'runs' }));
  private draft: { key: string; name: string; args: string } | undefined;
  private renderedTimer: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly call: AgentCall,
    private readonly instanceId: string,
  ) {
    // The pending box sits at the live edge, after the last step, where following scrolls to.
    root.replaceChildren(this.header.el, this.bar.el, this.busy.el, this.error.el, this.reward.el, this.opening.el, this.preamble.el, this.steps, this.pending.el, this.runsSlot.el);
    this.renderHeader();
  }

  showError(message: string): void {
    this.error.show(message);
  }

  clearError(): void {
    this.error.clear();
  }

  /** The rollout to show, whole; then the events it has not seen yet. */
  setView(v: AgentViewState): void {
    const switching = this.view?.rolloutId !== v.rolloutId;
    this.view = v;
    if (switching) {
      this.cards.clear();
      this.steps.replaceChildren();
      this.draft = undefined;
    }
    const buffered = this.buffer.filter((e) => e.rolloutId === v.rolloutId);
    this.buffer = [];
    for (const e of buffered) applyAgentEvent(v, e);
    this.renderAll();
    if (switching) window.scrollTo({ top: 0 });
  }

  setRuns(r: AgentRunsView): void {
    this.runs = r;
    this.renderRuns();
    this.renderHeader();
    this.busy.set(JSON.stringify(r.busy ?? null), () => (r.busy ? [h('div', { class: 'busy-row' }, h('vscode-progress-bar', { indeterminate: true }), h('span', { class: 'busy-message' }, r.busy))] : []));
  }

  onEvent(e: LiveEvent): void {
    const v = this.view;
    if (!v || e.rolloutId !== v.rolloutId) {
      // Arrived before the state it follows (or for a rollout about to be shown).
      this.buffer.push(e);
      if (this.buffer.length > 5000) this.buffer.splice(0, this.buffer.length - 5000);
      return;
    }
    const follow = this.atBottom();
    const change = applyAgentEvent(v, e);
    if (change.header) this.renderTop();
    if (change.step !== undefined) {
      const st = v.steps.find((x) => x.step === change.step);
      if (st) {
        const card = this.card(st.step);
        if (change.appended && e.type === 'delta') card.append(st, e.content);
        else card.render(st);
      }
    }
    // A step's actions only show once the model answered: the previous card stops spinning then.
    if (e.type === 'step_started' && e.step > 1) {
      const prev = v.steps.find((x) => x.step === e.step - 1);
      if (prev) this.card(prev.step).render(prev);
    }
    // Stopped, failed or cut off: the step in flight is over, its card must say so.
    if (e.type === 'finished' || e.type === 'problem') {
      const last = v.steps.at(-1);
      if (last) this.card(last.step).render(last);
    }
    if (follow) this.scrollToEnd();
    this.reportRendered();
  }

  private atBottom(): boolean {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 60;
  }

  private scrollToEnd(): void {
    window.scrollTo({ top: document.body.scrollHeight });
  }

  private reportRendered(): void {
    if (this.renderedTimer !== undefined) return;
    this.renderedTimer = window.setTimeout(() => {
      this.renderedTimer = undefined;
      const v = this.view;
      if (v) void this.call('rendered', { rolloutId: v.rolloutId, seq: v.lastSeq, steps: this.steps.querySelectorAll('section.step').length, busySteps: this.steps.querySelectorAll('section.step.active').length });
    }, 150);
  }

  private card(step: number): StepCard {
    let c = this.cards.get(step);
    if (!c) {
      c = new StepCard(step, { view: () => this.view as AgentViewState, call: this.call });
      this.cards.set(step, c);
      // Steps arrive in order; insert in place if one ever does not.
      const after = [...this.cards.keys()].filter((k) => k > step).sort((a, b) => a - b)[0];
      const next = after !== undefined ? this.cards.get(after)?.el : undefined;
      if (next && next.parentElement === this.steps) this.steps.insertBefore(c.el, next);
      else this.steps.append(c.el);
    }
    return c;
  }

  private renderAll(): void {
    this.renderTop();
    const v = this.view;
    if (!v) return;
    for (const st of v.steps) this.card(st.step).render(st);
    this.renderRuns();
    this.reportRendered();
  }

  private renderTop(): void {
    this.renderHeader();
    this.renderPending();
    this.renderReward();
    this.renderOpening();
  }

  private renderHeader(): void {
    const v = this.view;
    const liveDev = this.runs?.rows.some((r) => r.where === 'dev' && (r.state === 'running' || r.state === 'paused'));
    const current = v?.steps.at(-1);
    // The step in flight counts too: the header should not sit at zero while step 1 streams.
    const inFlight = current && current.phase !== 'done' ? current.usage : undefined;
    const shownRow = this.runs?.rows.find((r) => r.rolloutId === v?.rolloutId);
    const key = JSON.stringify([v?.rolloutId, v?.step, v?.totals, inFlight, v?.exit?.durationMs, v?.problem, v?.model, v?.live, shownRow?.verifier]);
    this.header.set(key, () => {
      if (!v) {
        return [
          h('div', { class: 'title-row' }, icon('hubot', 'title-icon'), h('h1', {}, `Agent · ${this.instanceId}`)),
          h('p', { class: 'muted' }, 'No agent has worked on this instance yet. Start one: it works in the instance’s dev container (launched if needed), so you watch its edits in the editor, and can pause it, edit its next action and take over by hand.'),
        ];
      }
      const meta = [
        h('span', { title: v.endpoint ?? '' }, icon('hubot'), ` ${v.model || '…'}`),
        v.endpoint ? h('span', { class: 'muted' }, v.endpoint) : null,
        h('span', {}, icon(v.where === 'dev' ? 'vm-running' : 'vm'), v.where === 'dev' ? ' your dev container' : ' its own container'),
        v.environment && !v.environment.counted
          ? h('span', { id: 'not-counted', class: 'failed', title: `Changed from the base commit when it started: ${(v.environment.changedAtStart ?? []).join(', ') || 'unknown'}` }, icon('warning'), ' started with changes in the workspace: not counted in the success rate')
          : null,
        h('span', { class: 'muted', title: `${v.rolloutId} · ${v.runId}` }, `rollout ${rolloutNumber(v.index)}`),
        v.forkOf ? h('span', { id: 'fork-source', title: v.forkOf.rolloutId }, icon('repo-forked'), ` fork of ${forkSourceName(v.forkOf.rolloutId, this.runs?.rows)} at step ${v.forkOf.step}`) : null,
        v.live ? null : h('span', { class: 'muted' }, icon('history'), ' read from its trajectory'),
        verifierMeta(shownRow),
      ];
      const prompt = v.totals.promptTokens + (inFlight?.promptTokens ?? 0);
      const completion = v.totals.completionTokens + (inFlight?.completionTokens ?? 0);
      return [
        h('div', { class: 'title-row' }, icon('hubot', 'title-icon'), h('h1', {}, `Agent · ${v.instanceId}`)),
        h('div', { class: 'meta-row' }, ...meta.filter(Boolean).flatMap((m, i) => (i ? [h('span', { class: 'sep' }, '·'), m] : [m]))),
        h(
          'div',
          { id: 'agent-figures', class: 'figures-row' },
          h('span', {}, plural(v.step, 'step')),
          h('span', { title: 'prompt + completion tokens' }, `${prompt.toLocaleString('en-US')} + ${completion.toLocaleString('en-US')} tokens`),
          h('span', {}, dollars(v.totals.costUsd)),
          v.exit ? h('span', {}, seconds(v.exit.durationMs)) : null,
        ),
        v.problem ? h('div', { class: 'warning-banner', role: 'alert' }, icon('warning'), ` ${v.problem}`) : null,
      ];
    });
    const barKey = JSON.stringify([v?.rolloutId, v?.state, v?.pausedAt, v?.step, v?.rewarding, !!v?.patch, v?.reward?.status, v?.exit?.reason, liveDev, this.runs?.busy]);
    this.bar.set(barKey, () => {
      const start = (secondary: boolean) => button('btn-start', 'Start agent', 'hubot', () => void this.call('start', {}), { secondary, disabled: !!this.runs?.busy, title: 'Start a new rollout in the dev container' });
      if (!v) return [start(false)];
      const st = statusOf(v);
      // Once the patch is taken the loop is over: only the reward (or cancelling it) is left.
      const winding = v.live && v.state !== 'ended' && (!!v.patch || !!v.rewarding);
      const live = v.live && v.state !== 'ended' && !winding;
      const paused = live && v.state === 'paused';
      const control = (action: AgentControl) => () => void this.control(action);
      return [
        winding ? button('btn-cancel', 'Cancel', 'close', control('cancel'), { secondary: true, title: 'Abandon the rollout: no reward' }) : null,
        live ? button('btn-pause', 'Pause', 'debug-pause', control('pause'), { disabled: paused, secondary: paused, title: 'Pause at the next point: before the next action runs, or before the next model request' }) : null,
        live ? button('btn-resume', 'Resume', 'debug-continue', control('resume'), { disabled: !paused, secondary: !paused }) : null,
        live ? button('btn-step', 'Step', 'debug-step-over', control('step'), { disabled: !paused, secondary: true, title: 'Run to the end of this step, then pause before the next model request' }) : null,
        live ? button('btn-next-action', 'Next action', 'debug-step-into', control('stepToAction'), { disabled: !(paused && v.pausedAt === 'before_model'), secondary: true, title: 'Ask the model, then pause before its action runs (so you can edit it)' }) : null,
        live ? button('btn-stop', 'Stop', 'debug-stop', control('stop'), { secondary: true, title: 'End the rollout now: its patch is taken and rewarded' }) : null,
        v.steps.length ? button('btn-show-diff', 'Show diff', 'diff', () => void this.call('showDiff', { rolloutId: v.rolloutId }), { secondary: true, title: 'This rollout’s changes against the base commit (its final patch, or its workspace after its last step), in a diff editor' }) : null,
        v.state === 'ended' ? button('btn-trajectory', 'Trajectory', 'go-to-file', () => void this.call('openTrajectory', { rolloutId: v.rolloutId }), { secondary: true, title: 'Open the trajectory file' }) : null,
        !live && !winding && !liveDev ? start(v.state !== 'ended') : null,
        h('span', { class: 'spacer' }),
        h('span', { id: 'agent-status', class: `pill ${st.cls}`, role: 'status' }, icon(st.icon, st.spin ? 'codicon-modifier-spin' : ''), ` ${st.text}`),
      ];
    });
  }

  /** Applies an unsaved edit of the next action before the rollout goes on. */
  private async control(action: AgentControl): Promise<void> {
    const v = this.view;
    if (!v) return;
    if ((action === 'step' || action === 'resume') && v.pendingAction && this.draft && this.draftChanged(v)) {
      if (!(await this.applyDraft(v))) return;
    }
    await this.call('control', { rolloutId: v.rolloutId, action });
  }

  private draftChanged(v: AgentViewState): boolean {
    const p = v.pendingAction;
    return !!p && !!this.draft && (this.draft.name !== p.name || this.draft.args !== prettyArgs(p.arguments));
  }

  private async applyDraft(v: AgentViewState): Promise<boolean> {
    const d = this.draft;
    if (!d) return true;
    if (!parseArgs(d.args)) {
      this.showError('The arguments are not a JSON object: fix them before the action runs.');
      return false;
    }
    const compact = JSON.stringify(parseArgs(d.args));
    await this.call('editAction', { rolloutId: v.rolloutId, name: d.name.trim(), arguments: compact });
    return true;
  }

  private renderPending(): void {
    const v = this.view;
    const live = v && v.live && v.state === 'paused';
    const key = JSON.stringify(live ? [v.rolloutId, v.pausedAt, v.step, v.pendingAction] : null);
    this.pending.set(key, () => {
      if (!v || !live) return [];
      if (v.pausedAt === 'before_action' && v.pendingAction) {
        const p = v.pendingAction;
        this.draft = { key, name: p.name, args: prettyArgs(p.arguments) };
        const draft = this.draft;
        const name = h('input', { id: 'pending-tool', class: 'input', type: 'text', 'aria-label': 'Tool', spellcheck: 'false' });
        name.value = draft.name;
        const args = h('textarea', { id: 'pending-args', class: 'editor', rows: Math.min(16, Math.max(4, draft.args.split('\n').length + 1)), 'aria-label': 'Arguments (JSON)', spellcheck: 'false' });
        args.value = draft.args;
        const problem = h('div', { class: 'validation', role: 'status' });
        const validate = () => {
          draft.name = name.value;
          draft.args = args.value;
          problem.textContent = parseArgs(args.value) ? '' : 'Not a JSON object yet.';
        };
        name.addEventListener('input', validate);
        args.addEventListener('input', validate);
        return [
          h('div', { class: 'pending-title' }, icon('debug-pause'), ` Paused before step ${v.step}’s action runs. `, h('span', { class: 'muted' }, 'Edit it, then Step or Resume: the edited action is what runs and what the model sees it called.')),
          h('label', { class: 'field' }, h('span', { class: 'muted small' }, 'Tool'), name),
          h('label', { class: 'field' }, h('span', { class: 'muted small' }, 'Arguments (JSON)'), args),
          problem,
          h(
            'div',
            { class: 'row' },
            button('btn-apply-edit', 'Apply edit', 'check', () => void this.applyDraft(v), { secondary: true }),
            button('btn-reset-edit', 'Reset', 'discard', () => {
              name.value = p.name;
              args.value = prettyArgs(p.arguments);
              validate();
            }, { secondary: true }),
          ),
        ];
      }
      this.draft = undefined;
      if (v.external) {
        return [
          h('div', { class: 'pending-title' }, icon('debug-pause'), v.step ? ` Paused after step ${v.step}, before the client’s next action. ` : ' Paused before the client’s first action. ', h('span', { class: 'muted', id: 'pause-hint' }, `The ${v.external}’s next call waits here: Step lets one action run, Resume lets it go on, Next action holds its action before it runs (to edit it). The client reads only what its calls return, so no message or observation edit from here reaches it.`)),
        ];
      }
      const note = h('textarea', { id: 'note-text', class: 'editor', rows: 3, 'aria-label': 'Message to the agent', placeholder: 'A message the model reads before its next turn (optional)' });
      return [
        h('div', { class: 'pending-title' }, icon('debug-pause'), v.step ? ` Paused after step ${v.step}, before asking the model. ` : ' Paused before the first model request. ', h('span', { class: 'muted', id: 'pause-hint' }, v.where === 'dev' ? 'Edit files in the workspace if you like: on resume the agent is told what changed. The last step’s observations can be edited below before the model sees them.' : 'This rollout runs in a container of its own: edits in your workspace do not reach it. Tell it what to do in a message, or edit the last step’s observations below before the model sees them.')),
        note,
        h(
          'div',
          { class: 'row' },
          button('btn-send-note', 'Send with the next request', 'comment', () => {
            if (!note.value.trim()) return;
            void this.call('addNote', { rolloutId: v.rolloutId, content: note.value }).then(() => (note.value = ''));
          }, { secondary: true }),
        ),
      ];
    });
  }

  private renderReward(): void {
    const v = this.view;
    this.reward.set(JSON.stringify(v ? [v.rolloutId, v.rewarding, v.reward, v.exit, v.patch] : null), () => {
      if (!v) return [];
      if (v.rewarding) return [h('div', { class: 'busy-row' }, h('vscode-progress-bar', { indeterminate: true }), h('span', { class: 'busy-message' }, 'Running the hidden tests on the final patch in a fresh container…'))];
      if (!v.exit) return [];
      const r = v.reward;
      const exit = `${EXIT_LABELS[v.exit.reason] ?? v.exit.reason}${v.exit.message ? `: ${v.exit.message}` : ''}`;
      const patch = v.patch ? (v.patch.error ? `The patch could not be taken: ${v.patch.error}` : null) : null;
      if (v.exit.runError) {
        return [
          h(
            'div',
            { class: 'reward-card failed run-error' },
            icon('error', 'reward-icon'),
            h(
              'div',
              {},
              h('div', { class: 'reward-title' }, `Error of the run: ${EXIT_LABELS[v.exit.reason] ?? v.exit.reason}`),
              h('div', { class: 'small run-error-reason' }, v.exit.message ?? ''),
              h('div', { class: 'muted small' }, 'The model never answered, so nothing the agent did is in the container: this rollout is not graded and not counted in the success rate or pass@k.'),
            ),
          ),
        ];
      }
      const cls = r ? (r.resolved ? 'passed' : 'failed') : 'neutral';
      const title = r ? (r.resolved ? 'Resolved' : r.status === 'unresolved' ? 'Not resolved' : r.status.replace(/_/g, ' ')) : 'No reward';
      return [
        h(
          'div',
          { class: `reward-card ${cls}` },
          icon(r ? (r.resolved ? 'pass-filled' : 'error') : 'circle-slash', 'reward-icon'),
          h(
            'div',
            {},
            h('div', { class: 'reward-title' }, title),
            r && countsLine(r) ? h('div', { class: 'reward-counts' }, countsLine(r)) : null,
            h('div', { class: 'small' }, exit),
            v.patch && !v.patch.error ? h('div', { class: 'small' }, 'Final patch: ', statsLine(v.patch.stats)) : null,
            r ? h('div', { class: 'muted small' }, `${r.rules} · graded in ${seconds(r.durationMs)}${r.strictResolved !== r.resolved ? ' · the strict SWE-bench 5 rules disagree' : ''}`) : null,
            r?.error ? h('div', { class: 'small' }, r.error) : null,
            patch ? h('div', { class: 'small' }, patch) : null,
          ),
        ),
      ];
    });
  }

  private renderOpening(): void {
    const v = this.view;
    const o = v?.opening;
    this.opening.set(JSON.stringify([v?.rolloutId, !!o]), () => {
      if (!o) return [];
      const block = (title: string, t: { text: string; folded: boolean; length: number }) => h('details', {}, h('summary', {}, title, t.folded ? h('span', { class: 'muted small' }, ` (${plural(t.length, 'character')}, folded)`) : null), h('pre', { class: 'observation' }, t.text));
      return [block('System prompt', o.system), block('Task (the first user message)', o.firstUser)];
    });
    this.preamble.set(JSON.stringify(v?.preamble ?? []), () => (v?.preamble ?? []).map(noteBlock));
  }

  private renderRuns(): void {
    const r = this.runs;
    const shown = this.view?.rolloutId;
    this.runsSlot.set(JSON.stringify([r, shown]), () => {
      if (!r) return [];
      const s = r.stats;
      const pass = Object.entries(s.passAtK)
        .filter(([k]) => ['1', '5', '10', String(s.rewarded)].includes(k))
        .map(([k, p]) => `pass@${k} ${(100 * p).toFixed(0)}%`);
      const errors = s.runErrors ? ` · ${plural(s.runErrors, 'error')} of the run (never reached the model; not counted)` : '';
      const leftOut = s.notCounted ? ` · ${s.notCounted} left out (started with changes from the base commit)` : '';
      const stats = s.rewarded ? `${plural(s.rollouts, 'rollout')} · ${s.resolved} of ${s.rewarded} rewarded resolved (${(100 * s.successRate).toFixed(0)}%) · ${pass.join(' · ')}${verifierSummary(r.rows)}${leftOut}${errors}` : s.rollouts ? `${plural(s.rollouts, 'rollout')}, none rewarded yet${errors}` : 'No rollouts yet.';
      const withScores = hasScores(r.rows);
      const row = (x: AgentRunRow) => {
        const verdict = x.runError ? 'error' : x.resolved === null ? (x.state === 'running' || x.state === 'paused' ? '…' : '—') : x.resolved ? 'resolved' : (x.rewardStatus ?? 'unresolved').replace(/_/g, ' ');
        const tr = h(
          'tr',
          { class: x.rolloutId === shown ? 'selected' : '', 'data-rollout-id': x.rolloutId, tabindex: 0, title: 'Show this rollout' },
          h('td', {}, rolloutNumber(x.index)),
          x.runError
            ? h('td', { class: 'failed run-error', title: `Error of the run, not graded or counted: ${x.runError}` }, icon('error'), ` ${verdict}`)
            : h('td', { class: x.resolved ? 'passed' : x.resolved === false ? 'failed' : '' }, x.resolved === null ? '' : icon(x.resolved ? 'pass-filled' : 'error'), ` ${verdict}`),
          withScores ? verifierCell(x) : null,
          h('td', {}, x.state === 'ended' || x.state === 'interrupted' ? (EXIT_LABELS[x.exitReason ?? ''] ?? x.exitReason ?? '') : x.state),
          h('td', { class: 'num' }, String(x.steps)),
          h('td', { class: 'num' }, (x.promptTokens + x.completionTokens).toLocaleString('en-US')),
          h('td', { class: 'num' }, dollars(x.costUsd)),
          x.external ? h('td', { class: 'external', title: `Driven from outside through the gym server by ${x.external.client} (session ${x.external.sessionId})` }, `${x.model} · ${x.external.client} (gym)`) : h('td', {}, x.model),
          h('td', { title: x.counted === false ? 'Started in the dev container with changes from the base commit: not counted in the figures' : '' }, x.where === 'dev' ? (x.counted === false ? 'dev container, not counted' : 'dev container') : x.forkOf ? `fork of ${forkNumber(x.forkOf.rolloutId, r.rows)} @${x.forkOf.step}` : 'own container'),
          h('td', { title: when(x.startedAt) }, shortWhen(x.startedAt)),
        );
        const select = () => x.rolloutId !== shown && void this.call('select', { rolloutId: x.rolloutId }).then((view) => view && this.setView(view));
        tr.addEventListener('click', select);
        tr.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && select());
        return tr;
      };
      const score = s.rewarded ? button('btn-score', withScores ? 'Score again' : 'Score with a verifier', 'law', () => void this.call('scoreRollouts', {}), { secondary: true, title: 'Best-of-N: a verifier model scores every rewarded rollout (P(YES) from its log-probabilities) and picks one' }) : null;
      return [
        h('div', { class: 'runs-head' }, h('h2', {}, icon('table'), ' Rollouts of this instance'), score),
        h('p', { id: 'agent-stats', class: 'muted' }, stats),
        r.rows.length
          ? h(
              'div',
              { class: 'table-scroll' },
              h(
                'table',
                { id: 'runs-table', class: 'history runs-table' },
                h('thead', {}, h('tr', {}, ...['#', 'Reward', ...(withScores ? ['Verifier'] : []), 'Exit', 'Steps', 'Tokens', 'Cost', 'Model', 'Where', 'Started'].map((c) => h('th', {}, c)))),
                h('tbody', {}, ...r.rows.map(row)),
              ),
            )
          : null,
      ];
    });
  }
}

/** A fork's source as the run table numbers it, with its id when the table no longer lists it. */
function forkSourceName(rolloutId: string, rows: AgentRunRow[] | undefined): string {
  const row = rows?.find((r) => r.rolloutId === rolloutId);
  return row ? `rollout ${rolloutNumber(row.index)}` : rolloutId;
}

/** A fork's source in the Where column: its number, "#?" once the table no longer lists it. */
function forkNumber(rolloutId: string, rows: readonly AgentRunRow[]): string {
  const row = rows.find((y) => y.rolloutId === rolloutId);
  return row ? rolloutNumber(row.index) : '#?';
}
