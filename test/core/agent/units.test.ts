// The agent's pure parts: text tool calls, templates, retry timing, pass@k, clipping, condensation,
// the event stream and the trajectory reader. No container needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { costOf, priceFor, spentBudget } from '../../../src/core/agent/budget';
import type { ChatMessage } from '../../../src/core/agent/chatTypes';
import { chooseCondensation, viewForModel } from '../../../src/core/agent/condense';
import { RolloutEventStream, type StampedEvent } from '../../../src/core/agent/events';
import { parseRetryAfter, retryDelayMs } from '../../../src/core/agent/model/retryPolicy';
import { parseTextToolCalls, renderToolCallText, toTextMessages } from '../../../src/core/agent/model/textToolCalls';
import { passAtKEstimate } from '../../../src/core/agent/runRollouts';
import { renderOpening } from '../../../src/core/agent/templates/agentTemplate';
import { mapPaths, templateFromSweGymRow } from '../../../src/core/agent/templates/sweGymPreset';
import { OutputWindow } from '../../../src/core/agent/tools/clip';
import { expandTabs, makeOutput } from '../../../src/core/agent/tools/fileEditor';
import { DEFAULT_TOOLS } from '../../../src/core/agent/tools/toolSchemas';
import { readTrajectoryEvents } from '../../../src/core/trajectory/readTrajectory';
import type { TaskInstance } from '../../../src/core/dataset/taskInstance';

const FIXTURE = path.join(__dirname, '../../../../test/fixtures/trajectories/textkit-12.openhands-layout.row.json');

test('text tool calls: rendered as <function=...> text and parsed back with schema types', () => {
  const call = { id: 'c1', type: 'function' as const, function: { name: 'str_replace_editor', arguments: JSON.stringify({ command: 'view', path: '/testbed/a.py', view_range: [3, -1] }) } };
  const text = renderToolCallText(call);
  assert.equal(text, '<function=str_replace_editor>\n<parameter=command>view</parameter>\n<parameter=path>/testbed/a.py</parameter>\n<parameter=view_range>[3, -1]</parameter>\n</function>');
  const parsed = parseTextToolCalls(`I will look at it.\n\n${text}`, DEFAULT_TOOLS, 'id_');
  assert.equal(parsed.content, 'I will look at it.');
  assert.deepEqual(JSON.parse(parsed.toolCalls[0]?.function.arguments ?? ''), { command: 'view', path: '/testbed/a.py', view_range: [3, -1] });
  // A reply cut at the stop sequence (no closing tag) still yields the call; integers are typed.
  const cut = parseTextToolCalls('<function=str_replace_editor>\n<parameter=command>insert</parameter>\n<parameter=insert_line>7</parameter>\n<parameter=new_str>  x = 1\n</parameter>\n', DEFAULT_TOOLS, 'id_');
  assert.deepEqual(JSON.parse(cut.toolCalls[0]?.function.arguments ?? ''), { command: 'insert', insert_line: 7, new_str: '  x = 1\n' });
  assert.deepEqual(parseTextToolCalls('just thinking', DEFAULT_TOOLS, 'id_'), { content: 'just thinking', toolCalls: [] });
});

test('text mode conversation: tools described in the system message, results as EXECUTION RESULT user turns', () => {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'sys' },
    { role: 'user', content: 'task' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'execute_bash', arguments: '{"command":"ls"}' } }] },
    { role: 'tool', content: 'OBSERVATION:\nfile', tool_call_id: 'a', name: 'execute_bash' },
  ];
  const text = toTextMessages(messages, DEFAULT_TOOLS);
  assert.match(text[0]?.content ?? '', /^sys\n\nYou have access to the following functions:[\s\S]*BEGIN FUNCTION #1: execute_bash/);
  assert.deepEqual(text[2], { role: 'assistant', content: '<function=execute_bash>\n<parameter=command>ls</parameter>\n</function>' });
  assert.deepEqual(text[3], { role: 'user', content: 'EXECUTION RESULT of [execute_bash]:\nOBSERVATION:\nfile' });
});

test('a preset imported from a SWE-Gym row keeps its prompts and tools and serves another instance at /testbed', async () => {
  const row = JSON.parse(await fs.readFile(FIXTURE, 'utf8'));
  const t = templateFromSweGymRow(row);
  assert.deepEqual(t.tools, row.tools);
  assert.equal(t.system, row.messages[0].content);
  const other = { instance_id: 'x__y-1', repo: 'x/y', version: '1.0', base_commit: 'abc', problem_statement: 'Fix {{repo_dir}} handling: it breaks.' } as TaskInstance;
  const opening = renderOpening(t, other, '/testbed');
  assert.match(opening.firstUser, /<uploaded_files>\n\/testbed\n<\/uploaded_files>/);
  assert.match(opening.firstUser, /<pr_description>\nFix \{\{repo_dir\}\} handling: it breaks.\n<\/pr_description>/, 'the issue text is inserted once, never substituted again');
  assert.doesNotMatch(opening.firstUser, /workspace|CJK/);
  assert.throws(() => templateFromSweGymRow({ messages: [], tools: [] }), /at least a system and a first user message/);
  assert.equal(mapPaths('cd /workspace/a__b__1 && ls /workspace/a__b__1/x', [{ from: '/workspace/a__b__1', to: '/testbed' }]), 'cd /testbed && ls /testbed/x');
});

test('retry timing honours Retry-After (seconds, milliseconds, HTTP date) and backs off otherwise', () => {
  const policy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': '2' })), 2000);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' })), 150);
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
  assert.equal(parseRetryAfter(new Headers({})), undefined);
  assert.equal(retryDelayMs(policy, 0, 2000), 2000);
  assert.equal(retryDelayMs(policy, 0, 600_000), 60_000, 'capped');
  const d3 = retryDelayMs(policy, 3, undefined);
  assert.ok(d3 >= 6000 && d3 <= 10_000, `exponential with jitter, capped: ${d3}`);
});

test('pass@k is the unbiased estimate', () => {
  assert.equal(passAtKEstimate(4, 0, 1), 0);
  assert.equal(passAtKEstimate(4, 1, 1), 0.25);
  assert.ok(Math.abs(passAtKEstimate(4, 1, 2) - 0.5) < 1e-12);
  assert.equal(passAtKEstimate(4, 3, 2), 1);
});

test('cat -n numbering, tab expansion and the output window that keeps start and end', () => {
  assert.equal(makeOutput('a\n\tb', '/f', 9), "Here's the result of running `cat -n` on /f:\n     9\ta\n    10\t        b\n");
  assert.equal(expandTabs('ab\tc\n\td'), 'ab      c\n        d');
  const w = new OutputWindow(10, 10, 5);
  for (let i = 0; i < 1000; i++) w.push('0123456789');
  w.push('END');
  const { text, omitted } = w.text();
  assert.ok(text.startsWith('0123456789\r\n<response clipped>'));
  assert.ok(text.endsWith('3456789END'));
  assert.equal(omitted, 10_003 - 20);
  assert.equal(w.recent(3), 'END');
});

test('condensation replaces the oldest long observations, keeps the newest, and is reversible from the record', () => {
  const big = `OBSERVATION:\n${'x'.repeat(5000)}`;
  const messages: ChatMessage[] = [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }];
  for (let i = 0; i < 5; i++) {
    messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'execute_bash', arguments: '{}' } }] });
    messages.push({ role: 'tool', content: big, tool_call_id: `c${i}`, name: 'execute_bash' });
  }
  const condensed = new Set<number>();
  const c = chooseCondensation(messages, condensed, 2);
  assert.deepEqual(c.indexes, [3, 5, 7]);
  assert.equal(c.removedChars, 3 * big.length);
  const view = viewForModel(messages, condensed);
  assert.match(view[3]?.content ?? '', /^OBSERVATION:\n\[This output \(5013 characters\) was removed/);
  assert.equal(view[11]?.content, big);
  assert.equal(messages[3]?.content, big, 'the conversation itself keeps the full text');
});

test('the event stream replays history to late subscribers, never the streamed deltas, and survives a failing listener', () => {
  const s = new RolloutEventStream();
  s.subscribe(() => {
    throw new Error('bad view');
  });
  s.emit({ type: 'step_started', step: 1 });
  s.emit({ type: 'model_delta', step: 1, delta: { content: 'he' } });
  s.emit({ type: 'auto_reply', step: 1, content: 'go on' });
  const seen: StampedEvent[] = [];
  s.subscribe((e) => seen.push(e));
  assert.deepEqual(
    seen.map((e) => [e.seq, e.type]),
    [
      [1, 'step_started'],
      [3, 'auto_reply'],
    ],
  );
  // Old requests lose their (repeated) conversation in the history, never for live subscribers.
  for (let step = 1; step <= 3; step++) {
    s.emit({ type: 'model_request', step, attempt: 0, request: { url: 'u', method: 'POST', headers: {}, body: { model: 'm', messages: Array.from({ length: step }, (_, i) => ({ role: 'user', content: `m${i}` })) } } });
  }
  const bodies = s.history().flatMap((e) => (e.type === 'model_request' ? [e.request.body as { messages: unknown }] : []));
  assert.deepEqual(bodies[0]?.messages, { elided: 'the conversation up to this step (see the other events)', count: 1, last: { role: 'user', content: 'm0' } });
  assert.equal((bodies[2]?.messages as unknown[]).length, 3);
  const live = seen.filter((e) => e.type === 'model_request');
  assert.ok(live.every((e) => e.type === 'model_request' && Array.isArray((e.request.body as { messages: unknown }).messages)));
});

test('a trajectory log cut mid-line parses up to the last whole event; damage elsewhere is an error', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'swe-gym-traj-'));
  try {
    const f = path.join(dir, 'a.jsonl');
    await fs.writeFile(f, '{"type":"step_started","step":1}\n{"type":"step_finished","step":1}\n{"type":"step_sta');
    const r = await readTrajectoryEvents(f);
    assert.equal(r.truncated, true);
    assert.deepEqual(
      r.events.map((e) => e.type),
      ['step_started', 'step_finished'],
    );
    await fs.writeFile(f, '{"type":"x"}\n{oops\n{"type":"y"}\n');
    await assert.rejects(readTrajectoryEvents(f), /line 2 is not valid JSON/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('budgets: steps, tokens, cost with per-model prices (longest prefix), wall time', () => {
  const prices = { 'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 }, 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } };
  assert.equal(priceFor('gpt-4o-mini-2024-07-18', prices), prices['gpt-4o-mini']);
  assert.equal(priceFor('gpt-4o-2024-08-06', prices), prices['gpt-4o']);
  assert.equal(priceFor('llama', prices), undefined);
  assert.equal(costOf({ promptTokens: 1_000_000, completionTokens: 100_000 }, prices['gpt-4o']), 3.5);
  const totals = { promptTokens: 900, completionTokens: 200, costUsd: 0.02 };
  assert.equal(spentBudget({ maxSteps: 10 }, 3, totals, 0), undefined);
  assert.equal(spentBudget({}, 50, totals, 0)?.reason, 'max_steps', 'default budget of 50 steps');
  assert.equal(spentBudget({ maxSteps: 10, maxTotalTokens: 1000 }, 3, totals, 0)?.reason, 'max_tokens');
  assert.equal(spentBudget({ maxSteps: 10, maxCostUsd: 0.01 }, 3, totals, 0)?.message, 'The cost budget of $0.01 is spent ($0.0200 used).');
  assert.equal(spentBudget({ maxSteps: 10, maxWallMs: 5000 }, 3, totals, 6000)?.reason, 'max_time');
});
