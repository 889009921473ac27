import * as rpc from 'vscode-jsonrpc/node';
import type { ContainerHandle } from '../runtime/containerRuntime';
import { abortError } from '../util/abortError';
import type { LanguageServerArtifacts } from './ensureArtifacts';
import { execStdio, type ExecStdio } from './execStdio';
import { serverCommand, serverSettings, type TypeCheckingMode } from './serverLaunch';

/** Zero-based, as LSP counts (characters are UTF-16 code units). */
export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
/** A place in the container's file system (an absolute container path). */
export interface ServerLocation {
  path: string;
  range: LspRange;
}
export interface ServerDiagnostic {
  range: LspRange;
  message: string;
  /** 1 error, 2 warning, 3 information, 4 hint. */
  severity?: number;
  code?: string | number;
}

export interface ServerSessionOptions {
  container: ContainerHandle;
  artifacts: Pick<LanguageServerArtifacts, 'nodeDir' | 'pyrightDir'>;
  /** The interpreter imports resolve with (the spec's). */
  interpreter: string;
  /** The workspace root in the container (/testbed). */
  rootDir: string;
  mode?: TypeCheckingMode;
  /** Each request's own limit (default 60 s). */
  requestTimeoutMs?: number;
  onStderr?: (text: string) => void;
  signal?: AbortSignal;
}

type RawLocation = { uri: string; range: LspRange } | { targetUri: string; targetSelectionRange?: LspRange; targetRange: LspRange };

/**
 * pyright in a container spoken to without VS Code (the agent's python_* tools; the editor has
 * vscode-languageclient). The caller tells it what changed: `sync` for files it asks about (they
 * become open documents with the text given), `filesChanged` for others edited on disk.
 */
export class ServerSession {
  private readonly documents = new Map<string, { version: number; text: string }>();
  private closed = false;

  private constructor(
    private readonly proc: ExecStdio,
    private readonly connection: rpc.MessageConnection,
    private readonly o: ServerSessionOptions,
  ) {
    connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => serverSettings(i.section, o.interpreter, o.mode ?? 'basic')));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    // Sent after settings arrive; left unanswered, pyright never finishes setting the workspace up.
    connection.onRequest('workspace/diagnostic/refresh', () => null);
    connection.onClose(() => this.markClosed());
    void proc.exited.then(() => this.markClosed());
    connection.listen();
  }

  /** Starts the server in the container and initializes it for `rootDir`. */
  static async start(o: ServerSessionOptions): Promise<ServerSession> {
    const proc = await execStdio(o.container, serverCommand(o.artifacts), { cwd: o.rootDir, ...(o.onStderr ? { onStderr: o.onStderr } : {}) });
    const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.reader), new rpc.StreamMessageWriter(proc.writer));
    const session = new ServerSession(proc, connection, o);
    try {
      const root = uriOf(o.rootDir);
      await session.request('initialize', {
        // The host's pid means nothing in the container (pyright would poll it and exit).
        processId: null,
        rootUri: root,
        workspaceFolders: [{ uri: root, name: 'testbed' }],
        capabilities: {
          workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
          // Pull diagnostics: the server checks the file when asked and answers for the text it has
          // (pushed ones come whenever its background analysis gets there, maybe stale).
          textDocument: { diagnostic: { dynamicRegistration: true }, definition: { linkSupport: true }, references: {}, synchronization: { didSave: false } },
        },
      }, o.signal, 120_000);
      await connection.sendNotification('initialized', {});
      return session;
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  /** False once the process exited or the connection closed: start a new one. */
  get alive(): boolean {
    return !this.closed;
  }

  /** Gives the server the file's current text; returns its document version. */
  async sync(path: string, text: string): Promise<number> {
    const doc = this.documents.get(path);
    if (doc && doc.text === text) return doc.version;
    const uri = uriOf(path);
    if (!doc) {
      this.documents.set(path, { version: 1, text });
      await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      return 1;
    }
    const version = doc.version + 1;
    this.documents.set(path, { version, text });
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  isOpen(path: string): boolean {
    return this.documents.has(path);
  }

  /** Files changed (or created, or deleted) on disk that are not open documents: the server re-reads them. */
  async filesChanged(changes: { path: string; type: 'created' | 'changed' | 'deleted' }[]): Promise<void> {
    if (!changes.length) return;
    const type = { created: 1, changed: 2, deleted: 3 };
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: changes.map((c) => ({ uri: uriOf(c.path), type: type[c.type] })) });
  }

  async definition(path: string, at: LspPosition, signal?: AbortSignal): Promise<ServerLocation[]> {
    return locations(await this.request<RawLocation | RawLocation[] | null>('textDocument/definition', { textDocument: { uri: uriOf(path) }, position: at }, signal));
  }

  async references(path: string, at: LspPosition, signal?: AbortSignal): Promise<ServerLocation[]> {
    return locations(await this.request<RawLocation[] | null>('textDocument/references', { textDocument: { uri: uriOf(path) }, position: at, context: { includeDeclaration: true } }, signal));
  }

  /** The server's diagnostics for an open document as it is now (it checks the file to answer). */
  async diagnostics(path: string, signal?: AbortSignal): Promise<ServerDiagnostic[]> {
    const report = await this.request<{ kind: string; items?: ServerDiagnostic[] }>('textDocument/diagnostic', { textDocument: { uri: uriOf(path) } }, signal);
    return report.items ?? [];
  }

  /** Asks the server to shut down, then kills its process in the container. Never throws. */
  async close(): Promise<void> {
    if (!this.closed) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // Gone already: killed below either way.
      }
    }
    this.markClosed();
    this.connection.dispose();
    await this.proc.kill();
  }

  private markClosed(): void {
    this.closed = true;
  }

  private async request<T>(method: string, params: object, signal?: AbortSignal, timeoutMs = this.o.requestTimeoutMs ?? 60_000): Promise<T> {
    if (this.closed) throw new Error('The language server has stopped.');
    if (signal?.aborted) throw abortError();
    const cancel = new rpc.CancellationTokenSource();
    // Cancelling sends a notification, which throws once the connection is closed.
    const stop = () => {
      try {
        cancel.cancel();
      } catch {
        // Closed: nothing to tell the server.
      }
    };
    const onAbort = stop;
    signal?.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stop();
        reject(new Error(`The language server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.connection.sendRequest<T>(method, params, cancel.token), timeout]);
    } catch (err) {
      if (signal?.aborted) throw abortError();
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }
}

/** A container path as a file URI (percent-encoded, POSIX whatever the host). */
export function uriOf(path: string): string {
  const url = new URL('file:///');
  url.pathname = path;
  return url.href;
}

/** The container path of a file URI; undefined for any other scheme. */
export function pathOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'file:' ? decodeURIComponent(url.pathname) : undefined;
  } catch {
    return undefined;
  }
}

function locations(raw: RawLocation | RawLocation[] | null): ServerLocation[] {
  const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  return list.flatMap((l) => {
    const path = pathOf('targetUri' in l ? l.targetUri : l.uri);
    const range = 'targetUri' in l ? (l.targetSelectionRange ?? l.targetRange) : l.range;
    return path === undefined ? [] : [{ path, range }];
  });
}
