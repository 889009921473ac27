/**
 * Our own small container-engine interface. Docker (dockerode) implements it; nothing outside
 * src/core/runtime talks to the engine directly, so the harness and the extension can be tested
 * against any engine that honours these semantics.
 */

/** Every container we create carries these labels, so the reaper can find leftovers. */
export const LABEL_OWNER = 'io.swe-gym-studio.owner';
export const LABEL_OWNER_VALUE = 'swe-gym-studio';
export const LABEL_INSTANCE = 'io.swe-gym-studio.instance';
export const LABEL_PURPOSE = 'io.swe-gym-studio.purpose';
export const LABEL_SESSION = 'io.swe-gym-studio.session';
/** Informational only: a pid means nothing across PID namespaces and machines. */
export const LABEL_CREATED_BY_PID = 'io.swe-gym-studio.pid';
/** A random token per runtime (process): its heartbeat says whether the creator still lives. */
export const LABEL_RUN = 'io.swe-gym-studio.run';
/** Who created it (user@host by default): leftovers of another profile are not ours to remove. */
export const LABEL_PROFILE = 'io.swe-gym-studio.profile';

/** seed: the throwaway container a launch copies the repository out of. */
export type ContainerPurpose = 'eval' | 'dev' | 'agent' | 'bench' | 'test' | 'seed';

/**
 * none: no network interface at all. isolated: a bridge of our own per purpose with inter-container
 * traffic off (reaches the internet and, through the bridge gateway, the host's services; never
 * another container). default: Docker's default bridge (tests and benchmarks only).
 */
export type ContainerNetwork = 'none' | 'isolated' | 'default';

/** Resource limits applied to every container; undefined fields take the runtime's defaults. */
export interface ContainerLimits {
  memoryBytes?: number;
  /** Processes and threads together (the pids cgroup). */
  pidsLimit?: number;
  /** CPUs as a fraction (1.5 = one and a half cores); no CPU limit when unset. */
  cpus?: number;
}

/** Written into each live container by the runtime that owns it, read by the leftover finder. */
export interface Heartbeat {
  run: string;
  /** Epoch milliseconds, writer's clock. */
  at: number;
}

export interface ContainerSpec {
  image: string;
  purpose: ContainerPurpose;
  instanceId?: string;
  /** Groups containers of one session (an extension window, a CLI run). */
  sessionId?: string;
  name?: string;
  env?: Record<string, string>;
  workingDir?: string;
  /** host path -> container path */
  binds?: { hostPath: string; containerPath: string; readOnly?: boolean }[];
  memoryBytes?: number;
  /** Overrides the runtime's default; see ContainerLimits. */
  pidsLimit?: number;
  cpus?: number;
  /** Unset: by purpose (eval isolated; dev and agent none unless the runtime allows the internet; seed none). */
  network?: ContainerNetwork;
  extraLabels?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  /** Kill the process (and its process group) after this long. */
  timeoutMs?: number;
  /** Cap on captured bytes per stream; the rest is dropped and `truncated` set. */
  maxOutputBytes?: number;
  stdin?: string | Buffer;
  /** Also hand back stdout as bytes (`stdoutBytes`): a tar or other binary written there. */
  rawStdout?: boolean;
  signal?: AbortSignal;
  /** Streaming callback for progress/live logs. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExecResult {
  /** null when the process was killed (timeout or cancel) before reporting one. */
  exitCode: number | null;
  stdout: string;
  /** stdout as bytes, when `rawStdout` was asked for. */
  stdoutBytes?: Buffer;
  stderr: string;
  /** stdout and stderr merged in arrival order, as `2>&1` would give. */
  output: string;
  timedOut: boolean;
  cancelled: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string>;
  user?: string;
  /** Allocate a pseudo-terminal (interactive shells, terminals): output arrives as one stream. */
  tty?: boolean;
  /** Initial terminal size when tty is set. */
  columns?: number;
  rows?: number;
}

/** A long-lived process in a container: stdin stays open until closed or killed. */
export interface SpawnedProcess {
  write(data: string | Buffer): void;
  /** Closes stdin (EOF). */
  end(): void;
  onOutput(listener: (chunk: string, stream: 'stdout' | 'stderr') => void): void;
  resize(columns: number, rows: number): Promise<void>;
  /** Kills the process group (SIGKILL, or the signal given). */
  kill(signal?: 'INT' | 'TERM' | 'KILL'): Promise<void>;
  /** Resolves with the exit code (null when killed or when the engine lost it). */
  readonly exited: Promise<number | null>;
}

export interface ContainerHandle {
  readonly id: string;
  readonly name: string;
  exec(cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts a process and returns at once, with stdin open (persistent shells, terminals). */
  spawn(cmd: string[], options?: SpawnOptions): Promise<SpawnedProcess>;
  /** Writes one file (parent folders created). */
  putFile(path: string, content: string | Buffer, mode?: number): Promise<void>;
  /** Writes several files in one round trip. */
  putFiles(files: { path: string; content: string | Buffer; mode?: number }[]): Promise<void>;
  /** Reads one file; rejects when it does not exist. */
  readFile(path: string): Promise<Buffer>;
  /** Copies a container folder out to a host folder (created if needed). */
  copyOut(containerPath: string, hostDir: string): Promise<void>;
  /**
   * Copies these entries of a host folder (files or folders, streamed, never all in memory) into
   * the container's existing folder `containerDir` in one archive request.
   */
  copyIn(hostDir: string, entries: string[], containerDir: string, signal?: AbortSignal): Promise<void>;
  /** Kills and removes the container; safe to call twice. */
  remove(): Promise<void>;
}

export interface ImageInfo {
  id: string;
  sizeBytes: number;
  architecture: string;
  os: string;
  labels: Record<string, string>;
}

export interface PullProgress {
  layer?: string;
  status: string;
  currentBytes?: number;
  totalBytes?: number;
}

export interface OurContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  labels: Record<string, string>;
  createdAt: Date;
}

export interface ContainerRuntime {
  /** Rejects with EngineUnavailableError when the engine does not answer. */
  ping(signal?: AbortSignal): Promise<void>;
  inspectImage(name: string): Promise<ImageInfo | undefined>;
  pullImage(name: string, onProgress?: (p: PullProgress) => void, signal?: AbortSignal): Promise<void>;
  /** Builds from a folder holding a Dockerfile. */
  buildImage(
    contextDir: string,
    tag: string,
    options?: { buildArgs?: Record<string, string>; labels?: Record<string, string>; onLog?: (line: string) => void; signal?: AbortSignal },
  ): Promise<void>;
  /** Creates and starts a container that idles until removed. */
  createContainer(spec: ContainerSpec): Promise<ContainerHandle>;
  getContainer(id: string): ContainerHandle;
  listOurContainers(filter?: { sessionId?: string; instanceId?: string; purpose?: ContainerPurpose }): Promise<OurContainer[]>;
  removeContainer(id: string): Promise<void>;
  hostArchitecture(): string;
  /**
   * The engine runs on another machine (ssh://, tcp://): host folders cannot be bind-mounted, so a
   * dev container's workspace is synced through the archive API (see devcontainer/workspaceSync).
   */
  readonly remote?: boolean;
  /** The engine's architecture (Docker's names), which a remote engine need not share with this host. */
  engineArchitecture(): Promise<string>;
  /** This runtime's run token and profile (labels of every container it creates). */
  readonly runToken: string;
  readonly profile: string;
  /** Keeps the heartbeat of a container created by an earlier process going (a window reload). */
  adopt(id: string): void;
  /** The last heartbeat written into a container, undefined when there is none (or it is unreadable). */
  readHeartbeat(id: string): Promise<Heartbeat | undefined>;
}
