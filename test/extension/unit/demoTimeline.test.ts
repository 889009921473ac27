/**
 * What the demonstration panel shows of a recording, from its log: steps with their notes as they
 * stand (a later change to a step's note wins, '' removes it; the closed trajectory agrees),
 * actions in a few words, and a command's output without the released format's frame.
 * Plain Node, on log events as the recorder writes them.
 */
import * as assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StampedDemoEvent } from '../../../src/core/demo/demoEvents';
import { closedDemonstration } from '../../../src/core/demo/demoTrajectory';
import { actionLabel, commandOutput, timeline } from '../../../src/extension/demo/demoTimeline';

const SED = "sed -i 's/x marks/y marks/' notes.txt && cat notes.txt";
const SED_OBS = `OBSERVATION:\n${SED}\r\ny marks[Python Interpreter: /usr/local/bin/python]\nroot@openhands-workspace:/testbed # \n[Command finished with exit code 0]`;

let seq = 0;
const at = (e: Record<string, unknown>) => ({ ...e, seq: seq++, time: new Date(1_700_000_000_000 + seq * 1000).toISOString() }) as unknown as StampedDemoEvent;
const events: StampedDemoEvent[] = [
  at({ type: 'demo_started', demoId: 'demo-abc', runId: 'r', instanceId: 'x__y-1', index: 0, baseCommit: 'b', repoDir: '/testbed', template: 't', promptHost: 'h', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], tools: [], config: {} }),
  at({ type: 'demo_note', text: 'First thought.' }),
  at({ type: 'demo_step', step: 1, source: 'save', note: 'First thought.', actions: [{ id: 'c1', name: 'str_replace_editor', arguments: JSON.stringify({ command: 'str_replace', path: '/testbed/pkg/a.py', old_str: 'a', new_str: 'b' }), observation: 'OBSERVATION:\nThe file /testbed/pkg/a.py has been edited.' }], files: {}, activeMs: 1000, cwd: '/testbed' }),
  at({ type: 'demo_step', step: 2, source: 'terminal', actions: [{ id: 'c2', name: 'execute_bash', arguments: JSON.stringify({ command: SED }), observation: SED_OBS, exitCode: 0 }], files: {}, activeMs: 2000, cwd: '/testbed' }),
  at({ type: 'demo_step_note', step: 2, text: 'Second thought, added later.' }),
  at({ type: 'demo_step_note', step: 1, text: '' }),
  at({ type: 'demo_test_run', activeMs: 2500, status: 'resolved', resolved: true }),
  at({ type: 'demo_paused', activeMs: 2600 }),
];

it('the timeline applies later note changes and keeps the log order', () => {
  const items = timeline(events, '/testbed');
  assert.deepEqual(items.map((i) => i.kind), ['step', 'step', 'test_run', 'pause']);
  const [s1, s2] = items;
  assert.ok(s1?.kind === 'step' && s2?.kind === 'step');
  assert.equal(s1.note, undefined);
  assert.equal(s2.note, 'Second thought, added later.');
  assert.equal(s1.actions[0]?.label, 'str_replace pkg/a.py');
  assert.equal(s2.actions[0]?.label, SED);
  assert.equal(s2.actions[0]?.observation, 'y marks');
});

it('the closed trajectory carries the notes as they stand', () => {
  const t = closedDemonstration(events, { idleGaps: [], eventsFile: 'x.jsonl' });
  const turns = t.messages.filter((m) => m.role === 'assistant');
  assert.deepEqual(turns.map((m) => m.content), [null, 'Second thought, added later.', null]);
});

it('a command’s output loses the echoed command, the interpreter, the prompt and the exit code', () => {
  assert.equal(commandOutput({ arguments: JSON.stringify({ command: 'true' }), observation: 'OBSERVATION:\ntrue\r\n[Python Interpreter: /p]\nroot@h:/testbed # \n[Command finished with exit code 0]' }), '(no output)');
  assert.equal(commandOutput({ arguments: JSON.stringify({ command: 'ls' }), observation: 'OBSERVATION:\nls\r\na\r\nb\n\n[Command finished with exit code 0]' }), 'a\nb');
  assert.equal(actionLabel({ name: 'execute_bash', arguments: JSON.stringify({ command: 'echo a\necho b' }) }, '/testbed'), 'echo a …');
});
