import * as vscode from 'vscode';
import { PathMapper } from '../../core/languageServer/pathMapper';
import { containerUri, parseContainerUri } from './containerFileSystem';

/**
 * The LanguageClient's two URI converters for one instance. Editor -> server: workspace files
 * become /testbed files, container files their own path. Server -> editor: /testbed files become
 * workspace files; every other path (the server is in the container: untrusted) can only become
 * a read-only container file, never a host file or a command. Web links (a rule's docs) pass.
 */
export function uriConverters(key: string, workspaceDir: string, containerRoot: string): { code2Protocol: (u: vscode.Uri) => string; protocol2Code: (s: string) => vscode.Uri } {
  const mapper = new PathMapper(workspaceDir, containerRoot);
  return {
    code2Protocol: (uri) => {
      if (uri.scheme === 'file') {
        const p = mapper.toContainer(uri.fsPath);
        if (p !== undefined) return vscode.Uri.file(p).toString();
      }
      const inContainer = parseContainerUri(uri);
      if (inContainer?.key === key) return vscode.Uri.file(inContainer.containerPath).toString();
      // Not ours to show the server (another folder, an untitled buffer): a path that maps nowhere.
      return uri.toString();
    },
    protocol2Code: (value) => {
      const uri = vscode.Uri.parse(value);
      if (uri.scheme === 'https' || uri.scheme === 'http') return uri;
      const p = uri.scheme === 'file' ? uri.path : `/${uri.scheme}${uri.path.startsWith('/') ? '' : '/'}${uri.path}`;
      const host = mapper.toHost(p);
      return host !== undefined ? vscode.Uri.file(host) : containerUri(key, normalizeAbsolute(p));
    },
  };
}

function normalizeAbsolute(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}
