import * as rpc from 'vscode-jsonrpc/node';
import type { Readable, Writable } from 'node:stream';

export interface Diagnostic {
  message: string;
  severity?: number;
  range: { start: { line: number; character: number } };
}

/**
 * A bare LSP client over a pair of streams, for tests and benchmarks that speak to pyright
 * without VS Code (the extension uses vscode-languageclient).
 */
export class LspClient {
  readonly connection: rpc.MessageConnection;
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters: (() => void)[] = [];

  constructor(reader: Readable, writer: Writable, settings: (section: string | undefined) => unknown) {
    this.connection = rpc.createMessageConnection(new rpc.StreamMessageReader(reader), new rpc.StreamMessageWriter(writer));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => settings(i.section)));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.listen();
  }

  async initialize(rootUri: string): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: null,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'testbed' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: {}, definition: {}, references: {}, rename: { prepareSupport: true } },
        window: { workDoneProgress: true },
      },
    });
    await this.connection.sendNotification('initialized', {});
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  request<T>(method: string, uri: string, line: number, character: number, extra: object = {}): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri }, position: { line, character }, ...extra }) as Promise<T>;
  }

  /** Resolves with the diagnostics of `uri` once `accept` likes them (or rejects after timeoutMs). */
  async waitForDiagnostics(uri: string, accept: (d: Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.diagnostics.get(uri);
      if (d && accept(d)) return d;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no accepted diagnostics for ${uri} in ${timeoutMs} ms; last: ${JSON.stringify(d)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
  }
}
