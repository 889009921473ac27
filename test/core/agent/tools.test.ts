// execute_bash and str_replace_editor in a real container of a sample task, observation by
// observation against the format of SWE-Gym's rollouts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BashSession } from '../../../src/core/agent/tools/bashSession';
import { containerFiles, type EditorFiles } from '../../../src/core/agent/tools/containerFiles';
import { ControlShell } from '../../../src/core/agent/tools/controlShell';
import { FileEditor } from '../../../src/core/agent/tools/fileEditor';
import { ensureImage } from '../../../src/core/images/ensureImage';
import type { ContainerHandle } from '../../../src/core/runtime/containerRuntime';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

let container: ContainerHandle;
let control: ControlShell;
let files: EditorFiles;

before(async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(inst);
  const { image } = await ensureImage(runtime, (await sampleSpec(inst)).image);
  container = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION });
  control = await ControlShell.start(container);
  files = containerFiles(control);
});

after(async () => {
  await control?.close();
  await container?.remove();
});

const bash = (o: Partial<Parameters<typeof BashSession.start>[1]> = {}) => BashSession.start(container, { writeFile: (p, s) => files.write(p, s), ...o });
// The interpreter glued to the output's last character, then the prompt on its own line.
const PROMPT = '[Python Interpreter: /usr/local/bin/python]\nroot@openhands-workspace:';

test('execute_bash observations: echoed command, pty line ends, interpreter line, prompt, exit code; state carries over', async () => {
  const b = await bash();
  try {
    const ls = await b.run('ls');
    assert.equal(ls.text, `ls\r\nCHANGELOG.md  LICENSE  README.md  pyproject.toml  tests  textkit${PROMPT}/testbed # \n[Command finished with exit code 0]`);
    await b.run('cd textkit && export GREETING="hi there"');
    const r = await b.run('echo "$GREETING"; pwd; false');
    assert.equal(r.text, `echo "$GREETING"; pwd; false\r\nhi there\r\n/testbed/textkit${PROMPT}/testbed/textkit # \n[Command finished with exit code 1]`);
    assert.equal(r.exitCode, 1);
    assert.equal(b.cwd, '/testbed/textkit');
    // Multi-line commands (a heredoc) run as typed, in the same shell.
    const heredoc = await b.run("cat > /tmp/x.txt <<'EOF'\n$GREETING stays literal\nEOF\ncat /tmp/x.txt; echo \"$GREETING\"");
    assert.match(heredoc.text, /\r\n\$GREETING stays literal\r\nhi there\[Python Interpreter/);
    // A shell that exits is replaced, and the model is told.
    const gone = await b.run('exit 3');
    assert.equal(gone.state, 'restarted');
    assert.match(gone.text, /The shell exited\. A new shell was started in \/testbed/);
    assert.match((await b.run('pwd')).text, /^pwd\r\n\/testbed\[Python/);
  } finally {
    await b.close();
  }
});

test('a running command: exit code -1 when silent, input goes to its stdin, empty polls, ctrl+c interrupts', async () => {
  const b = await bash({ noOutputTimeoutMs: 600 });
  try {
    const waiting = await b.run('python3 -c "print(\'ready\', flush=True); print(\'got\', input())"');
    assert.equal(waiting.exitCode, -1);
    assert.match(waiting.text, /^python3 -c .*\r\nready\r\n\[The command is still running: no new output for 0\.6 s\.[^\n]*\]\n\[Command finished with exit code -1\]$/);
    const fed = await b.run('hello');
    assert.equal(fed.exitCode, 0);
    assert.match(fed.text, /^hello\r\ngot hello\[Python Interpreter/);
    const idle = await b.run('');
    assert.equal(idle.error, 'No previous running command to retrieve logs from.');
    assert.equal((await b.run('sleep 30')).exitCode, -1);
    assert.equal((await b.run('')).exitCode, -1, 'an empty command waits for more output');
    const t = Date.now();
    const stopped = await b.run('ctrl+c');
    assert.ok(Date.now() - t < 1500);
    assert.equal(stopped.exitCode, 130);
    assert.match(stopped.text, /^ctrl\+c\r\n[\s\S]*\[SIGINT was sent to interrupt the command\.\]\[Python Interpreter/);
  } finally {
    await b.close();
  }
});

test('a command past the time limit gets SIGINT and a timed-out observation; the session stays usable', async () => {
  const b = await bash({ timeoutMs: 1000, noOutputTimeoutMs: 60_000, interruptGraceMs: 400 });
  try {
    const t = Date.now();
    const r = await b.run('echo start; sleep 100');
    assert.ok(Date.now() - t < 4000, `interrupted soon after the limit (${Date.now() - t} ms)`);
    assert.equal(r.state, 'timed_out');
    assert.equal(r.exitCode, 130);
    assert.match(r.text, /^echo start; sleep 100\r\nstart\r\n[\s\S]*\[Command timed out after 1 seconds\. SIGINT was sent to interrupt the command\.\]\[Python Interpreter[^\n]*\n[^\n]*# \n\[Command finished with exit code 130\]$/);
    // A process that ignores SIGINT is killed.
    const stubborn = await b.run(`python3 -c "import signal,time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(100)"`);
    assert.match(stubborn.text, /SIGINT was sent to interrupt the command, but failed\. The command was killed\./);
    assert.match((await b.run('echo still here')).text, /\r\nstill here\[Python/);
  } finally {
    await b.close();
  }
});

test('10 MB of output is clipped in the middle with <response clipped>, start and end kept', async () => {
  const b = await bash();
  try {
    const t = Date.now();
    const r = await b.run(`python3 -c "import sys; sys.stdout.write('BEGIN' + 'y' * 10_000_000 + 'END')"`);
    assert.equal(r.exitCode, 0);
    assert.ok(r.clipped);
    assert.ok(r.text.length < 31_000, `observation length ${r.text.length}`);
    assert.match(r.text, /\r\nBEGINyyy/);
    assert.match(r.text, /<response clipped><NOTE>\d+ characters of output were left out here\./);
    assert.match(r.text, /yyyEND\[Python Interpreter/);
    assert.ok(Date.now() - t < 15_000);
  } finally {
    await b.close();
  }
});

test('str_replace_editor: views, ranges and their errors, directory listing', async () => {
  const ed = new FileEditor(files, { baseDir: () => '/testbed' });
  const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
  await files.write('/tmp/ed/view.txt', `${lines}\n`);
  assert.equal(await ed.run({ command: 'view', path: '/tmp/ed/view.txt', view_range: [11, -1] }), "Here's the result of running `cat -n` on /tmp/ed/view.txt:\n    11\tline 11\n    12\tline 12\n    13\t");
  assert.equal(await ed.run({ command: 'view', path: '/tmp/ed/view.txt', view_range: [2, 3] }), "Here's the result of running `cat -n` on /tmp/ed/view.txt:\n     2\tline 2\n     3\tline 3");
  const bad = async (args: Record<string, unknown>, re: RegExp) => assert.rejects(ed.run(args), (e: Error) => e.name === 'ToolError' && re.test(e.message));
  await bad({ command: 'view', path: '/tmp/ed/view.txt', view_range: [0, 3] }, /^Invalid `view_range`: \[0, 3\]\. It's first element `0` should be within the range of lines of the file: \[1, 13\]$/);
  await bad({ command: 'view', path: '/tmp/ed/view.txt', view_range: [2, 99] }, /^Invalid `view_range`: \[2, 99\]\. It's second element `99` should be smaller than the number of lines in the file: `13`$/);
  await bad({ command: 'view', path: '/tmp/ed/view.txt', view_range: [5, 3] }, /^Invalid `view_range`: \[5, 3\]\. It's second element `3` should be larger or equal than its first `5`$/);
  await bad({ command: 'view', path: '/tmp/ed', view_range: [1, 2] }, /^The `view_range` parameter is not allowed when `path` points to a directory\.$/);
  await bad({ command: 'view', path: 'textkit/align.py' }, /The path should be an absolute path, starting with `\/`\. Maybe you meant \/testbed\/textkit\/align\.py\?/);
  await bad({ command: 'view', path: '/nope' }, /The path \/nope does not exist\. Please provide a valid path\./);
  await bad({ command: 'delete', path: '/tmp/ed' }, /^Unrecognized command delete\. The allowed commands for the str_replace_editor tool are: view, create, str_replace, insert, undo_edit$/);
  const dir = await ed.run({ command: 'view', path: '/testbed' });
  assert.match(dir, /^Here's the files and directories up to 2 levels deep in \/testbed, excluding hidden items:\n\/testbed\n/);
  assert.match(dir, /\n\/testbed\/textkit\/align\.py\n/);
  assert.doesNotMatch(dir, /\.git|\/testbed\/textkit\/[^\n]*\/[^\n]*\n/, 'no hidden entries, two levels only');
  await files.write('/tmp/ed/long.txt', 'z'.repeat(20_000));
  assert.match(await ed.run({ command: 'view', path: '/tmp/ed/long.txt' }), /^[\s\S]{16000,16100}<response clipped><NOTE>To save on context only part of this file has been shown to you\./);
});

test('str_replace_editor: create never overwrites, str_replace exactly once, insert, undo', async () => {
  const ed = new FileEditor(files, { baseDir: () => '/testbed' });
  const f = '/tmp/ed2/mod.py';
  assert.equal(await ed.run({ command: 'create', path: f, file_text: 'def a():\n    return 1\n\ndef b():\n    return 1\n' }), `File created successfully at: ${f}`);
  await assert.rejects(ed.run({ command: 'create', path: f, file_text: 'x' }), /File already exists at: \/tmp\/ed2\/mod\.py\. Cannot overwrite files using command `create`\./);
  await assert.rejects(ed.run({ command: 'str_replace', path: f, old_str: '    return 1' }), /No replacement was performed\. Multiple occurrences of old_str `    return 1` in lines \[2, 5\]\. Please ensure it is unique\./);
  await assert.rejects(ed.run({ command: 'str_replace', path: f, old_str: 'return 2' }), /No replacement was performed, old_str `return 2` did not appear verbatim in \/tmp\/ed2\/mod\.py\./);
  await assert.rejects(ed.run({ command: 'str_replace', path: f, old_str: 'def a', new_str: 'def a' }), /`new_str` and `old_str` must be different/);
  assert.equal((await files.read(f)).toString(), 'def a():\n    return 1\n\ndef b():\n    return 1\n', 'refusals change nothing');
  const replaced = await ed.run({ command: 'str_replace', path: f, old_str: 'def b():\n    return 1', new_str: 'def b():\n    return 2' });
  assert.equal(
    replaced,
    `The file ${f} has been edited. Here's the result of running \`cat -n\` on a snippet of ${f}:\n     1\tdef a():\n     2\t    return 1\n     3\t\n     4\tdef b():\n     5\t    return 2\n     6\t\nReview the changes and make sure they are as expected. Edit the file again if necessary.`,
  );
  assert.match(await ed.run({ command: 'insert', path: f, insert_line: 0, new_str: '"""Module."""' }), /on a snippet of the edited file:\n     1\t"""Module\."""\n     2\tdef a\(\):\n[\s\S]*\(correct indentation, no duplicate lines, etc\)/);
  await assert.rejects(ed.run({ command: 'insert', path: f, insert_line: 99, new_str: 'x' }), /Invalid `insert_line` parameter: 99\. It should be within the range of lines of the file: \[0, 7\]/);
  await assert.rejects(ed.run({ command: 'insert', path: f, new_str: 'x' }), /Parameter `insert_line` is required for command: insert\./);
  assert.match(await ed.run({ command: 'undo_edit', path: f }), /^Last edit to \/tmp\/ed2\/mod\.py undone successfully\./);
  assert.equal((await files.read(f)).toString(), 'def a():\n    return 1\n\ndef b():\n    return 2\n');
  await ed.run({ command: 'undo_edit', path: f });
  await ed.run({ command: 'undo_edit', path: f });
  await assert.rejects(ed.run({ command: 'undo_edit', path: f }), /No edit history found for \/tmp\/ed2\/mod\.py\./);
  await assert.rejects(ed.run({ command: 'str_replace', path: '/tmp/ed2', old_str: 'a' }), /is a directory and only the `view` command can be used on directories/);
});
