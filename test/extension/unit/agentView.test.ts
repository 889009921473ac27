/**
 * The agent view's pure parts in plain Node: the reducer both sides share, folding, the agent
 * protocol's validation and endpoints, a session read back from events, and the run figures.
 */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StampedEvent } from '../../../src/core/agent/events';
import { AgentSession } from '../../../src/extension/agent/agentSession';
import { describeStats, statsOf, statsTooltip } from '../../../src/extension/agent/agentStats';
import { toViewEvent } from '../../../src/extension/agentView/viewEvents';
import { applyAgentEvent, emptyAgentView, foldText, type AgentRunRow, type AgentViewEvent, type AgentViewState } from '../../../src/shared/agentView';
import { AGENT_PROTOCOL, AGENT_VIEW, parseMessage, type AgentEvents, type AgentRequests, type HostMessage, type WebviewMessage } from '../../../src/shared/protocol';
import { RpcClient } from '../../../src/shared/rpcClient';
import { RpcHost, type AgentHandlers } from '../../../src/shared/rpcHost';

type Payload = AgentViewEvent extends infer T ? (T extends unknown ? Omit<T, 'seq'> : never) : never;

function numbered(events: Payload[]): AgentViewEvent[] {
  return events.map((e, i) => ({ ...e, seq: i + 1 }) as AgentViewEvent);
}

const call = { id: 'c1', name: 'execute_bash', arguments: '{"command":"ls"}' };
const usage = { promptTokens: 100, completionTokens: 10 };
const EVENTS = numbered([
  { type: 'started', runId: 'r', index: 0, model: 'm', template: 'default', container: 'box', repoDir: '/testbed', system: foldText('sys'), firstUser: foldText('task'), at: '2026-01-01T00:00:00Z' },
  { type: 'human_step', step: 0, content: 'edited README by hand', files: ['README.md'] },
  { type: 'step_started', step: 1 },
  { type: 'request', step: 1, attempt: 0 },
  { type: 'delta', step: 1, content: 'Let me ' },
  { type: 'request', step: 1, attempt: 1 },
  { type: 'delta', step: 1, content: 'Let me ' },
  { type: 'delta', step: 1, content: 'look.', toolCalls: [{ index: 0, name: 'execute_bash', arguments: '{"comm' }] },
  { type: 'response', step: 1, content: 'Let me look.', toolCalls: [call], usage, finishReason: 'tool_calls', durationMs: 50 },
  { type: 'paused', step: 1, at: 'before_action', pendingAction: call },
  { type: 'action_edited', step: 1, before: call, after: { ...call, arguments: '{"command":"ls -a"}' } },
  { type: 'resumed', step: 1, mode: 'run' },
  { type: 'tool_call', step: 1, toolCall: { ...call, arguments: '{"command":"ls -a"}' } },
  { type: 'observation', step: 1, toolCallId: 'c1', name: 'execute_bash', error: false, exitCode: 0, durationMs: 20, commandMs: 5, ...foldText('OBSERVATION:\n.\n..') },
  { type: 'diff', step: 1, diff: { patch: '', clipped: false, stats: { files: [], added: 0, removed: 0 } } },
  { type: 'step_finished', step: 1, durationMs: 80, usage, costUsd: 0.5, totals: { promptTokens: 100, completionTokens: 10, costUsd: 0.5 } },
  { type: 'patch', stats: { files: [], added: 0, removed: 0 } },
  { type: 'rewarding' },
  { type: 'reward', reward: { status: 'empty_patch', resolved: false, rules: 'swe-gym', strictResolved: false, durationMs: 3 } },
  { type: 'finished', exitReason: 'finished', steps: 1, totals: { promptTokens: 100, completionTokens: 10, costUsd: 0.5 }, durationMs: 900, resolved: false },
]);

function build(events: AgentViewEvent[], from: AgentViewState = emptyAgentView('ro', 'i', 'dev', true)): AgentViewState {
  for (const e of events) applyAgentEvent(from, e);
  return from;
}

describe('agent view model', () => {
  it('builds a step from its events: a retry starts the answer over, the edit is recorded, the hand edit goes first', () => {
    const v = build(EVENTS);
    assert.equal(v.state, 'ended');
    assert.equal(v.preamble[0]?.files?.[0], 'README.md');
    const st = v.steps[0];
    assert.ok(st);
    assert.equal(st.thought, 'Let me look.');
    assert.equal(st.requests, 2);
    assert.deepEqual(st.streamingCalls, []);
    assert.equal(st.toolCalls[0]?.arguments, '{"command":"ls -a"}');
    assert.equal(st.toolCalls[0]?.editedFrom?.arguments, '{"command":"ls"}');
    assert.ok(st.notes.some((n) => n.kind === 'action_edited' && n.text.includes('{"command":"ls"}')));
    assert.equal(st.observations[0]?.exitCode, 0);
    assert.equal(st.phase, 'done');
    assert.equal(v.totals.costUsd, 0.5);
    assert.equal(v.reward?.status, 'empty_patch');
    assert.equal(v.rewarding, false);
  });

  it('streams: the thought grows by deltas until the answer replaces it', () => {
    const v = build(EVENTS.slice(0, 8));
    assert.equal(v.steps[0]?.thought, 'Let me look.');
    assert.deepEqual(v.steps[0]?.streamingCalls, [{ name: 'execute_bash', arguments: '{"comm' }]);
    assert.deepEqual(applyAgentEvent(v, { seq: 8.5, type: 'delta', step: 1, content: '!' }), { header: false, step: 1, appended: true });
  });

  it('a snapshot plus the later events (some delivered twice) equals the whole history, as the webview sees it', () => {
    const host = build(EVENTS);
    for (let cut = 0; cut <= EVENTS.length; cut++) {
      const snapshot = structuredClone(build(EVENTS.slice(0, cut)));
      const replayed = build([...EVENTS.slice(Math.max(0, cut - 3))], snapshot);
      assert.deepEqual(replayed, host, `snapshot after ${cut} events`);
    }
  });

  it('folds long text to its head and tail and says how much is left out', () => {
    assert.deepEqual(foldText('short', 10), { text: 'short', length: 5, folded: false });
    const f = foldText('a'.repeat(100) + 'b'.repeat(100), 40);
    assert.equal(f.folded, true);
    assert.equal(f.length, 200);
    assert.match(f.text, /^a{30}\n… 160 characters folded …\nb{10}$/);
  });
});

describe('agent protocol', () => {
  it('refuses malformed agent requests with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [{ type: 'request', id: 1, method: 'control', params: { rolloutId: 'r', action: 'format' } }, /unknown action format/],
      [{ type: 'request', id: 1, method: 'control', params: { action: 'pause' } }, /rolloutId/],
      [{ type: 'request', id: 1, method: 'fork', params: { rolloutId: 'r', step: -1 } }, /fork: step/],
      [{ type: 'request', id: 1, method: 'editAction', params: { rolloutId: 'r', name: '', arguments: '{}' } }, /tool name/],
      [{ type: 'request', id: 1, method: 'addNote', params: { rolloutId: 'r', content: '  ' } }, /non-empty/],
      // An observation is named by its step and id: ids repeat across steps (call_0 in every turn).
      [{ type: 'request', id: 1, method: 'getObservation', params: { rolloutId: 'r', toolCallId: 'call_0' } }, /getObservation: step/],
      [{ type: 'request', id: 1, method: 'reveal', params: { what: 'gold' } }, /unknown method reveal/],
    ];
    for (const [raw, reason] of bad) {
      const r = parseMessage(raw, AGENT_PROTOCOL);
      assert.ok(!r.ok && reason.test(r.reason), JSON.stringify([raw, r]));
    }
    assert.equal(parseMessage({ type: 'request', id: 3, method: 'control', params: { rolloutId: 'r', action: 'stepToAction' } }, AGENT_PROTOCOL).ok, true);
  });

  it('never queues live events for a view that is not ready; requests round-trip', async () => {
    const posted: HostMessage<AgentEvents>[] = [];
    const client: { c?: RpcClient<AgentRequests, AgentEvents> } = {};
    const handlers = { getObservation: async ({ toolCallId }: { toolCallId: string }) => ({ text: `full ${toolCallId}` }) } as unknown as AgentHandlers;
    const host = new RpcHost(
      AGENT_VIEW,
      (m) => {
        posted.push(m);
        setImmediate(() => client.c?.handle(structuredClone(m)));
      },
      handlers,
      () => undefined,
    );
    client.c = new RpcClient(AGENT_VIEW, (m: WebviewMessage<AgentRequests>) => setImmediate(() => void host.handle(structuredClone(m))));
    const event = { ...EVENTS[2], rolloutId: 'ro' } as AgentViewEvent & { rolloutId: string };
    assert.equal(host.emitIfReady('event', event), false);
    const seen: unknown[] = [];
    client.c.on('event', (e) => seen.push(e));
    client.c.ready();
    await new Promise((r) => setImmediate(r));
    assert.equal(posted.length, 0, 'the dropped event is not sent late');
    assert.equal(host.emitIfReady('event', event), true);
    assert.deepEqual(await client.c.request('getObservation', { rolloutId: 'ro', step: 1, toolCallId: 'c9' }), { text: 'full c9' });
    assert.deepEqual(seen, [event]);
  });
});

describe('agent session read back from its events', () => {
  const t = (seq: number) => ({ seq, time: '2026-01-01T00:00:00Z' });
  const core = [
    { ...t(1), type: 'rollout_started', rolloutId: 'ro', runId: 'r', instanceId: 'i', index: 2, model: 'm', template: 'default', image: 'img', container: 'box', repoDir: '/testbed', config: {}, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'task' }], tools: [] },
    { ...t(2), type: 'step_started', step: 1 },
    { ...t(3), type: 'model_request', step: 1, attempt: 0, request: { url: 'u', method: 'POST', headers: { authorization: '[redacted]' }, body: { model: 'm', messages: [] } } },
    { ...t(4), type: 'model_delta', step: 1, delta: { content: 'Hm' } },
    { ...t(5), type: 'model_delta', step: 1, delta: { content: 'm.' } },
    { ...t(6), type: 'model_response', step: 1, message: { role: 'assistant', content: 'Hmm.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'execute_bash', arguments: '{"command":"yes"}' } }] }, usage, finishReason: 'tool_calls', durationMs: 5 },
    { ...t(7), type: 'tool_call', step: 1, toolCall: { id: 'c1', type: 'function', function: { name: 'execute_bash', arguments: '{"command":"yes"}' } } },
    { ...t(8), type: 'observation', step: 1, toolCallId: 'c1', name: 'execute_bash', content: `OBSERVATION:\n${'y\n'.repeat(5000)}`, error: false, exitCode: 0, durationMs: 9, commandMs: 4 },
    { ...t(9), type: 'paused', step: 1, at: 'before_model' },
    { ...t(10), type: 'observation_edited', step: 1, toolCallId: 'c1', before: 'x', after: 'OBSERVATION:\nshortened by hand' },
  ] as StampedEvent[];

  it('rebuilds the view, folds the long observation, and serves the request and the observation on demand', () => {
    const s = AgentSession.recorded(core, { rolloutId: 'ro', instanceId: 'i', where: 'dev' }, false);
    const v = s.view;
    assert.equal(v.live, false);
    assert.equal(v.index, 2);
    assert.equal(v.steps[0]?.thought, 'Hmm.');
    assert.equal(v.steps[0]?.observations[0]?.edited, true);
    assert.equal(v.steps[0]?.observations[0]?.text, 'OBSERVATION:\nshortened by hand');
    assert.match(v.problem ?? '', /never finished/);
    // Nothing runs it any more: it is over (no card may look busy), as interrupted.
    assert.equal(v.state, 'ended');
    assert.equal(v.exit?.reason, 'interrupted');
    assert.ok(v.steps.every((x) => x.phase === 'done'));
    assert.equal(JSON.parse(s.requestJson(1).json).headers.authorization, '[redacted]');
    assert.equal(s.requestJson(1).elided, undefined, 'a request with its messages is not elided');
    assert.throws(() => s.requestJson(2), /sent no model request/);
    assert.equal(s.observationText(1, 'c1'), 'OBSERVATION:\nshortened by hand');
    assert.throws(() => s.control('resume'), /read from its trajectory file/);
    // Every view event has its own increasing number, deltas batched into one.
    const types: string[] = [];
    const s2 = AgentSession.recorded(core.slice(0, 8), { rolloutId: 'ro', instanceId: 'i', where: 'dev' }, true);
    s2.onView((e) => types.push(e.type));
    assert.match(s2.view.problem ?? '', /ends mid-event/);
    assert.equal(s2.view.steps[0]?.observations[0]?.folded, true);
    assert.equal(s2.view.lastSeq, 9, 'started, step, request, one delta batch, response, tool call, observation, problem, finished (interrupted)');
  });

  it('says when a request read back from a file has its conversation elided', () => {
    const elided = { ...t(3), type: 'model_request', step: 1, attempt: 0, request: { url: 'u', method: 'POST', headers: {}, body: { model: 'm', messages: { elided: 'the conversation up to this step (see the other events)', count: 7, last: { role: 'user', content: 'task' } } } } } as StampedEvent;
    const s = AgentSession.recorded([core[0] as StampedEvent, core[1] as StampedEvent, elided], { rolloutId: 'ro', instanceId: 'i', where: 'dev' }, false);
    assert.deepEqual(s.requestJson(1).elided, { messages: 7 });
    assert.equal(s.view.steps[0]?.phase, 'done');
  });

  it('leaves paused time out of an interrupted rollout\'s duration', () => {
    const at = (seq: number, sec: number) => ({ seq, time: new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString() });
    const events = [
      { ...at(1, 0), ...(core[0] as object) , seq: 1, time: new Date(Date.UTC(2026, 0, 1)).toISOString() },
      { ...at(2, 2), type: 'step_started', step: 1 },
      { ...at(3, 3), type: 'paused', step: 1, at: 'before_model' },
      { ...at(4, 33), type: 'resumed', step: 1, mode: 'run' },
      { ...at(5, 35), type: 'step_started', step: 2 },
    ] as StampedEvent[];
    const s = AgentSession.recorded(events, { rolloutId: 'ro', instanceId: 'i', where: 'dev' }, false);
    assert.equal(s.view.exit?.durationMs, 5000);
  });

  it('serves an observation by its step and id when the model reuses ids across steps (call_0 every turn)', () => {
    const call = (step: number) => ({ id: 'call_0', type: 'function', function: { name: 'execute_bash', arguments: `{"command":"echo ${step}"}` } });
    const stepEvents = (step: number, seq: number) => [
      { ...t(seq), type: 'step_started', step },
      { ...t(seq + 1), type: 'model_response', step, message: { role: 'assistant', content: null, tool_calls: [call(step)] }, usage, finishReason: 'tool_calls', durationMs: 1 },
      { ...t(seq + 2), type: 'tool_call', step, toolCall: call(step) },
      { ...t(seq + 3), type: 'observation', step, toolCallId: 'call_0', name: 'execute_bash', content: `OBSERVATION:\nstep ${step} ${'x'.repeat(5000)}`, error: false, exitCode: 0, durationMs: 1, commandMs: 1 },
    ];
    const s = AgentSession.recorded([core[0], ...stepEvents(1, 2), ...stepEvents(2, 6), ...stepEvents(3, 10)] as StampedEvent[], { rolloutId: 'ro', instanceId: 'i', where: 'dev' }, false);
    assert.deepEqual(s.view.steps.map((x) => x.observations.map((o) => [o.toolCallId, o.folded, o.text.slice(0, 19)])), [1, 2, 3].map((n) => [['call_0', true, `OBSERVATION:\nstep ${n}`]]));
    for (const n of [1, 2, 3]) assert.match(s.observationText(n, 'call_0'), new RegExp(`^OBSERVATION:\\nstep ${n} x{5000}$`));
    assert.throws(() => s.observationText(4, 'call_0'), /No observation call_0 at step 4/);
  });

  it('maps every core event the view shows', () => {
    for (const e of core) if (e.type !== 'model_delta') assert.ok(toViewEvent(e), e.type);
  });
});

describe('run figures', () => {
  const row = (resolved: boolean | null, extra: Partial<AgentRunRow> = { counted: true }): AgentRunRow => ({ rolloutId: String(Math.random()), runId: 'r', instanceId: 'i', index: 0, model: 'm', startedAt: '', state: 'ended', where: 'dev', steps: 1, promptTokens: 0, completionTokens: 0, costUsd: 0, resolved, ...extra });
  it('success rate and unbiased pass@k over the rewarded rollouts only', () => {
    const s = statsOf([row(true), row(false), row(false), row(null)]);
    assert.deepEqual([s.rollouts, s.rewarded, s.resolved], [4, 3, 1]);
    assert.ok(Math.abs(s.successRate - 1 / 3) < 1e-12);
    assert.ok(Math.abs((s.passAtK['2'] ?? 0) - 2 / 3) < 1e-12);
    assert.equal(s.passAtK['3'], 1);
    assert.equal(describeStats(s), 'agents 1/3');
    assert.match(statsTooltip(s) ?? '', /4 \(3 rewarded\), 1 resolved: success rate 33% · pass@1 33% · pass@3 100%/);
    assert.equal(describeStats(statsOf([row(null)])), undefined);
  });
  it('rollouts that started in a dev container away from the base commit are left out of the figures, and said to be', () => {
    const s = statsOf([row(true), row(false), row(true, { counted: false, startedClean: false }), row(true, {}), row(false, { where: 'own' })]);
    assert.deepEqual([s.rollouts, s.rewarded, s.notCounted, s.resolved], [5, 3, 2, 1]);
    assert.equal(describeStats(s), 'agents 1/3');
    assert.match(statsTooltip(s) ?? '', /success rate 33% .* 2 more left out: they started in a dev container that was not at the base commit\./);
  });
  it('errors of the run (the model never answered) are counted apart, never in the success rate or pass@k', () => {
    // Even a row graded before errors of the run existed (a 401 graded Resolved) stays out.
    const errors = [{ ...row(null), runError: 'The model server is unreachable' }, { ...row(true), runError: 'refused the request (401)' }];
    const s = statsOf([row(true), row(false), ...errors]);
    assert.deepEqual([s.rollouts, s.runErrors, s.rewarded, s.resolved, s.passAtK['1']], [4, 2, 2, 1, 0.5]);
    assert.equal(describeStats(s), 'agents 1/2');
    assert.match(statsTooltip(s) ?? '', /4 \(2 rewarded; 2 never reached the model \(errors of the run, not counted\)\), 1 resolved: success rate 50%/);
    assert.match(statsTooltip(statsOf(errors)) ?? '', /none rewarded yet; 2 never reached the model/);
  });
});
