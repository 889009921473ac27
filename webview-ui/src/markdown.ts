import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { ISSUE_MARKDOWN } from '../../src/shared/markdownHtml';

const markdown = new Marked(ISSUE_MARKDOWN);

/**
 * Issue text is GitHub Markdown written by strangers: rendered with marked, then sanitized with
 * DOMPurify (no scripts, styles, forms or event handlers survive), and the CSP blocks the rest.
 */
export function renderMarkdown(text: string): DocumentFragment {
  const html = markdown.parse(text, { async: false });
  const clean = DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
    FORBID_ATTR: ['style'],
    RETURN_DOM_FRAGMENT: true,
  });
  for (const a of clean.querySelectorAll('a')) {
    const href = a.getAttribute('href') ?? '';
    if (!/^https?:/i.test(href)) a.removeAttribute('href');
    a.setAttribute('title', href);
  }
  return clean;
}
