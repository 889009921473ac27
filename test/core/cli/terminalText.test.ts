import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { terminalSafe } from '../../../src/core/util/terminalText';

const CLI = path.resolve(__dirname, '../../../src/cli/index.js');

function swegym(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

// An OSC 52 sequence asks the terminal to set the clipboard; ESC[2J clears the screen; \x9b is an
// 8-bit CSI; \u202e flips the text that follows.
const HOSTILE = 'Bug\x1b]52;c;ZWNobyBwd25lZA==\x07 in parser\x1b[2J\x9b31m\u202eedoc\r\nsecond line\rhidden';

test('terminalSafe shows control characters instead of sending them', () => {
  assert.equal(terminalSafe(HOSTILE), 'Bug^[]52;c;ZWNobyBwd25lZA==^G in parser^[[2J\\u009b31m\\u202eedoc\nsecond line^Mhidden');
  assert.equal(terminalSafe('tabs\tand\nnewlines stay; ünïcödé too'), 'tabs\tand\nnewlines stay; ünïcödé too');
});

test('the CLI prints dataset text (ids, issue text, test names) with no raw escape sequence; --json still round-trips', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sgs-escapes-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const row = {
    instance_id: 'evil__repo-1',
    repo: 'evil/repo',
    base_commit: 'a'.repeat(40),
    patch: 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n',
    test_patch: 'diff --git a/t.py b/t.py\n--- a/t.py\n+++ b/t.py\n@@ -1 +1 @@\n-a\n+b\n',
    problem_statement: HOSTILE,
    hints_text: 'hint \x1b[31mred',
    created_at: '2024-01-01T00:00:00Z',
    version: '1.0',
    FAIL_TO_PASS: ['t.py::test_\x1b[1mbold'],
    PASS_TO_PASS: [],
  };
  const file = path.join(dir, 'rows.jsonl');
  // A second row whose id is refused: the warning about it names the id, escapes shown.
  fs.writeFileSync(file, `${JSON.stringify(row)}\n${JSON.stringify({ ...row, instance_id: 'evil__repo-2\x1b[8m' })}\n`);
  const raw = /[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202e]/;
  for (const args of [['show', '--dataset', file, row.instance_id, '--reveal'], ['list', '--dataset', file], ['show', '--dataset', file, 'no-such\x1b[2J-id']]) {
    const r = await swegym(args);
    assert.doesNotMatch(r.stdout, raw, `stdout of ${args[0]}: ${JSON.stringify(r.stdout)}`);
    assert.doesNotMatch(r.stderr, raw, `stderr of ${args[0]}: ${JSON.stringify(r.stderr)}`);
    if (args[0] === 'show' && r.code === 0) {
      assert.match(r.stdout, /Bug\^\[\]52;c;ZWNobyBwd25lZA==\^G in parser\^\[\[2J/);
      assert.match(r.stdout, /t\.py::test_\^\[\[1mbold/);
    }
  }
  const listed = await swegym(['list', '--dataset', file]);
  assert.match(listed.stderr, /skipped .* \(evil__repo-2\^\[\[8m\)/);
  const bad = await swegym(['show', '--dataset', file, 'no-such\x1b[2J-id']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no-such\^\[\[2J-id/);
  const json = await swegym(['show', '--dataset', file, row.instance_id, '--json', '--reveal']);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, raw);
  const parsed = JSON.parse(json.stdout) as { problem_statement: string; instance_id: string; FAIL_TO_PASS: string[] };
  assert.equal(parsed.problem_statement, HOSTILE);
  assert.equal(parsed.instance_id, row.instance_id);
  assert.deepEqual(parsed.FAIL_TO_PASS, row.FAIL_TO_PASS);
});
