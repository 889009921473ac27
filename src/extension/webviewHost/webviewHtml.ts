import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RequestMap } from '../../shared/protocol';
import type { WebviewKind } from './webviewKind';
import { retryingLoader } from './webviewLoader';

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** What the webview may load: its own bundle, fonts and styles, and nothing else. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
}

export function contentSecurityPolicy(cspSource: string, nonce: string, remoteImages: boolean): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:${remoteImages ? ' https:' : ''}`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

/**
 * The HTML shell of every instance webview: strict CSP with a nonce, the codicon font, the app's
 * bundle; the app renders the rest. `#app` carries the instance so the app can save it for the
 * serializer.
 */
export function webviewHtml<R extends RequestMap<R>, E>(webview: vscode.Webview, extensionUri: vscode.Uri, kind: WebviewKind<R, E>, instanceId: string, datasetSource: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', ...p)).toString();
  const script = asset(`${kind.bundle}.js`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce, !!kind.remoteImages)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${asset(`${kind.bundle}.css`)}">
<title>${escapeAttr(kind.title(instanceId))}</title>
</head>
<body>
<div id="app" data-instance-id="${escapeAttr(instanceId)}" data-dataset-source="${escapeAttr(datasetSource)}"><p class="loading">${escapeAttr(kind.loading(instanceId))}</p></div>
<script nonce="${nonce}" src="${script}"></script>
${retryingLoader(nonce, script)}
</body>
</html>`;
}
