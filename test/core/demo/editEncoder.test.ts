// The edit-to-action encoder on the tricky cases: every produced action runs with our own tools
// (the real execute_bash session and str_replace_editor) in a real container on the old tree, and
// the tree that results must be the new tree exactly (bytes, executable bits, links), with the
// observations the encoder predicted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BashSession, renderCommandObservation } from '../../../src/core/agent/tools/bashSession';
import { containerFiles, type EditorFiles } from '../../../src/core/agent/tools/containerFiles';
import { ControlShell } from '../../../src/core/agent/tools/controlShell';
import { FileEditor } from '../../../src/core/agent/tools/fileEditor';
import { encodeChanges, type DemoAction } from '../../../src/core/demo/editEncoder';
import { diffStates, type FileState } from '../../../src/core/demo/fileState';
import { readHostTree } from '../../../src/core/demo/hostTree';
import type { ContainerHandle } from '../../../src/core/runtime/containerRuntime';
import { BASE_IMAGE, runtime, TEST_SESSION } from '../../support/docker';

let container: ContainerHandle;
let control: ControlShell;
let files: EditorFiles;
let bash: BashSession;
let editor: FileEditor;
let python = '';
let caseNo = 0;

before(async () => {
  container = await runtime.createContainer({ image: BASE_IMAGE, purpose: 'test', sessionId: TEST_SESSION });
  control = await ControlShell.start(container);
  files = containerFiles(control);
  bash = await BashSession.start(container, { writeFile: (p, s) => files.write(p, s) });
  editor = new FileEditor(files, { baseDir: () => bash.cwd });
  python = (await control.run('command -v python || command -v python3')).output.trim();
});

after(async () => {
  await bash?.close();
  await control?.close();
  await container?.remove();
});

type Spec = Record<string, string | Buffer | { exec: string | Buffer } | { link: string }>;

function tree(spec: Spec): Map<string, FileState> {
  const m = new Map<string, FileState>();
  for (const [p, v] of Object.entries(spec)) {
    if (typeof v === 'string' || Buffer.isBuffer(v)) m.set(p, { kind: 'file', bytes: Buffer.from(v), executable: false });
    else if ('link' in v) m.set(p, { kind: 'symlink', target: v.link });
    else m.set(p, { kind: 'file', bytes: Buffer.from(v.exec), executable: true });
  }
  return m;
}

/** Writes the old tree, encodes, runs every action with our tools, reads the tree back. */
async function roundTrip(oldSpec: Spec, newSpec: Spec): Promise<DemoAction[]> {
  const repoDir = `/work/case-${++caseNo}`;
  const oldTree = tree(oldSpec);
  const newTree = tree(newSpec);
  const regular = [...oldTree].filter(([, s]) => s.kind === 'file') as [string, Extract<FileState, { kind: 'file' }>][];
  await container.putFiles(regular.map(([p, s]) => ({ path: `${repoDir}/${p}`, content: s.bytes, mode: s.executable ? 0o755 : 0o644 })).concat([{ path: `${repoDir}/.keep-dir`, content: Buffer.alloc(0), mode: 0o644 }]));
  await control.run(`rm -f ${repoDir}/.keep-dir`);
  for (const [p, s] of oldTree) if (s.kind === 'symlink') assert.equal((await control.run(`ln -s '${s.target}' '${repoDir}/${p}'`)).exitCode, 0);
  const prompt = { exitCode: 0, python, user: 'root', cwdDisplay: '/testbed' };
  const actions = await encodeChanges(diffStates(oldTree, newTree), { repoDir, quietCommandObservation: (c) => renderCommandObservation(c, '', prompt, 0, 'openhands-workspace') });
  for (const a of actions) {
    if (a.name === 'execute_bash') {
      const r = await bash.run(String(a.args.command));
      assert.equal(r.exitCode, 0, `${String(a.args.command).slice(0, 200)}\n${r.text.slice(0, 2000)}`);
      assert.equal(r.text, a.observation, 'the predicted bash observation');
    } else {
      assert.equal(await editor.run(a.args), a.observation, 'the predicted editor observation');
    }
  }
  const host = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-enc-'));
  try {
    await container.copyOut(repoDir, host);
    const got = await readHostTree(host);
    const differences = diffStates(newTree, got).map((d) => `${d.path}: wanted ${describe(d.before)}, got ${describe(d.after)}`);
    assert.deepEqual(differences, [], 'the replayed tree equals the new tree');
  } finally {
    fs.rmSync(host, { recursive: true, force: true });
  }
  return actions;
}

function describe(s: FileState | undefined): string {
  if (!s) return 'nothing';
  if (s.kind === 'symlink') return `link to ${s.target}`;
  return `${s.bytes.length} bytes${s.executable ? ' (executable)' : ''} ${JSON.stringify(s.bytes.subarray(0, 60).toString('latin1'))}`;
}

const editorCalls = (actions: DemoAction[], command: string) => actions.filter((a) => a.name === 'str_replace_editor' && a.args.command === command);

test('a line that occurs many times: the old_str is widened until it occurs once, far edits stay separate', async () => {
  const lines = Array.from({ length: 400 }, (_, i) => (i % 10 === 0 ? `def f${i}():\n` : '    return None\n'));
  const edited = [...lines];
  edited[205] = '    return 42\n';
  edited.splice(351, 0, '    # added\n');
  const allSame = Array.from({ length: 1000 }, () => 'pass\n');
  const allSameEdited = [...allSame];
  allSameEdited[600] = 'raise\n';
  const actions = await roundTrip({ 'pkg/mod.py': lines.join(''), 'same.py': allSame.join('') }, { 'pkg/mod.py': edited.join(''), 'same.py': allSameEdited.join('') });
  const replaces = editorCalls(actions, 'str_replace');
  const inserts = editorCalls(actions, 'insert');
  assert.equal(replaces.length + inserts.length, 3, JSON.stringify(actions.map((a) => a.args.command)));
  const first = replaces.find((a) => String(a.args.path).endsWith('mod.py'));
  assert.ok(first && /def f2[01]0\(\):/.test(String(first.args.old_str)) && String(first.args.old_str).split('\n').length <= 7, `widened to the nearest unique context: ${String(first?.args.old_str)}`);
  assert.equal(actions.filter((a) => a.name === 'execute_bash').length, 0);
});

test('CRLF, tabs and a byte-order mark are rewritten exactly; missing final newlines are kept, added and removed', async () => {
  const actions = await roundTrip(
    {
      'win.txt': 'one\r\ntwo\r\nthree\r\n',
      Makefile: 'all:\n\tcc -o x x.c\n',
      'bom.py': '\uFEFFx = 1\n',
      'nofinal.py': 'a\nb\nc',
      'addfinal.py': 'a\nb',
      'dropfinal.py': 'a\nb\n',
      'mixed.txt': 'lf\ncrlf\r\nlone\rcr\n',
    },
    {
      'win.txt': 'one\r\nTWO\r\nthree\r\n',
      Makefile: 'all:\n\tcc -O2 -o x x.c\n',
      'bom.py': '\uFEFFx = 2\n',
      'nofinal.py': 'a\nB\nc',
      'addfinal.py': 'a\nb\n',
      'dropfinal.py': 'a\nb',
      'mixed.txt': 'lf\ncrlf\r\nlone\rCR\n',
    },
  );
  // The editor keeps LF-only, tab-free text; the others are whole-file rewrites through bash.
  assert.equal(editorCalls(actions, 'str_replace').length, 3);
  assert.equal(actions.filter((a) => a.name === 'execute_bash').length, 4);
});

test('binary files, renames, deletes, links, modes, empty files and new folders', async () => {
  const bin = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 128]);
  const actions = await roundTrip(
    {
      'img.bin': bin,
      'old/name.py': 'print("moved")\n',
      'run.sh': { exec: '#!/bin/sh\necho hi\n' },
      'gone.py': 'x\n',
      'gone dir/it\'s here.txt': 'quote\n',
      'link': { link: 'old/name.py' },
      'tolink.txt': 'becomes a link\n',
      'empty.txt': '',
      'emptied.txt': 'some text\n',
    },
    {
      'img.bin': Buffer.concat([bin, Buffer.from([7, 0])]),
      'new/deeper/name.py': 'print("moved")\n',
      'run.sh': '#!/bin/sh\necho hi\n',
      'link': { link: 'new/deeper/name.py' },
      'tolink.txt': { link: 'run.sh' },
      'empty.txt': 'now text\n',
      'emptied.txt': '',
      'created/tool.sh': { exec: '#!/bin/sh\nexit 0\n' },
      'created/blob.dat': Buffer.from([255, 0, 255]),
      'created/new.py': 'def g():\n\treturn 1\r\n',
    },
  );
  const commands = actions.filter((a) => a.name === 'execute_bash').map((a) => String(a.args.command));
  assert.ok(commands.some((c) => c.startsWith('mkdir -p /work/') && c.includes(' && mv ')), commands.join('\n'));
  assert.ok(commands.some((c) => /^rm .*gone\.py/.test(c)), commands.join('\n'));
  assert.equal(editorCalls(actions, 'create').length, 2, 'new text files are created with the editor');
});

test('a 5 MB file: a small edit stays a small str_replace', async () => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < 5_000_000; i++) {
    const line = `value_${i} = compute(${i}, ${(i * 7) % 13})  # line ${i}\n`;
    lines.push(line);
    size += line.length;
  }
  const big = lines.join('');
  assert.ok(big.length >= 5_000_000);
  const edited = [...lines];
  edited[50_000] = 'value_50000 = compute(50000, 0)  # fixed\n';
  edited.push('tail = True\n');
  const started = Date.now();
  const actions = await roundTrip({ 'big.py': big }, { 'big.py': edited.join('') });
  assert.equal(actions.length, 2);
  for (const a of actions) assert.ok(JSON.stringify(a.args).length < 500, `small actions: ${JSON.stringify(a.args).slice(0, 300)}`);
  assert.ok(Date.now() - started < 120_000);
});
