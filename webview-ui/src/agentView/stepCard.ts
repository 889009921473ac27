import type { AgentNote, AgentObservationView, AgentStepView, AgentToolCallView, AgentViewState } from '../../../src/shared/agentView';
import type { AgentRequests } from '../../../src/shared/protocol';
import type { Call } from '../boot';
import { statsLine, unifiedDiff } from '../diffView';
import { h, icon, plural } from '../dom';
import { ansiNodes, stripAnsi } from './ansi';
import { describeCall, dollars, parseArgs, seconds, tokens } from './format';
import { jsonTree } from './jsonView';

export type AgentCall = Call<AgentRequests>;

export interface CardContext {
  view(): AgentViewState;
  call: AgentCall;
  /** What another view adds at the end of a step (the trajectory view: the step's replay verdict). */
  extra?(step: AgentStepView): HTMLElement | null;
}

const NOTE_ICONS: Record<AgentNote['kind'], string> = {
  auto_reply: 'comment',
  human_step: 'person',
  condensed: 'fold',
  retry: 'sync',
  replay_mismatch: 'diff',
  observation_edited: 'edit',
  action_edited: 'edit',
};

/** Long observations start closed; short ones are shown. */
const OPEN_BELOW = 1500;

function smallButton(label: string, codicon: string, onClick: () => void, title = label): HTMLElement {
  const b = h('vscode-button', { secondary: true, icon: codicon, title, class: 'small-button' });
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/** A borderless action-bar button, as VS Code's own view toolbars have. */
function toolButton(cls: string, label: string, codicon: string, onClick: () => void, title: string): HTMLElement {
  const b = h('vscode-toolbar-button', { class: cls, icon: codicon, label: title, title });
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * One step of the rollout. Re-rendered on its own when one of its events arrives; streamed text is
 * appended to the thought without touching the rest. What the user opened (request, observations,
 * diff) and any observation being edited survive a re-render.
 */
export class StepCard {
  readonly el: HTMLElement;
  private thought: HTMLElement | undefined;
  private streaming: HTMLElement | undefined;
  private readonly open = new Map<string, boolean>();
  private readonly full = new Map<string, string>();
  private readonly editing = new Map<string, string>();
  private request: { json: string; attempts: number; elided?: { messages: number } } | undefined;
  private requestError: string | undefined;

  constructor(
    readonly step: number,
    private readonly ctx: CardContext,
  ) {
    this.el = h('section', { class: 'step', id: `step-${step}`, 'aria-label': `Step ${step}` });
  }

  /** Appends streamed text (the rest of the card is left alone). */
  append(s: AgentStepView, content: string | undefined): void {
    if (!this.thought || !this.streaming) return this.render(s);
    if (content) {
      this.thought.hidden = false;
      this.thought.append(content);
    }
    this.renderStreamingCalls(s);
  }

  render(s: AgentStepView): void {
    const v = this.ctx.view();
    const busy = s.phase !== 'done' && v.state !== 'ended';
    const head = h(
      'div',
      { class: 'step-head' },
      h('span', { class: 'step-no' }, `Step ${s.step}`),
      s.byPerson ? h('span', { class: 'step-person muted', title: 'A person typed this command (the scaffold\'s human mode); no model answered this step' }, icon('person'), ' by a person') : null,
      busy ? icon(v.state === 'paused' ? 'debug-pause' : 'loading', v.state === 'paused' ? '' : 'codicon-modifier-spin') : null,
      h('span', { class: 'step-phase muted' }, busy ? (s.phase === 'model' ? (v.state === 'paused' ? 'paused' : 'thinking…') : v.state === 'paused' ? 'paused before the action' : 'running the action…') : ''),
      h('span', { class: 'figures muted', title: 'Step time · prompt → completion tokens · cost' }, [seconds(s.durationMs ?? s.modelMs), tokens(s.usage), s.costUsd ? dollars(s.costUsd) : ''].filter(Boolean).join(' · ')),
      h('span', { class: 'spacer' }),
      s.requests > 0 ? toolButton('btn-request', this.open.get('request') ? 'Hide request' : 'Request', 'json', () => void this.toggleRequest(s), v.live ? 'The exact request sent to the model for this step' : 'The request sent for this step, as its trajectory file keeps it (the conversation it repeated is elided there)') : null,
      v.live || v.exit ? toolButton('btn-fork', 'Fork', 'repo-forked', () => void this.ctx.call('fork', { rolloutId: v.rolloutId, step: s.step }), `Fork from step ${s.step}: a new rollout in a fresh container replays steps 1–${s.step}, then the model goes on (it pauses there first)`) : null,
    );
    this.thought = h('div', { class: 'thought', hidden: !s.thought }, s.thought);
    this.streaming = h('div', { class: 'streaming-calls' });
    this.renderStreamingCalls(s);
    const body: (HTMLElement | null)[] = [head, this.requestBlock(), s.reasoning ? this.reasoningBlock(s.reasoning) : null, this.thought, this.streaming];
    for (const call of s.toolCalls) {
      body.push(this.callBlock(call, v));
      for (const o of s.observations.filter((x) => x.toolCallId === call.id)) body.push(this.observationBlock(o, s, v));
    }
    for (const n of s.notes) body.push(noteBlock(n));
    if (s.diff) body.push(this.diffBlock(s));
    body.push(this.ctx.extra?.(s) ?? null);
    // The step the rollout ended in without an answer: say why, here where the person looks.
    const unanswered = v.exit && s.phase === 'done' && s.durationMs === undefined && !s.toolCalls.length && !s.thought && v.steps.at(-1)?.step === s.step;
    if (unanswered && v.exit) body.push(h('div', { class: `no-answer${v.exit.runError ? ' error' : ''}`, role: v.exit.runError ? 'alert' : undefined }, icon(v.exit.runError ? 'error' : 'circle-slash'), ` No answer: ${v.exit.message ?? v.exit.reason}`));
    this.el.classList.toggle('active', busy);
    this.el.replaceChildren(...body.filter((x): x is HTMLElement => x !== null));
  }

  private renderStreamingCalls(s: AgentStepView): void {
    if (!this.streaming) return;
    this.streaming.replaceChildren(
      ...s.streamingCalls.filter(Boolean).map((c) => h('div', { class: 'action streaming' }, icon('tools'), ' ', h('span', { class: 'tool-name' }, c.name || '…'), ' ', h('code', {}, c.arguments.slice(-400)))),
    );
  }

  private requestBlock(): HTMLElement | null {
    if (!this.open.get('request')) return null;
    if (this.requestError) return h('div', { class: 'request-view error' }, this.requestError);
    if (!this.request) return h('div', { class: 'request-view muted' }, 'Loading the request…');
    let value: unknown;
    try {
      value = JSON.parse(this.request.json);
    } catch {
      value = this.request.json;
    }
    const json = this.request.json;
    const attempts = this.request.attempts > 1 ? ` (attempt ${this.request.attempts}; earlier ones failed)` : '';
    const elided = this.request.elided;
    // A file keeps each request without the conversation it repeated: never offer that as "the request sent".
    const caption = elided
      ? h(
          'span',
          { class: 'small request-elided', role: 'note' },
          icon('info'),
          ` Not the whole request: read back from the trajectory file, which keeps the conversation once. The ${plural(elided.messages, 'message')} this request sent ${elided.messages === 1 ? 'is' : 'are'} elided (only the last is shown; the steps above hold the rest). Everything else is as sent${attempts}; credentials redacted.`,
        )
      : h('span', { class: 'muted small' }, `Sent to the model${attempts}; credentials redacted.`);
    return h(
      'div',
      { class: 'request-view' },
      h('div', { class: 'row' }, caption, smallButton(elided ? 'Copy elided JSON' : 'Copy JSON', 'copy', () => void navigator.clipboard?.writeText(json), elided ? 'Copy this JSON: the request with its conversation elided, not the request as sent' : 'Copy the request as sent')),
      jsonTree(value, undefined, 2),
    );
  }

  private async toggleRequest(s: AgentStepView): Promise<void> {
    const opening = !this.open.get('request');
    this.open.set('request', opening);
    if (opening && !this.request) {
      this.render(s);
      try {
        const r = await this.ctx.call('getRequest', { rolloutId: this.ctx.view().rolloutId, step: s.step });
        if (r) this.request = r;
        else this.requestError = 'The request could not be loaded.';
      } catch (err) {
        this.requestError = err instanceof Error ? err.message : String(err);
      }
    }
    this.render(this.current(s));
  }

  private current(fallback: AgentStepView): AgentStepView {
    return this.ctx.view().steps.find((x) => x.step === this.step) ?? fallback;
  }

  private reasoningBlock(text: string): HTMLElement {
    return this.details('reasoning', false, h('summary', {}, icon('lightbulb'), ' Reasoning'), h('div', { class: 'thought muted' }, text));
  }

  private callBlock(c: AgentToolCallView, v: AgentViewState): HTMLElement {
    const args = parseArgs(c.arguments);
    const fields = args ? Object.entries(args).filter(([k]) => !(c.name === 'execute_bash' && k === 'command') && k !== 'path' && !(c.name === 'str_replace_editor' && k === 'command')) : [];
    const extra = fields.length || !args;
    const summary = h(
      'div',
      { class: 'action' },
      icon(c.name === 'finish' ? 'pass' : c.name === 'execute_bash' ? 'terminal' : c.name === 'str_replace_editor' ? 'edit' : 'tools'),
      ' ',
      h('span', { class: 'tool-name' }, c.name),
      ' ',
      h('code', { class: 'call-summary' }, describeCall(c, v.repoDir)),
      c.editedFrom ? h('span', { class: 'badge-edited', title: `Was: ${c.editedFrom.name} ${c.editedFrom.arguments}` }, icon('person'), ' edited') : null,
    );
    if (!extra) return summary;
    return this.details(
      `call:${c.id}`,
      false,
      h('summary', { class: 'call' }, summary),
      h('div', { class: 'call-args' }, ...(args ? fields.map(([k, val]) => h('div', {}, h('div', { class: 'arg-name muted small' }, k), h('pre', { class: 'arg-value' }, typeof val === 'string' ? val : JSON.stringify(val, null, 2)))) : [h('pre', { class: 'arg-value' }, c.arguments)])),
    );
  }

  private observationBlock(o: AgentObservationView, s: AgentStepView, v: AgentViewState): HTMLElement {
    const key = `obs:${o.toolCallId}`;
    const editable = v.live && !v.external && v.state === 'paused' && v.pausedAt === 'before_model' && s.step === v.step;
    const text = this.full.get(o.toolCallId) ?? o.text;
    // Imported runs record no timings (0): say nothing rather than "0 ms".
    const status = [o.error ? 'error' : o.exitCode !== undefined ? `exit ${o.exitCode}` : '', v.live || o.durationMs ? seconds(o.durationMs) : '', o.folded && !this.full.has(o.toolCallId) ? `${plural(o.length, 'character')}, folded` : '', o.edited ? 'edited by hand' : ''].filter(Boolean).join(' · ');
    const firstLine = stripAnsi(text).replace(/^OBSERVATION:\n/, '').split('\n').find((l) => l.trim()) ?? '';
    const summary = h('summary', { class: `obs-summary${o.error ? ' error' : ''}` }, icon(o.error ? 'error' : 'output'), ' Observation ', h('span', { class: 'muted small' }, status), h('span', { class: 'obs-first muted' }, ` ${firstLine.slice(0, 120)}`));
    const editingValue = this.editing.get(o.toolCallId);
    let content: HTMLElement;
    if (editingValue !== undefined && editable) {
      const area = h('textarea', { class: 'editor', rows: 12, 'aria-label': 'Observation text', spellcheck: 'false' });
      area.value = editingValue;
      area.addEventListener('input', () => this.editing.set(o.toolCallId, area.value));
      content = h(
        'div',
        { class: 'obs-edit' },
        area,
        h(
          'div',
          { class: 'row' },
          smallButton('Save observation', 'save', () => {
            void this.ctx.call('editObservation', { rolloutId: v.rolloutId, toolCallId: o.toolCallId, content: area.value }).then(() => {
              this.editing.delete(o.toolCallId);
              this.full.delete(o.toolCallId);
              this.render(this.current(s));
            });
          }),
          smallButton('Cancel', 'close', () => {
            this.editing.delete(o.toolCallId);
            this.render(this.current(s));
          }),
        ),
      );
    } else {
      content = h(
        'div',
        {},
        h('pre', { class: `observation${o.error ? ' error' : ''}`, tabindex: 0 }, ...ansiNodes(text)),
        h(
          'div',
          { class: 'row obs-actions' },
          o.folded && !this.full.has(o.toolCallId) ? smallButton(`Show all ${plural(o.length, 'character')}`, 'unfold', () => void this.loadFull(o, s)) : null,
          editable ? smallButton('Edit before the model sees it', 'edit', () => void this.startEdit(o, s)) : null,
        ),
      );
    }
    return this.details(key, !o.folded && o.length < OPEN_BELOW, summary, content, `obs${o.error ? ' error' : ''}`);
  }

  private async loadFull(o: AgentObservationView, s: AgentStepView): Promise<void> {
    const r = await this.ctx.call('getObservation', { rolloutId: this.ctx.view().rolloutId, step: this.step, toolCallId: o.toolCallId });
    if (r) this.full.set(o.toolCallId, r.text);
    this.open.set(`obs:${o.toolCallId}`, true);
    this.render(this.current(s));
  }

  private async startEdit(o: AgentObservationView, s: AgentStepView): Promise<void> {
    const r = await this.ctx.call('getObservation', { rolloutId: this.ctx.view().rolloutId, step: this.step, toolCallId: o.toolCallId });
    this.editing.set(o.toolCallId, r?.text ?? o.text);
    this.open.set(`obs:${o.toolCallId}`, true);
    this.render(this.current(s));
  }

  private diffBlock(s: AgentStepView): HTMLElement {
    const d = s.diff;
    if (!d) return h('div');
    const empty = !d.patch.trim();
    return this.details(
      'diff',
      false,
      h('summary', {}, icon('diff'), ' Workspace after this step: ', empty ? h('span', { class: 'muted' }, 'no changes against the base commit') : statsLine(d.stats)),
      empty ? h('div') : h('div', {}, unifiedDiff(d.patch, 2000), d.clipped ? h('p', { class: 'muted small' }, 'The diff is clipped here; Show diff opens all of it.') : null),
      'diff-block',
    );
  }

  /** A <details> whose open state the user controls and a re-render keeps. */
  private details(key: string, defaultOpen: boolean, summary: HTMLElement, content: HTMLElement, cls = ''): HTMLElement {
    const d = h('details', { class: cls }, summary, content);
    d.open = this.open.get(key) ?? defaultOpen;
    d.addEventListener('toggle', () => this.open.set(key, d.open));
    return d;
  }
}

export function noteBlock(n: AgentNote): HTMLElement {
  const title = n.fromSource
    ? { human_step: 'From the source rollout: a person, while paused', observation_edited: 'Edited in the source rollout' }[n.kind as 'human_step' | 'observation_edited'] ?? 'From the source rollout'
    : { auto_reply: 'Automatic reply', human_step: 'You, while paused', condensed: 'Context condensed', retry: 'Retry', replay_mismatch: 'Differs from the recording', observation_edited: 'Edited', action_edited: 'Edited' }[n.kind];
  return h(
    'div',
    { class: `note note-${n.kind}` },
    icon(NOTE_ICONS[n.kind]),
    h('div', {}, h('div', { class: 'note-title' }, title, n.files?.length ? h('span', { class: 'muted small' }, ` — ${n.files.join(', ')}`) : null), n.kind === 'human_step' || n.kind === 'auto_reply' ? h('pre', { class: 'note-text' }, n.text) : h('span', {}, n.text)),
  );
}
