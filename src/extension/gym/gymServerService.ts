import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { GymSessions } from '../../core/gym/gymSessions';
import type { GymSession, GymSessionInfo } from '../../core/gym/gymSession';
import { startGymHttpServer, type GymHttpServer } from '../../core/gym/httpServer';
import type { Settings } from '../config';
import type { AgentRunStore } from '../agent/runStore';
import type { RuntimeProvider } from '../devContainers/runtimeProvider';
import { trajectoryRoot } from '../agent/agentSettings';
import { Disposable } from '../util/disposable';
import { errorMessage, type Logger } from '../util/logger';

/** SecretStorage key of the server's bearer token (never a setting, never logged). */
const TOKEN_KEY = 'sweGym.gym.token';

export type GymSessionAction = 'pause' | 'step' | 'resume' | 'stop';

export interface GymServerDeps {
  runtimes: RuntimeProvider;
  settings: Settings;
  secrets: vscode.SecretStorage;
  globalStorage: vscode.Uri;
  /** The agent run table: every session is a row there, beside the agent's rollouts. */
  runs?: AgentRunStore;
  log: Logger;
}

export interface RunningGymServer {
  url: string;
  port: number;
  runId: string;
  runDir: string;
  startedAt: number;
}

/**
 * The gym server started from VS Code (issue 12 item 4): the core's HTTP+MCP server on a loopback
 * port, with a bearer token kept in SecretStorage. Its sessions are listed live and a person can
 * pause, step or stop them. The server and its sessions' containers end with the extension.
 */
export class GymServerService extends Disposable {
  private server: GymHttpServer | undefined;
  private sessions: GymSessions | undefined;
  private info: RunningGymServer | undefined;
  private starting: Promise<RunningGymServer> | undefined;
  private stopping: Promise<void> | undefined;
  private offEvents: (() => void) | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The server started or stopped, or a session changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly d: GymServerDeps) {
    super();
  }

  get running(): RunningGymServer | undefined {
    return this.info;
  }

  /** Sessions still on the server, oldest first. */
  list(): GymSessionInfo[] {
    return this.sessions?.list().sort((a, b) => a.created_at.localeCompare(b.created_at)) ?? [];
  }

  /** A session of the running server (for live views; not counted as a client's request). */
  session(sessionId: string): GymSession | undefined {
    return this.sessions?.peek(sessionId);
  }

  /** The token clients send as `Authorization: Bearer …`; made once and kept in SecretStorage. */
  async token(): Promise<string> {
    const known = await this.d.secrets.get(TOKEN_KEY);
    if (known) return known;
    const made = randomBytes(24).toString('base64url');
    await this.d.secrets.store(TOKEN_KEY, made);
    return made;
  }

  /** Replaces the token (clients holding the old one are refused after the next start). */
  async rotateToken(): Promise<void> {
    await this.d.secrets.delete(TOKEN_KEY);
    await this.token();
  }

  /** Stopping: sessions are being ended and their containers removed. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  start(port?: number): Promise<RunningGymServer> {
    if (this.info && !this.stopping) return Promise.resolve(this.info);
    this.starting ??= this.startServer(port).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startServer(portOverride?: number): Promise<RunningGymServer> {
    if (this.stopping) await this.stopping;
    const cfg = vscode.workspace.getConfiguration('sweGym.gym');
    const port = portOverride ?? cfg.get<number>('port') ?? 8765;
    const s = this.d.settings;
    const sessions = new GymSessions({
      runtime: this.d.runtimes.get(),
      outDir: trajectoryRoot(this.d.globalStorage),
      idleTimeoutMs: Math.max(5, cfg.get<number>('idleTimeoutSeconds') ?? 600) * 1000,
      maxSessions: Math.max(1, cfg.get<number>('maxSessions') ?? 8),
      maxSteps: Math.max(1, cfg.get<number>('maxSteps') ?? 1000),
      imageTemplate: s.imageTemplate,
      allowPull: s.allowPull,
      skipInstall: s.skipInstall,
      reward: { timeoutSeconds: s.timeoutSeconds },
      ...(this.d.runs ? { runTable: { rows: this.d.runs, owner: this.d.runs.owners.self, onError: (err: unknown) => this.d.log.warn(`A gym session's row in the run table could not be written: ${errorMessage(err)}`) } } : {}),
    });
    let server: GymHttpServer;
    try {
      server = await startGymHttpServer({ sessions, host: '127.0.0.1', port, token: await this.token() });
    } catch (err) {
      await sessions.close();
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new Error(inUse ? `Port ${port} is in use: set sweGym.gym.port to a free port (0 picks one).` : `The gym server could not start: ${errorMessage(err)}`);
    }
    this.sessions = sessions;
    this.server = server;
    this.info = { url: server.url, port: server.port, runId: sessions.runId, runDir: sessions.runDir, startedAt: Date.now() };
    this.offEvents = sessions.onEvent((e) => {
      this.d.log.info(`gym session ${e.session.session_id} (${e.session.instance_id}, ${e.session.client}): ${e.type === 'changed' ? e.session.state : e.type}${e.type === 'changed' ? `, ${e.session.steps} step(s)` : ''}`);
      this.changed.fire();
    });
    void vscode.commands.executeCommand('setContext', 'sweGym.gym.running', true);
    this.d.log.info(`Gym server on ${server.url} (run ${sessions.runId}, trajectories in ${sessions.runDir}; bearer token required)`);
    this.changed.fire();
    const info = this.info;
    // The window closed while it was starting: it must not outlive the extension.
    if (this.isDisposed) void this.stop();
    return info;
  }

  /** A person's control of one session; stop ends it and removes its container. */
  async control(sessionId: string, action: GymSessionAction): Promise<GymSessionInfo | undefined> {
    const sessions = this.sessions;
    if (!sessions) throw new Error('The gym server is not running.');
    if (action === 'stop') {
      await sessions.delete(sessionId, 'stopped from VS Code');
      this.changed.fire();
      return undefined;
    }
    return sessions.control(sessionId, action);
  }

  /** Stops listening, ends every session and waits until their containers are removed. */
  stop(): Promise<void> {
    const server = this.server;
    if (!server) return this.stopping ?? Promise.resolve();
    this.server = undefined;
    this.offEvents?.();
    this.stopping = server
      .close()
      .catch((err: unknown) => this.d.log.error('Stopping the gym server', err))
      .finally(() => {
        // The view keeps the server until its containers are gone (it says it is stopping).
        this.info = undefined;
        this.sessions = undefined;
        this.stopping = undefined;
        this.d.log.info('Gym server stopped; its sessions ended and their containers were removed.');
        if (!this.isDisposed) {
          void vscode.commands.executeCommand('setContext', 'sweGym.gym.running', false);
          this.changed.fire();
        }
      });
    this.changed.fire();
    return this.stopping;
  }

  override dispose(): void {
    // deactivate() awaits the same promise; here it is only started.
    void this.stop();
    super.dispose();
  }
}
