import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { safeName, type RewardSettings, type ToolSettings } from '../agent/agentRollout';
import { loadDataset } from '../dataset/loadDataset';
import type { LoadedDataset } from '../dataset/taskInstance';
import { newRunId } from '../harness/runId';
import type { ContainerRuntime } from '../runtime/containerRuntime';
import { datasetContextOf } from '../spec/datasetContext';
import { type InstanceSpec, InstanceSpecError, makeInstanceSpec, type SpecSettings } from '../spec/instanceSpec';
import { GymError } from './gymErrors';
import { GymSessionRow, type GymRunTableOptions } from './gymRunRow';
import { GYM_TOOL_SETS, GymSession, type GymSessionInfo } from './gymSession';

/** The spec settings (image template, pulls, install step, rules) apply to every session. */
export interface GymSessionsOptions extends SpecSettings {
  runtime: ContainerRuntime;
  /** Run folders go here: <outDir>/<runId>/<instance>_<n>.json(l), viewed and exported like rollouts. */
  outDir: string;
  runId?: string;
  /** A session with no request for this long is ended and its container removed (default 10 min). */
  idleTimeoutMs?: number;
  /** Steps per session before it ends itself (default 1000): a runaway client cannot hold a container forever. */
  maxSteps?: number;
  /** Sessions at once (default 16); more is refused with 429. */
  maxSessions?: number;
  /** When set, only these dataset sources may be opened. */
  datasets?: string[];
  tools?: ToolSettings;
  reward?: RewardSettings;
  /** The agent run table: each session is a row there beside our own rollouts (and takes its index from it). */
  runTable?: GymRunTableOptions;
}

export interface CreateSessionRequest {
  dataset?: unknown;
  instance_id?: unknown;
  tools?: unknown;
  /** The client's model, recorded in the trajectory. */
  model?: unknown;
  /** The client's own name for live views (else the transport's: User-Agent, MCP client name). */
  client?: unknown;
}

export type GymSessionsEvent = { type: 'created' | 'changed' | 'ended'; session: GymSessionInfo };

/** Ended sessions stay listed this long (their trajectory can be fetched), then only their id is remembered. */
const KEEP_ENDED_MS = 10 * 60_000;

/**
 * The sessions of one gym server: creation (dataset loaded once per source), lookup, the idle
 * reaper and the shutdown that leaves no container behind. Transport-free: HTTP and MCP both sit
 * on it, and the VS Code view lists it.
 */
export class GymSessions {
  readonly runId: string;
  readonly runDir: string;
  /** Container label shared by every session's containers, so a shutdown can find them all. */
  readonly containerSession = `gym-${randomBytes(4).toString('hex')}`;
  private readonly sessions = new Map<string, GymSession>();
  private readonly gone = new Map<string, string>();
  private readonly datasets = new Map<string, Promise<LoadedDataset>>();
  private readonly perInstance = new Map<string, number>();
  private readonly listeners = new Set<(e: GymSessionsEvent) => void>();
  private readonly rows = new Set<GymSessionRow>();
  private readonly reaper: NodeJS.Timeout;
  private readonly shutdown = new AbortController();
  private starting = 0;
  private closed = false;

  constructor(private readonly o: GymSessionsOptions) {
    this.runId = o.runId ?? newRunId('gym');
    this.runDir = path.join(o.outDir, this.runId);
    fs.mkdirSync(this.runDir, { recursive: true });
    fs.writeFileSync(path.join(this.runDir, 'run.json'), `${JSON.stringify({ run_id: this.runId, created_at: new Date().toISOString(), driver: 'gym-server' }, null, 2)}\n`);
    const idle = this.idleTimeoutMs;
    this.reaper = setInterval(() => void this.reapIdle(), Math.max(200, Math.min(5000, Math.floor(idle / 4))));
    this.reaper.unref();
  }

  get idleTimeoutMs(): number {
    return this.o.idleTimeoutMs ?? 10 * 60_000;
  }

  onEvent(listener: (e: GymSessionsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): GymSessionInfo[] {
    return [...this.sessions.values()].map((s) => s.info);
  }

  async create(req: CreateSessionRequest): Promise<GymSession> {
    if (this.closed) throw new GymError(503, 'The gym server is shutting down.');
    if (typeof req.dataset !== 'string' || !req.dataset) throw new GymError(400, 'A session needs `dataset`: a dataset file or folder, a Hugging Face cache name, or "samples".');
    if (typeof req.instance_id !== 'string' || !req.instance_id) throw new GymError(400, 'A session needs `instance_id`: the instance to work on.');
    const tools = req.tools ?? 'swe-gym';
    if (typeof tools !== 'string' || !(GYM_TOOL_SETS as readonly string[]).includes(tools)) throw new GymError(400, `\`tools\` takes one of ${GYM_TOOL_SETS.join(', ')}, got ${JSON.stringify(tools)}.`);
    if (req.model !== undefined && typeof req.model !== 'string') throw new GymError(400, '`model` is the name of the client\'s model, a string.');
    if (req.client !== undefined && typeof req.client !== 'string') throw new GymError(400, '`client` is the name of your scaffold, a string.');
    if (this.o.datasets && !this.o.datasets.includes(req.dataset)) throw new GymError(403, `This server serves only the datasets ${this.o.datasets.map((d) => JSON.stringify(d)).join(', ')}.`);
    const open = [...this.sessions.values()].filter((s) => !s.ended).length + this.starting;
    if (open >= this.maxSessions) throw new GymError(429, `The server already runs ${open} session(s), its limit (--max-sessions ${this.maxSessions}); end one with DELETE first.`);
    this.starting++;
    try {
      const dataset = await this.dataset(req.dataset);
      const instance = dataset.instances.find((i) => i.instance_id === req.instance_id);
      if (!instance) throw new GymError(404, `The dataset ${dataset.name} has no instance ${JSON.stringify(req.instance_id)}.`);
      const key = safeName(instance.instance_id);
      // With a run table, the index is the instance's next one there (unique across windows and runs).
      const index = this.o.runTable ? await this.o.runTable.rows.reserveIndex(instance.instance_id) : (this.perInstance.get(key) ?? 0);
      this.perInstance.set(key, index + 1);
      let spec: InstanceSpec;
      try {
        spec = makeInstanceSpec(instance, datasetContextOf(dataset), { imageTemplate: this.o.imageTemplate, allowPull: this.o.allowPull, skipInstall: this.o.skipInstall, rules: this.o.rules });
      } catch (err) {
        // What the row alone rules out is refused before any container starts.
        if (err instanceof InstanceSpecError) throw new GymError(422, err.message);
        throw err;
      }
      const started: { session?: GymSession; row?: GymSessionRow } = {};
      const session = await GymSession.start({
        onActivity: () => started.session && this.emit('changed', started.session),
        onEvaluated: (entry) => started.row?.evaluated(entry),
        onStartFailed: (failed) => this.o.runTable && this.rows.add(GymSessionRow.follow(this.o.runTable, failed, this.runId)),
        runtime: this.o.runtime,
        spec,
        dataset: req.dataset,
        trajectoryDir: this.runDir,
        runId: this.runId,
        index,
        containerSession: this.containerSession,
        modelName: typeof req.model === 'string' ? req.model : undefined,
        client: typeof req.client === 'string' && req.client ? req.client.slice(0, 200) : undefined,
        tools: this.o.tools,
        reward: this.o.reward,
        maxSteps: this.o.maxSteps ?? 1000,
        signal: this.shutdown.signal,
      });
      started.session = session;
      if (this.o.runTable) {
        started.row = GymSessionRow.follow(this.o.runTable, session, this.runId);
        this.rows.add(started.row);
      }
      this.sessions.set(session.id, session);
      session.rollout.events.subscribe(
        (e) => {
          if (e.type === 'step_finished' || e.type === 'paused' || e.type === 'resumed' || e.type === 'reward' || e.type === 'tool_call' || e.type === 'observation') this.emit('changed', session);
        },
        { replay: false },
      );
      void session.whenEnded().then(() => this.emit('ended', session));
      this.emit('created', session);
      return session;
    } finally {
      this.starting--;
    }
  }

  /** The session, or 404 (410 for one that was reaped or deleted, saying so). */
  get(id: string): GymSession {
    const s = this.sessions.get(id);
    if (s) {
      s.touch();
      return s;
    }
    const gone = this.gone.get(id);
    if (gone) throw new GymError(410, `Session ${id} is gone: ${gone}.`);
    throw new GymError(404, `No session ${JSON.stringify(id)} on this server.`);
  }

  /** The session without counting as a client's request (live views), or undefined. */
  peek(id: string): GymSession | undefined {
    return this.sessions.get(id);
  }

  /** A person's control of a session from a live view (pause, step once, resume). */
  control(id: string, action: 'pause' | 'step' | 'resume'): GymSessionInfo {
    const s = this.sessions.get(id);
    if (!s) throw new GymError(404, `No session ${JSON.stringify(id)} on this server.`);
    s.control(action);
    this.emit('changed', s);
    return s.info;
  }

  /** Ends a session (its container removed) and forgets it. */
  async delete(id: string, reason = 'deleted by a client'): Promise<void> {
    const s = this.get(id);
    this.sessions.delete(id);
    this.gone.set(id, reason);
    await s.close(reason === 'deleted by a client' ? 'deleted' : reason);
  }

  /** Ends every session and waits until their containers are removed. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    this.shutdown.abort();
    await Promise.all([...this.sessions.values()].map((s) => s.close('ended by the server shutting down')));
    await this.rowsWritten();
  }

  /** Resolves once every session's row is written as it stands now (the run table). */
  async rowsWritten(): Promise<void> {
    await Promise.all([...this.rows].map((r) => r.settled()));
  }

  private get maxSessions(): number {
    return this.o.maxSessions ?? 16;
  }

  private dataset(source: string): Promise<LoadedDataset> {
    let p = this.datasets.get(source);
    if (!p) {
      p = loadDataset(source).catch((err: unknown) => {
        this.datasets.delete(source);
        throw new GymError(400, `Cannot load the dataset ${JSON.stringify(source)}: ${(err as Error).message}`);
      });
      this.datasets.set(source, p);
    }
    return p;
  }

  private async reapIdle(): Promise<void> {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (s.state === 'paused') continue; // a person holds it in the live view
      const idle = s.idleMs(now);
      if (s.ended ? idle < KEEP_ENDED_MS && idle < this.idleTimeoutMs * 2 : idle < this.idleTimeoutMs) continue;
      this.sessions.delete(id);
      this.gone.set(id, s.ended ? 'ended, and forgotten after being idle' : `reaped after ${Math.round(idle / 1000)} s without a request (idle timeout ${Math.round(this.idleTimeoutMs / 1000)} s); its container was removed`);
      await s.close('reaped for being idle');
    }
  }

  private emit(type: GymSessionsEvent['type'], session: GymSession): void {
    const info = session.info;
    for (const l of this.listeners) {
      try {
        l({ type, session: info });
      } catch {
        // A view's failure is not the server's.
      }
    }
  }
}
