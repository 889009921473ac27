import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, State, Trace, type InitializeParams, type LanguageClientOptions, type StreamInfo } from 'vscode-languageclient/node';
import { REPO_DIR } from '../../core/devcontainer/devShell';
import type { LanguageServerArtifacts } from '../../core/languageServer/ensureArtifacts';
import { execStdio, type ExecStdio } from '../../core/languageServer/execStdio';
import { serverCommand, serverSettings, type TypeCheckingMode } from '../../core/languageServer/serverLaunch';
import type { ContainerHandle } from '../../core/runtime/containerRuntime';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import { CONTAINER_SCHEME } from './containerFileSystem';
import { uriConverters } from './uriConverters';

export type ServerState = 'starting' | 'indexing' | 'ready' | 'restarting' | 'stopped' | 'failed';

/** Crashes tolerated in RESTART_WINDOW_MS before the server is left stopped. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 3 * 60_000;

export interface InstanceClientOptions {
  instanceId: string;
  /** The instance's key in `swe-gym-container:` URIs. */
  key: string;
  container: ContainerHandle;
  workspaceDir: string;
  artifacts: LanguageServerArtifacts;
  interpreter: string;
  mode: TypeCheckingMode;
  log: Logger;
  /** Warnings the user must see (a crash, a give-up). */
  notify: (message: string) => void;
  /** False once the container is stopping or gone: a closed connection is then no crash. */
  shouldRestart: () => boolean;
}

/**
 * One pyright per running instance, in its container, spoken to by vscode-languageclient over
 * the stdio of an exec. It serves the instance's folder and the container files opened from it,
 * nothing else (so it coexists with the Python extension on every other folder).
 */
export class InstanceLanguageClient extends Disposable {
  private readonly client: LanguageClient;
  private process: ExecStdio | undefined;
  private stopping = false;
  private crashes: number[] = [];
  private stateValue: ServerState = 'starting';
  private detail = '';
  private readonly changed = this.register(new vscode.EventEmitter<ServerState>());
  readonly onDidChangeState = this.changed.event;
  /** Server processes started so far (1 + restarts). */
  starts = 0;

  constructor(private readonly o: InstanceClientOptions) {
    super();
    const dir = o.workspaceDir.replace(/\\/g, '/');
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python', pattern: `${dir}/**/*` },
        { scheme: CONTAINER_SCHEME, language: 'python', pattern: `/${o.key}/**/*` },
      ],
      workspaceFolder: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(o.workspaceDir)) ?? { uri: vscode.Uri.file(o.workspaceDir), name: o.instanceId, index: 0 },
      uriConverters: uriConverters(o.key, o.workspaceDir, REPO_DIR),
      outputChannel: logChannel(o.log),
      // Message traces at the log's trace level (Developer: Set Log Level… to see them).
      traceOutputChannel: logChannel(o.log, 'trace'),
      diagnosticCollectionName: `swe-gym-python-${o.key}`,
      markdown: { isTrusted: false, supportHtml: false },
      progressOnInitialization: true,
      middleware: {
        // The server's settings are ours: the host's python settings mean nothing in the container.
        workspace: { configuration: (params) => params.items.map((i) => serverSettings(i.section, o.interpreter, o.mode)) },
        // A server may ask to open anything; nothing from the container opens outside the editor.
        window: {
          showDocument: async (params, next) => {
            if (params.external) return { success: false };
            const r = await next(params, new vscode.CancellationTokenSource().token);
            return 'success' in r ? r : { success: false };
          },
        },
        handleWorkDoneProgress: (token, params, next) => {
          if (params.kind === 'end') this.setState('ready');
          else this.setState('indexing', params.message ?? ('title' in params ? params.title : ''));
          next(token, params);
        },
      },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => this.onClosed(),
      },
      initializationFailedHandler: (err) => {
        this.o.log.warn(`pyright in ${o.instanceId} failed to initialize: ${errorMessage(err)}`);
        return false;
      },
    };
    this.client = new ContainerLanguageClient(`sweGym.python.${o.key}`, `Python in ${o.instanceId} (container)`, () => this.spawn(), clientOptions);
    // A restart after a crash is the client's own: it says when the new server is up.
    this.register(
      this.client.onDidChangeState((e) => {
        if (e.newState === State.Running && (this.stateValue === 'restarting' || this.stateValue === 'starting')) this.setState('ready');
      }),
    );
  }

  /** The interpreter the server resolves imports with (the spec's, in the container). */
  get interpreter(): string {
    return this.o.interpreter;
  }

  get state(): ServerState {
    return this.stateValue;
  }
  get stateDetail(): string {
    return this.detail;
  }

  async start(): Promise<void> {
    this.setState('starting');
    await this.client.start();
    await this.client.setTrace(Trace.Messages);
    if (this.stateValue === 'starting') this.setState('ready');
  }

  /** Stops the server and kills its process in the container, whatever state the protocol is in. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      if (this.client.isRunning()) await this.client.stop(3000);
    } catch (err) {
      this.o.log.debug(`stopping pyright in ${this.o.instanceId}: ${errorMessage(err)}`);
    }
    await this.process?.kill();
    this.setState('stopped');
  }

  override dispose(): void {
    void this.stop().finally(() => void this.client.dispose().catch(() => undefined));
    super.dispose();
  }

  private async spawn(): Promise<StreamInfo> {
    this.starts++;
    const cmd = serverCommand(this.o.artifacts);
    this.o.log.info(`Starting pyright in ${this.o.instanceId}: ${cmd.join(' ')} (interpreter ${this.o.interpreter})`);
    const proc = await execStdio(this.o.container, cmd, { cwd: REPO_DIR, onStderr: (t) => this.o.log.debug(`pyright stderr: ${t.trimEnd()}`) });
    this.process = proc;
    void proc.exited.then((code) => this.o.log.info(`pyright in ${this.o.instanceId} exited (${code ?? 'killed'})`));
    return { reader: proc.reader, writer: proc.writer, detached: false };
  }

  private onClosed(): { action: CloseAction; handled: boolean } {
    if (this.stopping || this.isDisposed || !this.o.shouldRestart()) return { action: CloseAction.DoNotRestart, handled: true };
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.crashes.length > MAX_RESTARTS) {
      this.setState('failed', `crashed ${this.crashes.length} times in 3 minutes`);
      this.o.notify(`The Python language server of ${this.o.instanceId} crashed ${this.crashes.length} times in 3 minutes and was left stopped. The log (SWE-Gym Studio output) says why; relaunch the instance to try again.`);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.setState('restarting');
    this.o.notify(`The Python language server of ${this.o.instanceId} stopped unexpectedly; restarting it (${this.crashes.length} of ${MAX_RESTARTS}).`);
    return { action: CloseAction.Restart, handled: true };
  }

  private setState(state: ServerState, detail = ''): void {
    if (state === this.stateValue && detail === this.detail) return;
    this.stateValue = state;
    this.detail = detail;
    this.changed.fire(state);
  }
}

/**
 * The host's pid means nothing in the container: pyright would poll it, find no such process and
 * exit after a few seconds. The server's lifetime is the exec's, which we own.
 */
class ContainerLanguageClient extends LanguageClient {
  protected override fillInitializeParams(params: InitializeParams): void {
    super.fillInitializeParams(params);
    params.processId = null;
  }
}

/** The client's own log lines go to our one channel. */
function logChannel(log: Logger, level: 'info' | 'trace' = 'info'): vscode.OutputChannel {
  const line = (s: string) => s.trim() && log[level](s.trimEnd());
  return {
    name: 'SWE-Gym Studio',
    append: line,
    appendLine: line,
    replace: line,
    clear: () => undefined,
    show: () => log.show(),
    hide: () => undefined,
    dispose: () => undefined,
  };
}
