import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { getApi, waitFor } from './helpers';

const ID = 'swe-gym-studio__textkit-12';

/** The CSP's directives by name, the script nonce blanked (it differs per load by design). */
function csp(panel: vscode.WebviewPanel): Map<string, string> {
  const content = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(panel.webview.html)?.[1];
  assert.ok(content, 'the HTML has no CSP meta tag');
  return new Map(content.split(';').map((d) => d.trim().replace(/'nonce-[^']+'/, "'nonce-*'")).map((d) => [d.split(' ')[0] ?? '', d]));
}

describe('one webview host for the instance page and the agent view', function () {
  this.timeout(360_000);
  it('both load through the same shell: CSP, resource roots, nonce, a ready handshake; one panel per instance', async () => {
    const api = await getApi();
    const ref = api.datasets.find(ID);
    assert.ok(ref, `${ID} is not in the samples`);
    const page = api.panels.show(ref);
    const agent = api.agentPanels.show(ref);
    try {
      // The first webviews of a fresh window can take long on a loaded machine (their loader retries).
      await waitFor('the page to say ready', () => api.panels.isReady(ID), 150_000);
      await waitFor('the agent view to say ready', () => api.agentPanels.isReady(ID), 150_000);
      assert.equal(api.panels.show(ref), page, 'a second show opened another page');
      assert.equal(api.agentPanels.show(ref), agent, 'a second show opened another agent view');

      const roots = (p: vscode.WebviewPanel) => (p.webview.options.localResourceRoots ?? []).map((u) => u.path);
      assert.deepEqual(roots(page.panel), roots(agent.panel));
      assert.deepEqual(roots(page.panel).map((r) => r.split('/').slice(-2).join('/')), ['dist/webview']);
      assert.equal(page.panel.webview.options.enableScripts, true);

      const [pageCsp, agentCsp] = [csp(page.panel), csp(agent.panel)];
      // Only issue text may link images from the web; the agent view shows model and container output.
      const anyHttps = (directive: string | undefined) => (directive ?? '').split(' ').includes('https:');
      assert.ok(anyHttps(pageCsp.get('img-src')), pageCsp.get('img-src'));
      assert.ok(!anyHttps(agentCsp.get('img-src')), agentCsp.get('img-src'));
      pageCsp.delete('img-src');
      agentCsp.delete('img-src');
      assert.deepEqual([...pageCsp], [...agentCsp]);
      assert.equal(pageCsp.get('default-src'), "default-src 'none'");
      assert.equal(pageCsp.get('script-src'), "script-src 'nonce-*'");
      for (const p of [page.panel, agent.panel]) assert.doesNotMatch(p.webview.html, /<script(?![^>]*nonce=)/, 'a script without the nonce');
    } finally {
      page.panel.dispose();
      agent.panel.dispose();
    }
    assert.equal(api.panels.isOpen(ID), false, 'a closed page is still counted as open');
    assert.equal(api.agentPanels.isOpen(ID), false, 'a closed agent view is still counted as open');
  });
});
