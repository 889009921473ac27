import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { retryingLoader } from '../instancePage/webviewLoader';

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The live view's HTML shell: strict CSP with a nonce; dist/webview/agent.js renders the rest. */
export function agentHtml(webview: vscode.Webview, extensionUri: vscode.Uri, instanceId: string, datasetSource: string): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${asset('agent.css')}">
<title>Agent: ${escapeAttr(instanceId)}</title>
</head>
<body>
<div id="app" data-instance-id="${escapeAttr(instanceId)}" data-dataset-source="${escapeAttr(datasetSource)}"><p class="loading">Loading the agent view of ${escapeAttr(instanceId)}…</p></div>
<script nonce="${nonce}" src="${asset('agent.js')}"></script>
${retryingLoader(nonce, asset('agent.js'))}
</body>
</html>`;
}
