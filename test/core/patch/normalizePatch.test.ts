import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCandidatePatch } from '../../../src/core/patch/applyPatch';
import { normalizePatch } from '../../../src/core/patch/normalizePatch';
import { withContainer } from '../../support/docker';

const LF_PATCH = ['diff --git a/greet.py b/greet.py', '--- a/greet.py', '+++ b/greet.py', '@@ -1,2 +1,2 @@', ' def greet():', "-    return 'hi'", "+    return 'hello'", ''].join('\n');

test('normalizePatch: CRLF becomes LF in the returned patch, chatter before the diff goes, one final newline', () => {
  const crlf = `Here is my fix:\r\n\r\n${LF_PATCH.replace(/\n/g, '\r\n')}\r\n\r\n`;
  const out = normalizePatch(crlf);
  assert.doesNotMatch(out, /\r/, 'no carriage return survives');
  assert.equal(out, LF_PATCH);
  assert.equal(normalizePatch('no diff here'), 'no diff here\n');
  assert.equal(normalizePatch('  \r\n'), '');
  assert.equal(normalizePatch(null), '');
});

test('a CRLF patch applies with plain `git apply` once normalised (not only through the fuzzy fallback), and leaves no CR in the file', async () => {
  await withContainer(async (c) => {
    const init = await c.exec(['/bin/sh', '-c', "mkdir -p /w && cd /w && git init -q && printf \"def greet():\\n    return 'hi'\\n\" > greet.py && git add . && git commit -qm base"]);
    assert.equal(init.exitCode, 0, init.output);
    const applied = await applyCandidatePatch(c, normalizePatch(LF_PATCH.replace(/\n/g, '\r\n')), 'swe-gym', { cwd: '/w' });
    assert.equal(applied.applied, true, applied.log);
    assert.equal(applied.command, 'git apply -v /tmp/patch.diff', applied.log);
    assert.equal((await c.readFile('/w/greet.py')).toString('utf8'), "def greet():\n    return 'hello'\n");
  });
});

test('a `git diff --binary` patch whose last file is binary survives normalisation and applies', async () => {
  await withContainer(async (c) => {
    const script = [
      'set -e; mkdir -p /w && cd /w && git init -q',
      "printf 'hi\\n' > a.txt; printf 'a\\000b' > z.bin; git add .; git commit -qm base",
      "printf 'ho\\n' > a.txt; printf 'a\\000c\\001' > z.bin",
      'git diff --binary > /tmp/bin.diff; git checkout -q .',
    ].join('\n');
    const made = await c.exec(['/bin/sh', '-c', script]);
    assert.equal(made.exitCode, 0, made.output);
    const raw = (await c.readFile('/tmp/bin.diff')).toString('utf8');
    assert.match(raw, /GIT binary patch[\s\S]*\n\n$/, 'git ends the binary block with a blank line');
    const normalized = normalizePatch(raw);
    assert.equal(normalized, raw, 'nothing to clean up in a well-formed binary patch');
    const applied = await applyCandidatePatch(c, normalized, 'swe-gym', { cwd: '/w' });
    assert.equal(applied.applied, true, applied.log);
    assert.doesNotMatch(applied.log, /corrupt/);
    const bin = await c.exec(['od', '-An', '-c', '/w/z.bin']);
    assert.match(bin.stdout, /a\s+\\0\s+c\s+001/, `the binary file changed: ${bin.stdout}`);
    // Trailing whitespace beyond the block's own blank line still goes.
    assert.equal(normalizePatch(`${raw}\n\n  \n`), raw);
  });
});
