import type { MarkedExtension, TokenizerAndRendererExtension } from 'marked' with { 'resolution-mode': 'import' };

/**
 * Issue text is GitHub-flavoured Markdown. Identifiers with double underscores (`__slots__`,
 * `obj.__init__`) stay literal words: in issue text they name code, and CommonMark's rules would
 * turn them into a bold "slots". A marked extension (marked itself is loaded by the caller).
 */
const dunder: TokenizerAndRendererExtension = {
  name: 'dunder',
  level: 'inline',
  start: (src) => {
    const i = src.search(/__[A-Za-z]/);
    return i < 0 ? undefined : i;
  },
  tokenizer(src) {
    const m = /^__[A-Za-z][A-Za-z0-9_]*?__(?![A-Za-z0-9_])/.exec(src);
    return m ? { type: 'dunder', raw: m[0], text: m[0] } : undefined;
  },
  renderer: (token) => String(token.text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
};

export const ISSUE_MARKDOWN: MarkedExtension = { gfm: true, breaks: false, async: false, extensions: [dunder] };
