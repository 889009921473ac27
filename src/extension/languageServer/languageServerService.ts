import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PythonToolsSettings } from '../../core/agent/tools/pythonTools';
import { DEFAULT_REGISTRY, nodeArtifactFor, PYRIGHT } from '../../core/languageServer/artifacts';
import { ensureArtifacts, type LanguageServerArtifacts } from '../../core/languageServer/ensureArtifacts';
import { cachedArtifact } from '../../core/languageServer/fetchArtifact';
import { artifactsBind, findInterpreter, type TypeCheckingMode } from '../../core/languageServer/serverLaunch';
import { ensureServerInContainer } from '../../core/languageServer/serverUpload';
import type { InstanceSpec } from '../../core/spec/instanceSpec';
import { isAbortError } from '../../core/util/abortError';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import type { DevContainerManager } from '../devContainers/devContainerManager';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';
import { ContainerFileSystem } from './containerFileSystem';
import { InstanceLanguageClient, type ServerState } from './instanceLanguageClient';
import { LanguageServerStatusBar } from './statusBar';

/** `sweGym.languageServer.*` */
function config() {
  const c = vscode.workspace.getConfiguration('sweGym.languageServer');
  return {
    enabled: c.get<boolean>('enabled') ?? true,
    mode: c.get<TypeCheckingMode>('typeCheckingMode') ?? 'basic',
    cacheDir: c.get<string>('cacheDir')?.trim() || undefined,
    registry: c.get<string>('registry')?.trim() || DEFAULT_REGISTRY,
  };
}

export type InstanceServerState = ServerState | 'off' | 'unavailable';

/**
 * Python language features for running instances: fetches the server once, mounts it into every
 * dev container launched while enabled (copies it into one on a remote engine), starts one server per running instance and stops it with
 * the container (or when the setting turns it off).
 */
export class LanguageServerService extends Disposable {
  private readonly clients = new Map<string, InstanceLanguageClient>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly unavailable = new Map<string, string>();
  private readonly files = this.register(new ContainerFileSystem());
  private readonly attached = new Map<string, vscode.Disposable>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly devContainers: DevContainerManager,
    private readonly runtimes: RuntimeProvider,
    private readonly globalStorage: vscode.Uri,
    private readonly log: Logger,
    private readonly notify: (message: string) => void,
    /** The instance's spec (its image's interpreter); undefined when its dataset is not loaded. */
    private readonly specOf: (instanceId: string) => InstanceSpec | undefined,
  ) {
    super();
    this.register(
      devContainers.addLaunchMounts(() => {
        if (!config().enabled) return [];
        // Mounted even before anything is fetched: the folder is what the container sees, and a
        // fetch that finishes after the launch shows up in it.
        fs.mkdirSync(this.cacheDir, { recursive: true });
        return [artifactsBind({ cacheDir: this.cacheDir })];
      }),
    );
    this.register(devContainers.onDidChange((id) => this.sync(id)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('sweGym.languageServer')) return;
        for (const id of new Set([...this.clients.keys(), ...devContainers.runningIds()])) void this.restart(id);
      }),
    );
    this.register(new LanguageServerStatusBar(this, devContainers));
  }

  get cacheDir(): string {
    return config().cacheDir ?? path.join(this.globalStorage.fsPath, 'language-server');
  }

  /** Starts servers for instances already running (after a reload). */
  syncAll(): void {
    for (const id of this.devContainers.runningIds()) this.sync(id);
  }

  stateOf(instanceId: string): { state: InstanceServerState; detail: string } {
    const client = this.clients.get(instanceId);
    if (client) return { state: client.state, detail: client.stateDetail };
    const why = this.unavailable.get(instanceId);
    if (why) return { state: 'unavailable', detail: why };
    return { state: this.pending.has(instanceId) ? 'starting' : 'off', detail: '' };
  }

  /** For tests and the status bar: the client of a running instance. */
  client(instanceId: string): InstanceLanguageClient | undefined {
    return this.clients.get(instanceId);
  }

  /** Settles when whatever start or stop is under way for the instance is done. */
  async settled(instanceId: string): Promise<void> {
    while (this.pending.has(instanceId)) await this.pending.get(instanceId);
  }

  private sync(id: string): void {
    if (this.isDisposed || this.pending.has(id)) return;
    const wanted = config().enabled && this.devContainers.view(id).state === 'running';
    const has = this.clients.has(id) || this.unavailable.has(id);
    if (wanted === has) return;
    const work = (wanted ? this.start(id) : this.stop(id))
      .catch((err: unknown) => {
        if (isAbortError(err)) return;
        this.unavailable.set(id, errorMessage(err));
        this.log.warn(`Python language server for ${id}: ${errorMessage(err)}`);
        this.notify(`Python language features for ${id} are unavailable: ${errorMessage(err)}`);
      })
      .finally(() => {
        this.pending.delete(id);
        this.changed.fire(id);
        // The session may have changed while this ran.
        this.sync(id);
      });
    this.pending.set(id, work);
    this.changed.fire(id);
  }

  private async restart(id: string): Promise<void> {
    await this.settled(id);
    await this.stop(id);
    this.sync(id);
  }

  private async start(id: string): Promise<void> {
    // A server starting beside the launch's terminal would slow its prompt down.
    await this.devContainers.afterFirstPrompt(id);
    const container = this.devContainers.containerOf(id);
    const workspaceDir = this.devContainers.workspaceDir(id);
    const image = this.devContainers.view(id).image;
    if (!container || !workspaceDir) return;
    const artifacts = await this.artifactsFor(image);
    // A remote engine cannot mount the cache: the server is copied in (once per container).
    const copy = this.devContainers.synced.has(id) || this.runtimes.get().remote === true;
    const t = Date.now();
    const placed = await ensureServerInContainer(container, artifacts, { copy });
    if (placed === 'copied') this.log.info(`${id}: copied the language server into the container on the remote engine (${Date.now() - t} ms)`);
    if (placed === 'missing') {
      this.unavailable.set(id, 'its container was started without the language server; stop and launch it again');
      this.log.info(`${id}: the dev container has no ${this.cacheDir} mount (launched with the language server off, or before it existed)`);
      return;
    }
    const spec = this.specOf(id);
    const { interpreter, fallback } = await findInterpreter(container, spec?.python.interpreter);
    if (!spec) this.log.warn(`${id}: its dataset is not loaded, so the spec's interpreter is unknown; ${interpreter} from PATH is used`);
    else if (fallback) this.log.warn(`${id}: ${fallback}`);
    const key = containerKey(id);
    const client: InstanceLanguageClient = new InstanceLanguageClient({
      instanceId: id,
      key,
      container,
      workspaceDir,
      artifacts,
      interpreter,
      mode: config().mode,
      log: this.log.child(key),
      notify: this.notify,
      shouldRestart: (): boolean => this.devContainers.view(id).state === 'running' && this.clients.get(id) === client,
    });
    this.clients.set(id, client);
    this.attached.set(id, this.files.attach(key, container));
    client.onDidChangeState(() => this.changed.fire(id));
    await client.start();
    this.log.info(`Python language server for ${id} started (interpreter ${interpreter}${spec && !fallback ? `: ${spec.python.reason}` : ''}, ${config().mode} type checking)`);
  }

  private async stop(id: string): Promise<void> {
    this.unavailable.delete(id);
    const client = this.clients.get(id);
    if (!client) return;
    this.clients.delete(id);
    await client.stop();
    client.dispose();
    this.attached.get(id)?.dispose();
    this.attached.delete(id);
    this.log.info(`Python language server for ${id} stopped`);
  }

  /**
   * What the agent's python_* tools need for a container of this image: the pyright and Node the
   * editor's server uses (fetched once, for the image's architecture) and the setting's mode.
   */
  async agentTools(image: string | undefined): Promise<PythonToolsSettings> {
    return { artifacts: await this.artifactsFor(image), mode: config().mode };
  }

  private async artifactsFor(image: string | undefined): Promise<LanguageServerArtifacts> {
    const runtime = this.runtimes.get();
    const architecture = (image && (await runtime.inspectImage(image))?.architecture) || (await runtime.engineArchitecture());
    return this.fetch(architecture);
  }

  /** Downloads (with a notification saying how much) only what is not cached yet. */
  private async fetch(architecture: string): Promise<LanguageServerArtifacts> {
    const { registry } = config();
    const cacheDir = this.cacheDir;
    if (cachedArtifact(PYRIGHT, cacheDir) && cachedArtifact(nodeArtifactFor(architecture), cacheDir)) {
      return ensureArtifacts({ architecture, cacheDir, registry });
    }
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Python language server (pyright + Node, once)', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        let last = 0;
        try {
          const a = await ensureArtifacts({
            architecture,
            cacheDir,
            registry,
            signal: abort.signal,
            onProgress: (p) => {
              const pct = p.fraction !== undefined ? Math.round(p.fraction * 100) : undefined;
              progress.report({ message: p.message.replace(/^Python language server: /, ''), ...(pct !== undefined && pct > last ? { increment: pct - last } : {}) });
              if (pct !== undefined) last = Math.max(last, pct);
            },
          });
          this.log.info(`Fetched the Python language server into ${cacheDir} (${(a.downloadedBytes / 1024 / 1024).toFixed(1)} MB)`);
          return a;
        } finally {
          sub.dispose();
        }
      },
    );
  }

  override dispose(): void {
    for (const id of [...this.clients.keys()]) void this.stop(id);
    super.dispose();
  }
}

/** An instance id as one path segment of a container URI (ids are `owner__repo-123`). */
export function containerKey(instanceId: string): string {
  return instanceId.replace(/[^A-Za-z0-9._-]/g, '_');
}

export type { ServerState };
