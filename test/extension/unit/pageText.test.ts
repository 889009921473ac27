/** Words on the page and in the tree, in plain Node: counts and issue Markdown (marked, as the webview uses it). */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISSUE_MARKDOWN } from '../../../src/shared/markdownHtml';
import { plural } from '../../../src/shared/plural';

describe('counts', () => {
  it('singular for one, plural otherwise, with thousands separators', () => {
    assert.equal(`${plural(1, 'instance')} · ${plural(1, 'repo')}`, '1 instance · 1 repo');
    assert.equal(`${plural(0, 'instance')} · ${plural(2, 'repo')}`, '0 instances · 2 repos');
    assert.equal(plural(2294, 'instance'), '2,294 instances');
  });
});

describe('issue Markdown', () => {
  async function html(text: string): Promise<string> {
    const { Marked } = await import('marked');
    return (new Marked(ISSUE_MARKDOWN).parse(text, { async: false }) as string).trim();
  }

  it('keeps identifiers with double underscores as written, as GitHub users mean them', async () => {
    assert.equal(await html('Setting __slots__ on a dataclass'), '<p>Setting __slots__ on a dataclass</p>');
    assert.equal(await html('obj.__init__() and __dict__.'), '<p>obj.__init__() and __dict__.</p>');
    assert.equal(await html('snake_case_name stays'), '<p>snake_case_name stays</p>');
  });

  it('still renders emphasis, code and escaping', async () => {
    assert.equal(await html('**bold** and __two words__'), '<p><strong>bold</strong> and <strong>two words</strong></p>');
    assert.equal(await html('`__slots__`'), '<p><code>__slots__</code></p>');
    assert.equal(await html('__a<b__'), '<p><strong>a&lt;b</strong></p>');
  });
});
