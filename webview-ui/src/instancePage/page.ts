import type { InstancePageState, RunSpecView } from '../../../src/shared/instancePage';
import { countsLine, type RunRecord, type RunTestResult } from '../../../src/shared/runRecord';
import type { PageRequests } from '../../../src/shared/protocol';
import type { Call } from '../boot';
import { fileList, statsLine, unifiedDiff } from '../diffView';
import { h, icon, plural, Slot } from '../dom';
import { button, ErrorBanner } from '../controls';
import { renderMarkdown } from '../markdown';
import { renderAnnotations } from './annotationSection';

export interface PageActions {
  call: Call<PageRequests>;
  cancel(): void;
}

const STATUS: Record<InstancePageState['status'], { label: string; icon: string; cls: string }> = {
  'not-started': { label: 'Not started', icon: 'circle-large-outline', cls: 'neutral' },
  running: { label: 'Running', icon: 'sync', cls: 'running' },
  resolved: { label: 'Resolved', icon: 'pass-filled', cls: 'passed' },
  // The reward card's word for the same state ("Not resolved"): one word for one state everywhere.
  failed: { label: 'Not resolved', icon: 'error', cls: 'failed' },
  error: { label: 'Error', icon: 'warning', cls: 'warning' },
};


const IMAGE_POLICY: Record<RunSpecView['image']['policy'], string> = {
  build: 'built here from the row’s build context',
  pull: 'pulled when it is not on this host',
  local: 'must already be on this host (pulling is off)',
};

/** Which sections the person opened or closed, kept in the webview's state across hides, runs and reloads. */
export interface SectionMemory {
  open: Record<string, boolean>;
  save(open: Record<string, boolean>): void;
}

function section(id: string, heading: string, open: boolean, memory?: SectionMemory): { el: HTMLElement; body: Slot; setDescription(d: string): void } {
  const body = h('div', { class: 'section-body' });
  const el = h('vscode-collapsible', { id, heading, open: memory?.open[id] ?? open }, body);
  el.addEventListener('vsc-collapsible-toggle', (e) => {
    if (!memory) return;
    memory.open = { ...memory.open, [id]: !!(e as CustomEvent<{ open: boolean }>).detail?.open };
    memory.save(memory.open);
  });
  return { el, body: new Slot(body), setDescription: (d) => el.setAttribute('description', d) };
}

function installNote(r: RunRecord): string | undefined {
  const i = r.install;
  if (i?.state === 'skipped') return 'Install step skipped (setting sweGym.evaluation.skipInstall): the verdict may differ from the harness’s.';
  if (i?.state === 'failed') return `Install step ${i.exitCode === null ? 'did not finish' : `failed (exit ${i.exitCode})`}: the tests ran on the image’s install, so the verdict may differ from the harness’s.`;
  return undefined;
}

/** The whole difficulty line as one sentence: the tooltip when a narrow view cuts it off. */
function difficultyText(s: InstancePageState): string {
  const d = s.difficulty;
  const a = s.agents;
  return [
    `Difficulty: ${plural(d.goldFiles, 'file')}, ${plural(d.goldLines, 'changed line')} in the gold patch`,
    `${d.failToPass} FAIL_TO_PASS`,
    `${d.passToPass} PASS_TO_PASS`,
    d.label ? `rated “${d.label}”` : '',
    a?.rewarded ? `agents resolved ${a.resolved} of ${a.rewarded} (${(100 * a.successRate).toFixed(0)}%)` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function verdict(r: RunRecord): { text: string; cls: string; icon: string } {
  switch (r.status) {
    case 'resolved':
      return { text: 'Resolved', cls: 'passed', icon: 'pass-filled' };
    case 'unresolved':
      return { text: 'Not resolved', cls: 'failed', icon: 'error' };
    case 'empty_patch':
      return { text: 'Empty patch: nothing changed', cls: 'failed', icon: 'circle-slash' };
    case 'patch_apply_failed':
      return { text: 'Patch failed to apply', cls: 'failed', icon: 'error' };
    case 'timeout':
      return { text: 'Timed out', cls: 'warning', icon: 'watch' };
    case 'cancelled':
      return { text: 'Cancelled', cls: 'neutral', icon: 'circle-slash' };
    default:
      return { text: 'Evaluation error', cls: 'warning', icon: 'warning' };
  }
}

/** The instance page. Built once; each state update re-renders only the parts whose data changed. */
export class InstancePage {
  private readonly header = new Slot(h('header', { class: 'header' }));
  private readonly toolbar = new Slot(h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Instance actions' }));
  private readonly busy = new Slot(h('div', { class: 'busy', 'aria-live': 'polite' }));
  private readonly error = new ErrorBanner();
  private readonly reward = new Slot(h('div', { id: 'reward', class: 'reward', 'aria-live': 'polite' }));
  private readonly issue;
  private readonly hints;
  private readonly tests;
  private readonly spec;
  private readonly annotations;
  private readonly changes;
  private readonly gold;
  private readonly history;
  private confirming: 'gold' | 'tests' | undefined;
  private state: InstancePageState | undefined;

  constructor(
    root: HTMLElement,
    private readonly actions: PageActions,
    memory?: SectionMemory,
  ) {
    this.issue = section('issue', 'Issue', true, memory);
    this.hints = section('hints', 'Hints', false, memory);
    this.tests = section('tests', 'Hidden tests', true, memory);
    this.spec = section('spec', 'How it is graded', true, memory);
    this.annotations = section('annotations', 'Difficulty annotations', true, memory);
    this.changes = section('changes', 'Your changes', true, memory);
    this.gold = section('gold', 'Gold patch', false, memory);
    this.history = section('history', 'Run history', false, memory);
    root.replaceChildren(
      this.header.el,
      this.toolbar.el,
      this.busy.el,
      this.error.el,
      this.reward.el,
      this.issue.el,
      this.hints.el,
      this.tests.el,
      this.spec.el,
      this.annotations.el,
      this.changes.el,
      this.gold.el,
      this.history.el,
    );
  }

  showError(message: string): void {
    this.error.show(message);
  }

  clearError(): void {
    this.error.clear();
  }

  render(s: InstancePageState): void {
    this.state = s;
    document.title = s.instance.id;
    this.renderHeader(s);
    this.renderToolbar(s);
    this.renderBusy(s);
    this.renderReward(s);
    this.issue.body.set(s.instance.problemStatement, () => [h('div', { class: 'markdown' }, renderMarkdown(s.instance.problemStatement || '_No issue text._'))]);
    this.hints.el.hidden = !s.instance.hints.trim();
    this.hints.body.set(s.instance.hints, () => [h('div', { class: 'markdown' }, renderMarkdown(s.instance.hints))]);
    this.renderTests(s);
    this.renderSpec(s);
    renderAnnotations(this.annotations, s, () => void this.actions.call('annotate', {}));
    this.renderChanges(s);
    this.renderGold(s);
    this.renderHistory(s);
  }

  private renderHeader(s: InstancePageState): void {
    const st = STATUS[s.status];
    const d = s.difficulty;
    const agents = s.agents;
    this.header.set(JSON.stringify([s.instance.id, s.status, d, s.datasetName, s.session.state, agents]), () => [
      h('div', { class: 'title-row' }, h('h1', {}, s.instance.id), h('span', { id: 'status', class: `pill ${st.cls}` }, icon(st.icon, s.status === 'running' ? 'codicon-modifier-spin' : ''), ` ${st.label}`)),
      h(
        'dl',
        { class: 'meta' },
        h('dt', {}, 'Repository'),
        h('dd', {}, s.instance.repo),
        h('dt', {}, 'Dataset'),
        h('dd', {}, s.datasetName),
        h('dt', {}, 'Base commit'),
        h('dd', {}, h('code', { title: s.instance.baseCommit }, s.instance.baseCommit.slice(0, 12))),
        h('dt', {}, 'Version'),
        h('dd', {}, s.instance.version || '—'),
        h('dt', {}, 'Created'),
        h('dd', {}, s.instance.createdAt ? when(s.instance.createdAt) : '—'),
      ),
      h(
        'div',
        { id: 'difficulty', class: 'difficulty', title: difficultyText(s) },
        icon('dashboard'),
        ` Difficulty: ${plural(d.goldFiles, 'file')}, ${plural(d.goldLines, 'changed line')} in the gold patch · `,
        h('vscode-badge', { variant: 'counter' }, String(d.failToPass)),
        ' FAIL_TO_PASS · ',
        h('vscode-badge', { variant: 'counter' }, String(d.passToPass)),
        ' PASS_TO_PASS',
        d.label ? ` · rated “${d.label}”` : '',
        agents?.rewarded
          ? h('span', { id: 'agent-difficulty', title: Object.entries(agents.passAtK).map(([k, p]) => `pass@${k} ${(100 * p).toFixed(0)}%`).join(' · ') }, ` · agents resolved ${agents.resolved} of ${agents.rewarded} (${(100 * agents.successRate).toFixed(0)}%)`)
          : null,
      ),
    ]);
  }

  private renderToolbar(s: InstancePageState): void {
    const live = s.session.state === 'running';
    const busy = !!s.busy;
    const a = this.actions;
    this.toolbar.set(JSON.stringify([s.session.state, busy, !!s.revealed.gold]), () => [
      button('btn-launch', live ? 'Launched' : 'Launch', 'play', () => void a.call('launch', {}), { disabled: busy || live || s.session.state === 'broken', title: 'Launch the dev container and open its workspace' }),
      button('btn-terminal', 'Open terminal', 'terminal', () => void a.call('openTerminal', {}), { secondary: true, disabled: !live }),
      button('btn-run', 'Run hidden tests', 'beaker', () => void a.call('runTests', {}), { disabled: busy || !live, title: 'Grade your workspace diff in a fresh container' }),
      button('btn-diff', 'Show diff', 'diff', () => void a.call('showDiff', { against: 'base' }), { secondary: true, disabled: !live }),
      s.revealed.gold ? button('btn-gold-diff', 'Compare with gold', 'git-compare', () => void a.call('showDiff', { against: 'gold' }), { secondary: true, disabled: !live }) : null,
      button('btn-folder', 'Show folder', 'folder', () => void a.call('openWorkspace', {}), { secondary: true, disabled: !(live || s.session.state === 'broken') }),
      button('btn-agent', 'Start agent', 'hubot', () => void a.call('startAgent', {}), { secondary: true, disabled: busy || s.session.state === 'broken', title: 'Let a model solve the task in the dev container, step by step, in a live view' }),
      button('btn-log', 'Test log', 'output', () => void a.call('showLog', {}), { secondary: true }),
      button('btn-stop', 'Stop and remove', 'debug-stop', () => void a.call('stop', {}), { secondary: true, disabled: busy || s.session.state === 'none' }),
    ]);
  }

  private renderBusy(s: InstancePageState): void {
    const b = s.busy;
    const problem = s.session.problem;
    this.busy.set(JSON.stringify([b, problem]), () => {
      const out: HTMLElement[] = [];
      if (b) {
        const bar = h('vscode-progress-bar', b.fraction === undefined ? { indeterminate: true } : { value: Math.round(b.fraction * 100), max: 100 });
        out.push(h('div', { class: 'busy-row' }, bar, h('span', { class: 'busy-message' }, b.message), b.cancellable ? button('btn-cancel', 'Cancel', 'close', () => this.actions.cancel(), { secondary: true }) : null));
      }
      if (problem) out.push(h('div', { class: 'warning-banner', role: 'alert' }, icon('warning'), ` ${problem}`));
      return out;
    });
  }

  private renderReward(s: InstancePageState): void {
    const last = s.history.find((r) => r.status !== 'cancelled') ?? s.history[0];
    this.reward.set(JSON.stringify(last ?? null), () => {
      if (!last) return [h('p', { class: 'muted' }, icon('info'), ' No run yet. Launch, edit the workspace, then run the hidden tests.')];
      const v = verdict(last);
      return [
        h('div', { class: `reward-card ${v.cls}` }, icon(v.icon, 'reward-icon'), h('div', {}, h('div', { class: 'reward-title' }, v.text), h('div', { class: 'reward-counts' }, countsLine(last)), h('div', { class: 'muted small' }, `${when(last.at)} · ${(last.durationMs / 1000).toFixed(1)} s · ${last.rules ?? ''}${last.agent ? ` · by the agent (${last.agent.model})` : ''}${last.goldSeen ? ' · gold patch had been revealed' : ''}${last.rulesDisagree ? ' · the strict SWE-bench 5 rules disagree' : ''}`), last.error ? h('div', { class: 'small' }, last.error) : null, installNote(last) ? h('div', { id: 'install-note', class: 'small install-note' }, icon('warning'), ` ${installNote(last)}`) : null)),
      ];
    });
  }

  private renderTests(s: InstancePageState): void {
    const names = s.tests.names;
    const last = s.history.find((r) => r.tests && r.tests.length > 0);
    this.tests.setDescription(`${s.tests.failToPass} FAIL_TO_PASS · ${s.tests.passToPass} PASS_TO_PASS`);
    this.tests.body.set(JSON.stringify([s.tests, s.revealed.tests, last?.runId, this.confirming === 'tests', s.history.length > 0]), () => {
      const outcome = new Map<string, RunTestResult>((last?.tests ?? []).map((t) => [`${t.group}/${t.index}`, t]));
      const list = (group: 'FAIL_TO_PASS' | 'PASS_TO_PASS', items: string[]) =>
        h(
          'div',
          {},
          h('h3', {}, `${group} (${items.length})`),
          h(
            'ul',
            { class: 'tests' },
            ...items.map((name, i) => {
              const o = outcome.get(`${group}/${i}`);
              const ic = o ? (o.outcome === 'passed' ? 'pass' : o.outcome === 'failed' ? 'error' : 'circle-slash') : 'circle-large-outline';
              return h('li', { class: o?.outcome ?? 'none' }, icon(ic), ' ', h('code', {}, name), o ? h('span', { class: 'muted small' }, ` ${o.status}`) : null);
            }),
          ),
        );
      if (names) return [h('p', { class: 'muted small' }, `Names revealed ${when(s.revealed.tests?.at ?? '')}.`), list('FAIL_TO_PASS', names.failToPass), list('PASS_TO_PASS', names.passToPass)];
      return [
        h('p', {}, `${plural(s.tests.failToPass, 'test')} must go from failing to passing and ${plural(s.tests.passToPass, 'test')} must keep passing. Their names are hidden.`),
        s.history.length ? h('p', { id: 'log-redacted', class: 'muted small' }, icon('eye-closed'), ' The Test log and the Test Explorer show them redacted until you reveal them (opening the full log reveals them too).') : null,
        this.revealControl('tests', 'Reveal test names'),
      ];
    });
  }

  /** Which rules, image and parser apply, each with its reason (the spec's notes), or why the row cannot run. */
  private renderSpec(s: InstancePageState): void {
    const spec = s.spec;
    this.spec.setDescription('cannotRun' in spec ? 'cannot be run' : `${spec.rules.label} · ${spec.family.name}${spec.notes.length ? ` · ${plural(spec.notes.length, 'note')}` : ''}`);
    this.spec.body.set(JSON.stringify(spec), () => {
      if ('cannotRun' in spec) return [h('div', { id: 'spec-cannot-run', class: 'warning-banner', role: 'alert' }, icon('warning'), ` This instance cannot be run: ${spec.cannotRun}`)];
      const item = (id: string, term: string, value: Node | string, why?: string) => [h('dt', {}, term), h('dd', { id }, value, why ? h('div', { class: 'muted small' }, why) : null)];
      return [
        h(
          'dl',
          { class: 'spec' },
          ...item('spec-rules', 'Rules', spec.rules.label, `Why: ${spec.rules.reason}. The same log is also graded by ${spec.rules.strictLabel}, shown beside.`),
          ...item('spec-family', 'Taken as', spec.family.name, `Why: ${spec.family.reason}.`),
          ...item('spec-image', 'Image', h('code', {}, spec.image.name), `${IMAGE_POLICY[spec.image.policy]}; named by ${spec.image.reason}.`),
          ...item('spec-parser', 'Log parser', h('code', {}, spec.logParser)),
          ...item('spec-command', 'Test command', spec.testCommand ? h('code', {}, spec.testCommand) : h('span', { class: 'muted' }, 'hidden with the test names (it names the hidden test files)')),
        ),
        spec.notes.length ? h('ul', { id: 'spec-notes', class: 'spec-notes' }, ...spec.notes.map((n) => h('li', {}, icon('warning'), ` ${n}`))) : null,
      ];
    });
  }

  private renderChanges(s: InstancePageState): void {
    const c = s.candidate;
    this.changes.setDescription(c ? `${plural(c.stats.files.length, 'file')} · +${c.stats.added} −${c.stats.removed}` : '');
    this.changes.body.set(JSON.stringify([c?.at, s.session.state]), () => {
      const refresh = button('btn-refresh-diff', 'Refresh', 'refresh', () => void this.actions.call('refreshCandidate', {}), { secondary: true, disabled: s.session.state !== 'running' });
      if (!c) return [h('p', { class: 'muted' }, s.session.state === 'running' ? 'Your diff against the base commit shows here.' : 'Launch the instance to edit it.'), refresh];
      if (!c.patch.trim()) return [h('p', { class: 'muted' }, `No changes against the base commit (as of ${when(c.at)}).`), refresh];
      return [h('div', { class: 'row' }, statsLine(c.stats), refresh), fileList(c.stats), unifiedDiff(c.patch)];
    });
  }

  private renderGold(s: InstancePageState): void {
    const g = s.gold;
    this.gold.setDescription(g ? `${plural(g.stats.files.length, 'file')} · +${g.stats.added} −${g.stats.removed}` : 'hidden');
    this.gold.body.set(JSON.stringify([!!g, this.confirming === 'gold']), () => {
      if (!g) return [h('p', {}, 'The reference solution is hidden. Revealing it is recorded for this instance, so a demonstration can say whether the answer was seen.'), this.revealControl('gold', 'Reveal gold patch')];
      return [h('p', { class: 'muted small' }, `Revealed ${when(s.revealed.gold?.at ?? '')}.`), statsLine(g.stats), fileList(g.stats), unifiedDiff(g.patch)];
    });
  }

  private revealControl(what: 'gold' | 'tests', label: string): HTMLElement {
    if (this.confirming !== what) {
      return button(`btn-reveal-${what}`, label, 'eye', () => {
        this.confirming = what;
        if (this.state) this.render(this.state);
      }, { secondary: true });
    }
    return h(
      'div',
      { class: 'confirm', role: 'group' },
      h('span', {}, icon('warning'), ' This cannot be undone: the reveal is recorded for this instance. '),
      button(`btn-confirm-${what}`, 'Reveal', 'eye', () => {
        this.confirming = undefined;
        void this.actions.call('reveal', { what });
      }),
      button(`btn-cancel-${what}`, 'Cancel', 'close', () => {
        this.confirming = undefined;
        if (this.state) this.render(this.state);
      }, { secondary: true }),
    );
  }

  private renderHistory(s: InstancePageState): void {
    this.history.setDescription(s.history.length ? plural(s.history.length, 'run') : 'no runs');
    this.history.body.set(JSON.stringify(s.history.map((r) => r.runId)), () => {
      if (!s.history.length) return [h('p', { class: 'muted' }, 'No runs yet.')];
      return [
        h(
          'table',
          { class: 'history' },
          h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'Verdict'), h('th', {}, 'Tests'), h('th', {}, 'Diff'), h('th', {}, 'Gold seen'), h('th', {}, 'Time'))),
          h(
            'tbody',
            {},
            ...s.history.map((r) => {
              const v = verdict(r);
              return h(
                'tr',
                {},
                h('td', {}, when(r.at)),
                h('td', { class: v.cls }, icon(v.icon), ` ${v.text}`),
                h('td', {}, countsLine(r) || '—'),
                h('td', {}, r.candidate ? `${plural(r.candidate.files.length, 'file')} +${r.candidate.added} −${r.candidate.removed}` : '—'),
                h('td', {}, r.goldSeen ? 'yes' : 'no'),
                h('td', {}, `${(r.durationMs / 1000).toFixed(1)} s`),
              );
            }),
          ),
        ),
      ];
    });
  }
}
