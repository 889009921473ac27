// Our tools' observations against the bytes of SWE-Gym's released rollouts
// (/work/shared/reference/swe-gym-rollouts.md, "Observations byte for byte"), one case per test,
// through the same executor the agent uses, in a real container of a sample task.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BashSession } from '../../../src/core/agent/tools/bashSession';
import { containerFiles, type EditorFiles } from '../../../src/core/agent/tools/containerFiles';
import { ControlShell } from '../../../src/core/agent/tools/controlShell';
import { FileEditor } from '../../../src/core/agent/tools/fileEditor';
import { ToolExecutor } from '../../../src/core/agent/tools/toolExecutor';
import { DEFAULT_TOOLS } from '../../../src/core/agent/tools/toolSchemas';
import { ensureImage } from '../../../src/core/images/ensureImage';
import type { ContainerHandle } from '../../../src/core/runtime/containerRuntime';
import { runtime, TEST_SESSION } from '../../support/docker';
import { sampleSpec, samples } from '../../support/samples';

let container: ContainerHandle;
let control: ControlShell;
let files: EditorFiles;
let bash: BashSession;
let tools: ToolExecutor;

before(async () => {
  const ds = await samples();
  const inst = ds.instances.find((i) => i.instance_id === 'swe-gym-studio__textkit-12');
  assert.ok(inst);
  const { image } = await ensureImage(runtime, (await sampleSpec(inst)).image);
  container = await runtime.createContainer({ image, purpose: 'test', sessionId: TEST_SESSION });
  control = await ControlShell.start(container);
  files = containerFiles(control);
  bash = await BashSession.start(container, { writeFile: (p, s) => files.write(p, s) });
  tools = new ToolExecutor(bash, new FileEditor(files, { baseDir: () => bash.cwd }), DEFAULT_TOOLS);
});

after(async () => {
  await bash?.close();
  await control?.close();
  await container?.remove();
});

async function call(name: string, args: Record<string, unknown>): Promise<string> {
  return (await tools.run({ id: 'call_1', type: 'function', function: { name, arguments: JSON.stringify(args) } })).content;
}

// The sample image's interpreter; SWE-Gym's images had /opt/miniconda3/envs/testbed/bin/python.
const TAIL = (cwd: string, code: number) => `[Python Interpreter: /usr/local/bin/python]\nroot@openhands-workspace:${cwd} # \n[Command finished with exit code ${code}]`;

test('execute_bash: [Python Interpreter: ...] glued to the last output character, the output\'s own line end dropped', async () => {
  const cmd = `python3 -c "import sys; print('a.py:1: error: bad'); print('Found 1 error in 1 file (checked 1 source file)'); sys.exit(1)"`;
  assert.equal(await call('execute_bash', { command: cmd }), `OBSERVATION:\n${cmd}\r\na.py:1: error: bad\r\nFound 1 error in 1 file (checked 1 source file)${TAIL('/testbed', 1)}`);
});

test('execute_bash with no output: the interpreter follows the echoed command directly', async () => {
  await call('execute_bash', { command: 'mkdir -p /tmp/obs && cd /tmp/obs' });
  assert.equal(await call('execute_bash', { command: 'python3 /tmp/obs/none.py 2>/dev/null; true' }), `OBSERVATION:\npython3 /tmp/obs/none.py 2>/dev/null; true${TAIL('/tmp/obs', 0)}`);
  await call('execute_bash', { command: 'cd /testbed' });
});

test('execute_bash: no colour or terminal-control sequences, even from tools that colour a terminal', async () => {
  // What mypy prints on a terminal (bold red `error:`, green `Success:`), a window title (OSC),
  // a cursor move and an erase, plus git's own colouring when forced.
  await files.write('/tmp/obs/colour.py', [
    'import sys',
    "w = sys.stdout.write",
    "w('\\x1b]0;mypy\\x07')",
    "w('a.py:1: \\x1b[31m\\x1b[1merror:\\x1b(B\\x1b[m Name \"x\" is not defined\\n')",
    "w('\\x1b[32m\\x1b[1mSuccess:\\x1b(B\\x1b[m no issues\\x1b[K\\n')",
    "w('\\x1b[2Adone\\n')",
    '',
  ].join('\n'));
  const out = await call('execute_bash', { command: 'python3 /tmp/obs/colour.py' });
  assert.equal(out, `OBSERVATION:\npython3 /tmp/obs/colour.py\r\na.py:1: error: Name "x" is not defined\r\nSuccess: no issues\r\ndone${TAIL('/testbed', 0)}`);
  const git = await call('execute_bash', { command: 'git -c color.ui=always status --short --branch | head -1' });
  assert.doesNotMatch(git, /\x1b/);
  assert.match(git, /^OBSERVATION:\ngit -c color\.ui=always status --short --branch \| head -1\r\n## [^\r\n]+\[Python Interpreter/);
});

test('view with a view_range on a directory: exactly the released error text', async () => {
  assert.equal(await call('str_replace_editor', { command: 'view', path: '/testbed', view_range: [1, 10] }), 'OBSERVATION:\nERROR:\nThe `view_range` parameter is not allowed when `path` points to a directory.');
});

test('view with a start line outside the file: their wording, "It\'s" included, no final period', async () => {
  // 1114 lines and a final newline: 1115 lines as the editor counts them.
  await files.write('/tmp/obs/big.py', Array.from({ length: 1114 }, (_, i) => `x${i} = ${i}\n`).join(''));
  assert.equal(
    await call('str_replace_editor', { command: 'view', path: '/tmp/obs/big.py', view_range: [0, 40] }),
    "OBSERVATION:\nERROR:\nInvalid `view_range`: [0, 40]. It's first element `0` should be within the range of lines of the file: [1, 1115]",
  );
  assert.equal(
    await call('str_replace_editor', { command: 'view', path: '/tmp/obs/big.py', view_range: [10, 2000] }),
    "OBSERVATION:\nERROR:\nInvalid `view_range`: [10, 2000]. It's second element `2000` should be smaller than the number of lines in the file: `1115`",
  );
});

test('view on a file: numbered like cat -n, no line break after the last line; a range likewise', async () => {
  await files.write('/tmp/obs/f.py', 'def f():\n\treturn 1\n');
  assert.equal(await call('str_replace_editor', { command: 'view', path: '/tmp/obs/f.py' }), "OBSERVATION:\nHere's the result of running `cat -n` on /tmp/obs/f.py:\n     1\tdef f():\n     2\t        return 1\n     3\t");
  assert.equal(await call('str_replace_editor', { command: 'view', path: '/tmp/obs/f.py', view_range: [1, 1] }), "OBSERVATION:\nHere's the result of running `cat -n` on /tmp/obs/f.py:\n     1\tdef f():");
});

test('view on a directory: the header, the folder itself, then entries two levels deep in find\'s order, no final line break', async () => {
  const got = await call('str_replace_editor', { command: 'view', path: '/testbed/textkit' });
  const listed = (await container.exec(['find', '-L', '/testbed/textkit', '-maxdepth', '2', '-not', '-path', '*/.*'])).stdout.replace(/\n$/, '');
  assert.equal(got, `OBSERVATION:\nHere's the files and directories up to 2 levels deep in /testbed/textkit, excluding hidden items:\n${listed}`);
  assert.match(got, /items:\n\/testbed\/textkit\n\/testbed\/textkit\/[^\n]+\.py/);
});

test('create, str_replace, insert and undo_edit: the released texts', async () => {
  const f = '/tmp/obs/edit.py';
  assert.equal(await call('str_replace_editor', { command: 'create', path: f, file_text: 'a = 1\nb = 2\n' }), `OBSERVATION:\nFile created successfully at: ${f}`);
  assert.equal(
    await call('str_replace_editor', { command: 'str_replace', path: f, old_str: 'b = 2', new_str: 'b = 3' }),
    `OBSERVATION:\nThe file ${f} has been edited. Here's the result of running \`cat -n\` on a snippet of ${f}:\n     1\ta = 1\n     2\tb = 3\n     3\t\nReview the changes and make sure they are as expected. Edit the file again if necessary.`,
  );
  assert.equal(
    await call('str_replace_editor', { command: 'insert', path: f, insert_line: 1, new_str: 'c = 0' }),
    `OBSERVATION:\nThe file ${f} has been edited. Here's the result of running \`cat -n\` on a snippet of the edited file:\n     1\ta = 1\n     2\tc = 0\n     3\tb = 3\n     4\t\nReview the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the file again if necessary.`,
  );
  assert.equal(
    await call('str_replace_editor', { command: 'undo_edit', path: f }),
    `OBSERVATION:\nLast edit to ${f} undone successfully. Here's the result of running \`cat -n\` on ${f}:\n     1\ta = 1\n     2\tb = 3\n     3\t`,
  );
});

test('str_replace_editor errors: `ERROR:` then the reason, and nothing changes (create over a file, str_replace with none or several matches, a missing path, an end past the file)', async () => {
  const f = '/tmp/obs/err.py';
  await files.write(f, 'x = 1\ny = 1\nx = 1\n');
  const before = (await files.read(f)).toString();
  const err = (reason: string) => `OBSERVATION:\nERROR:\n${reason}`;
  assert.equal(await call('str_replace_editor', { command: 'create', path: f, file_text: 'z' }), err(`Invalid \`path\` parameter: ${f}. File already exists at: ${f}. Cannot overwrite files using command \`create\`.`));
  assert.equal(await call('str_replace_editor', { command: 'str_replace', path: f, old_str: 'z = 9', new_str: 'z = 0' }), err(`No replacement was performed, old_str \`z = 9\` did not appear verbatim in ${f}.`));
  assert.equal(await call('str_replace_editor', { command: 'str_replace', path: f, old_str: 'x = 1', new_str: 'x = 2' }), err('No replacement was performed. Multiple occurrences of old_str `x = 1` in lines [1, 3]. Please ensure it is unique.'));
  assert.equal(await call('str_replace_editor', { command: 'view', path: '/tmp/obs/nope.py' }), err('Invalid `path` parameter: /tmp/obs/nope.py. The path /tmp/obs/nope.py does not exist. Please provide a valid path.'));
  assert.equal(await call('str_replace_editor', { command: 'view', path: f, view_range: [2, 9] }), err("Invalid `view_range`: [2, 9]. It's second element `9` should be smaller than the number of lines in the file: `4`"));
  assert.equal((await files.read(f)).toString(), before, 'refused edits change nothing');
});

test('execute_bash exit codes: the command\'s own status; a command past the time limit gets SIGINT, says it timed out and reports 130', async () => {
  assert.equal(await call('execute_bash', { command: 'ls /nope' }), `OBSERVATION:\nls /nope\r\nls: cannot access '/nope': No such file or directory${TAIL('/testbed', 2)}`);
  const quick = await BashSession.start(container, { writeFile: (p, s) => files.write(p, s), timeoutMs: 1000, noOutputTimeoutMs: 60_000, interruptGraceMs: 2000 });
  try {
    const timed = new ToolExecutor(quick, new FileEditor(files, { baseDir: () => quick.cwd }), DEFAULT_TOOLS);
    const r = await timed.run({ id: 'call_t', type: 'function', function: { name: 'execute_bash', arguments: JSON.stringify({ command: 'echo start; sleep 30' }) } });
    assert.equal(r.exitCode, 130);
    assert.equal(r.content, `OBSERVATION:\necho start; sleep 30\r\nstart\r\n\r\n[Command timed out after 1 seconds. SIGINT was sent to interrupt the command.]${TAIL('/testbed', 130)}`);
  } finally {
    await quick.close();
  }
});

test('finish: no arguments, ends the rollout with a short observation', async () => {
  const r = await tools.run({ id: 'call_f', type: 'function', function: { name: 'finish', arguments: '{}' } });
  assert.deepEqual([r.content, r.finish, r.error], ['OBSERVATION:\nThe task is finished.', true, false]);
});
