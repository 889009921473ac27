/**
 * An inline, nonce'd loader that asks again for a webview's stylesheets and script when the app
 * has not started a few seconds after load. Right after a window reload, code-server's service
 * worker may not serve webview resources yet: the request then goes out to the network and fails
 * (ERR_NAME_NOT_RESOLVED offline), and the page would stay at its "Loading…" text for good.
 * The app marks <html data-app="loaded"> when it starts; a late first copy and a retried one
 * cannot both run (the VS Code API can be acquired only once).
 */
export function retryingLoader(nonce: string, script: string): string {
  return `<script nonce="${nonce}">
(function retry(n) {
  setTimeout(function () {
    if (document.documentElement.dataset.app === 'loaded' || n >= 6) return;
    document.querySelectorAll('link[rel=stylesheet]').forEach(function (l) {
      l.setAttribute('href', l.getAttribute('href').split('?')[0] + '?retry=' + n);
    });
    var s = document.createElement('script');
    s.nonce = ${JSON.stringify(nonce)};
    s.src = ${JSON.stringify(script)} + '?retry=' + n;
    document.body.appendChild(s);
    retry(n + 1);
  }, 2500 * (n + 1));
})(0);
</script>`;
}
