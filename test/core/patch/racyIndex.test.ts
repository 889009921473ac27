import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractPatch } from '../../../src/core/patch/extractPatch';
import { withContainer } from '../../support/docker';

test('an edit of the same size right after the index was written is in the patch (git racy-entry check)', async () => {
  await withContainer(async (c) => {
    for (let i = 0; i < 3; i++) {
      const setup = await c.exec(['sh', '-c', 'rm -rf /r && mkdir /r && cd /r && git init -q && git config user.email t@t && git config user.name t && echo one > m.py && git add -A && git commit -qm base && echo two > m.py']);
      assert.equal(setup.exitCode, 0, setup.output);
      const base = (await c.exec(['git', 'rev-parse', 'HEAD'], { cwd: '/r' })).stdout.trim();
      assert.match(await extractPatch(c, base, { repoDir: '/r' }), /^-one\n\+two$/m);
    }
  });
});
