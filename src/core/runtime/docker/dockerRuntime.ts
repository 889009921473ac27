import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as tarFs from 'tar-fs';
import { abortError } from '../../util/abortError';
import { defaultMemoryBytes, defaultProfile, DEFAULT_PIDS_LIMIT, networkFor, type ContainerPolicy } from '../containerPolicy';
import {
  LABEL_CREATED_BY_PID,
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_OWNER_VALUE,
  LABEL_PROFILE,
  LABEL_PURPOSE,
  LABEL_RUN,
  LABEL_SESSION,
  type ContainerHandle,
  type ContainerLimits,
  type ContainerPurpose,
  type ContainerRuntime,
  type ContainerSpec,
  type Heartbeat,
  type ImageInfo,
  type OurContainer,
  type PullProgress,
} from '../containerRuntime';
import { DockerContainer, removeContainerById } from './dockerContainer';
import { engineCall, ENGINE_TIMEOUTS, withAbortSignal } from './engineCall';
import { statusCodeOf, translateEngineError, translatePullError } from './engineErrors';
import { HeartbeatWriter, readHeartbeat } from './heartbeat';
import { IsolatedNetworks, LABEL_OWN_NETWORK } from './networks';
import { engineAddress, type EngineConnectSettings } from './engineAddress';
import { hostMountConfinement } from './hostMountConfinement';

const PING_TIMEOUT_MS = 5000;

export const LABEL_HOST = 'io.swe-gym-studio.host';

export interface DockerRuntimeOptions {
  /** Defaults to DOCKER_HOST or /var/run/docker.sock, as the docker CLI does. */
  socketPath?: string;
  /** An engine by name (see engineAddress): docker, podman, a socket, unix://, ssh:// or tcp://. socketPath wins. */
  engine?: string;
  /** SSH key and known_hosts, TLS certificates of a remote engine (the environment fills what is unset). */
  connect?: EngineConnectSettings;
  /** Limits for every container (defaults: the harness's 16 GB capped at half the engine's memory, 4096 pids). */
  limits?: ContainerLimits;
  /** Dev and agent containers reach the internet (default: no network at all). */
  allowInternet?: boolean;
  /** Defaults to SWE_GYM_PROFILE or user@host. */
  profile?: string;
  /** How often owned containers get their heartbeat (default HEARTBEAT_INTERVAL_MS). */
  heartbeatMs?: number;
}

/** ContainerRuntime on a Docker engine through dockerode. */
export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  private readonly endpoint: string;
  private policy: ContainerPolicy;
  private readonly networks: IsolatedNetworks;
  private readonly heartbeats: HeartbeatWriter;
  private engineMemory: Promise<number | undefined> | undefined;
  private kind: Promise<'docker' | 'podman'> | undefined;
  private arch: Promise<string> | undefined;
  readonly runToken = randomBytes(12).toString('hex');
  readonly profile: string;
  /** The engine is on another machine (ssh://, tcp://): no bind mounts of host folders. */
  readonly remote: boolean;

  constructor(options: DockerRuntimeOptions = {}) {
    const address = engineAddress(options.socketPath ?? options.engine ?? 'docker', options.connect);
    this.docker = new Docker(address.dockerode);
    this.endpoint = address.endpoint;
    this.remote = address.remote;
    this.policy = { limits: { ...options.limits }, allowInternet: options.allowInternet ?? false };
    this.profile = options.profile ?? defaultProfile();
    this.networks = new IsolatedNetworks(this.docker, this.endpoint);
    this.heartbeats = new HeartbeatWriter(this.docker, this.endpoint, this.runToken, options.heartbeatMs);
  }

  /** New limits or network policy for containers created from now on (settings changed). */
  configure(options: Pick<DockerRuntimeOptions, 'limits' | 'allowInternet'>): void {
    this.policy = { limits: { ...options.limits }, allowInternet: options.allowInternet ?? false };
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await engineCall(this.endpoint, 'checking the engine', PING_TIMEOUT_MS, (abortSignal) => withAbortSignal(this.docker.ping, this.docker)({ abortSignal }), signal);
    } catch (err) {
      throw translateEngineError(err, this.endpoint, 'checking the engine');
    }
  }

  async inspectImage(name: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.call(`inspecting image ${name}`, ENGINE_TIMEOUTS.quick, (abortSignal) => this.docker.getImage(name).inspect({ abortSignal } as Docker.ImageInspectOptions));
      return { id: info.Id, sizeBytes: info.Size, architecture: info.Architecture, os: info.Os, labels: info.Config?.Labels ?? {} };
    } catch (err) {
      if (statusCodeOf(err) === 404) return undefined;
      throw translateEngineError(err, this.endpoint, `inspecting image ${name}`);
    }
  }

  async pullImage(name: string, onProgress?: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.pull(name, { abortSignal: signal });
    } catch (err) {
      if (signal?.aborted) throw abortError(`pull of ${name}`);
      const translated = translateEngineError(err, this.endpoint, `pulling ${name}`);
      throw translated.name === 'EngineUnavailableError' ? translated : translatePullError(err, name);
    }
    await this.followProgress(stream, signal, `pull of ${name}`, (event) => {
      const detail = event.progressDetail as { current?: number; total?: number } | undefined;
      onProgress?.({ layer: event.id as string | undefined, status: String(event.status ?? ''), currentBytes: detail?.current, totalBytes: detail?.total });
    }).catch((err: unknown) => {
      throw signal?.aborted ? err : translatePullError(err, name);
    });
  }

  async buildImage(
    contextDir: string,
    tag: string,
    options: { buildArgs?: Record<string, string>; labels?: Record<string, string>; onLog?: (line: string) => void; signal?: AbortSignal } = {},
  ): Promise<void> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(tarFs.pack(contextDir) as unknown as NodeJS.ReadableStream, {
        t: tag,
        // Podman answers 400 to an empty `buildargs` query parameter (dockerode sends one for undefined).
        ...(options.buildArgs ? { buildargs: options.buildArgs } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
        rm: true,
        forcerm: true,
        abortSignal: options.signal,
      });
    } catch (err) {
      throw translateEngineError(err, this.endpoint, `building ${tag}`);
    }
    await this.followProgress(stream, options.signal, `build of ${tag}`, (event) => {
      if (typeof event.stream === 'string' && event.stream.trim()) options.onLog?.(event.stream.trimEnd());
    });
  }

  async createContainer(spec: ContainerSpec): Promise<ContainerHandle> {
    const labels: Record<string, string> = {
      ...spec.extraLabels,
      [LABEL_OWNER]: LABEL_OWNER_VALUE,
      [LABEL_PURPOSE]: spec.purpose,
      [LABEL_CREATED_BY_PID]: String(process.pid),
      [LABEL_HOST]: os.hostname(),
      [LABEL_RUN]: this.runToken,
      [LABEL_PROFILE]: this.profile,
    };
    if (spec.instanceId) labels[LABEL_INSTANCE] = spec.instanceId;
    if (spec.sessionId) labels[LABEL_SESSION] = spec.sessionId;
    const network = networkFor(spec.purpose, spec.network, this.policy.allowInternet);
    const podman = network === 'isolated' && (await this.engineKind()) === 'podman';
    const networkMode =
      network === 'none'
        ? 'none'
        : network === 'isolated'
          ? await this.translated(`preparing the ${spec.purpose} network`, podman ? this.networks.createOwn(spec.purpose) : this.networks.ensure(spec.purpose))
          : undefined;
    if (podman && networkMode) labels[LABEL_OWN_NETWORK] = networkMode;
    const dropNetwork = () => (podman && networkMode ? this.networks.removeOwn(networkMode).catch(() => undefined) : Promise.resolve());
    const memory = spec.memoryBytes ?? this.policy.limits.memoryBytes ?? defaultMemoryBytes(await this.engineMemoryBytes());
    const cpus = spec.cpus ?? this.policy.limits.cpus;
    // Whatever writes into a host folder cannot leave privileged files there.
    const confinement = spec.binds?.some((b) => !b.readOnly) ? await hostMountConfinement(await this.engineKind()) : {};
    let created: Docker.Container;
    try {
      // Bounded by a timeout only, not by the caller's cancel: a create cut off mid-request can
      // still make a container that is never started, so never auto-removed. Cancel is checked after.
      created = await this.call(`creating a container from ${spec.image}`, ENGINE_TIMEOUTS.slow, (abortSignal) => this.docker.createContainer({
        Image: spec.image,
        name: spec.name,
        // The SWE-bench images' idle command; Init makes PID 1 reap zombies and honour signals.
        Cmd: ['tail', '-f', '/dev/null'],
        Entrypoint: [],
        Labels: labels,
        WorkingDir: spec.workingDir,
        Env: spec.env ? Object.entries(spec.env).map(([k, v]) => `${k}=${v}`) : undefined,
        HostConfig: {
          Init: true,
          // A container that stops for any reason (engine restart included) is removed by the engine.
          AutoRemove: true,
          Memory: memory,
          // No swap beyond the limit: a runaway test fails fast instead of thrashing the host.
          MemorySwap: memory,
          PidsLimit: spec.pidsLimit ?? this.policy.limits.pidsLimit ?? DEFAULT_PIDS_LIMIT,
          NanoCpus: cpus ? Math.round(cpus * 1e9) : undefined,
          NetworkMode: networkMode,
          Binds: spec.binds?.map((b) => `${b.hostPath}:${b.containerPath}${b.readOnly ? ':ro' : ''}`),
          ...confinement,
        },
        abortSignal,
      }));
    } catch (err) {
      await dropNetwork();
      if (statusCodeOf(err) === 404) throw new Error(`Image ${spec.image} is not present locally; ensure it first.`);
      throw translateEngineError(err, this.endpoint, `creating a container from ${spec.image}`);
    }
    this.heartbeats.own(created.id);
    const handle = new DockerContainer(this.docker, created.id, spec.name ?? created.id.slice(0, 12), this.endpoint, () => this.heartbeats.release(created.id), async () => {
      await removeContainerById(this.docker, created.id, this.endpoint);
      await dropNetwork();
    });
    try {
      if (spec.signal?.aborted) throw abortError(`start of a container from ${spec.image}`);
      await this.call(`starting a container from ${spec.image}`, ENGINE_TIMEOUTS.slow, (abortSignal) => created.start({ abortSignal }));
    } catch (err) {
      await handle.remove().catch(() => undefined);
      throw spec.signal?.aborted ? abortError(`start of a container from ${spec.image}`) : translateEngineError(err, this.endpoint, `starting a container from ${spec.image}`);
    }
    if (spec.signal?.aborted) {
      await handle.remove().catch(() => undefined);
      throw abortError(`start of a container from ${spec.image}`);
    }
    return handle;
  }

  getContainer(id: string): ContainerHandle {
    return new DockerContainer(this.docker, id, id.slice(0, 12), this.endpoint, () => this.heartbeats.release(id), () => this.removeById(id));
  }

  adopt(id: string): void {
    this.heartbeats.own(id);
  }

  readHeartbeat(id: string): Promise<Heartbeat | undefined> {
    return this.translated('reading a heartbeat', readHeartbeat(this.docker, this.endpoint, id));
  }

  async listOurContainers(filter: { sessionId?: string; instanceId?: string; purpose?: ContainerPurpose } = {}): Promise<OurContainer[]> {
    const label = [`${LABEL_OWNER}=${LABEL_OWNER_VALUE}`];
    if (filter.sessionId) label.push(`${LABEL_SESSION}=${filter.sessionId}`);
    if (filter.instanceId) label.push(`${LABEL_INSTANCE}=${filter.instanceId}`);
    if (filter.purpose) label.push(`${LABEL_PURPOSE}=${filter.purpose}`);
    try {
      const list = await this.call('listing containers', ENGINE_TIMEOUTS.quick, (abortSignal) => this.docker.listContainers({ all: true, filters: { label }, abortSignal }));
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        image: c.Image,
        state: c.State,
        labels: c.Labels,
        createdAt: new Date(c.Created * 1000),
      }));
    } catch (err) {
      throw translateEngineError(err, this.endpoint, 'listing containers');
    }
  }

  async removeContainer(id: string): Promise<void> {
    this.heartbeats.release(id);
    await this.removeById(id);
  }

  /** On Podman a container may have a network of its own (see IsolatedNetworks.createOwn): it goes too. */
  private async removeById(id: string): Promise<void> {
    let own: string | undefined;
    if ((await this.engineKind()) === 'podman') {
      own = await this.call('inspecting a container', ENGINE_TIMEOUTS.quick, (abortSignal) => this.docker.getContainer(id).inspect({ abortSignal } as Docker.ContainerInspectOptions)).then(
        (info) => info.Config?.Labels?.[LABEL_OWN_NETWORK],
        () => undefined,
      );
    }
    await removeContainerById(this.docker, id, this.endpoint);
    if (own) await this.networks.removeOwn(own).catch(() => undefined);
  }

  /** Docker or Podman (its Docker-compatible API names itself in the version's components), asked once. */
  engineKind(): Promise<'docker' | 'podman'> {
    this.kind ??= this.call('reading the engine version', ENGINE_TIMEOUTS.quick, (abortSignal) => withAbortSignal<{ Components?: { Name?: string }[] }>(this.docker.version, this.docker)({ abortSignal })).then(
      (v) => (v.Components?.some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker'),
      () => {
        this.kind = undefined;
        return 'docker' as const;
      },
    );
    return this.kind;
  }

  /** The engine's memory (a laptop's Docker VM, not the host's), asked once. */
  private engineMemoryBytes(): Promise<number | undefined> {
    this.engineMemory ??= this.call('reading the engine info', ENGINE_TIMEOUTS.quick, (abortSignal) => withAbortSignal<{ MemTotal?: number }>(this.docker.info, this.docker)({ abortSignal })).then(
      (info) => info.MemTotal,
      () => undefined,
    );
    return this.engineMemory;
  }

  private call<T>(doing: string, timeoutMs: number, request: (abortSignal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return engineCall(this.endpoint, doing, timeoutMs, request, signal);
  }

  private async translated<T>(doing: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      throw translateEngineError(err, this.endpoint, doing);
    }
  }

  hostArchitecture(): string {
    return dockerArch(process.arch);
  }

  /** The engine's own architecture (its version's Arch), asked once; this host's when it does not say. */
  engineArchitecture(): Promise<string> {
    this.arch ??= this.call('reading the engine version', ENGINE_TIMEOUTS.quick, (abortSignal) => withAbortSignal<{ Arch?: string }>(this.docker.version, this.docker)({ abortSignal })).then(
      (v) => (v.Arch ? dockerArch(v.Arch === 'x86_64' ? 'x64' : v.Arch === 'aarch64' ? 'arm64' : v.Arch) : this.hostArchitecture()),
      (err: unknown) => {
        this.arch = undefined;
        throw err;
      },
    );
    return this.arch;
  }

  private followProgress(stream: NodeJS.ReadableStream, signal: AbortSignal | undefined, what: string, onEvent: (e: Record<string, unknown>) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(abortError(what));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) return;
          if (err) reject(translateEngineError(err, this.endpoint, what));
          else resolve();
        },
        (event: Record<string, unknown>) => {
          // Build and pull failures arrive as events, not as stream errors.
          const error = event.error ?? (event.errorDetail as { message?: string } | undefined)?.message;
          if (error) {
            signal?.removeEventListener('abort', onAbort);
            reject(new Error(`${what} failed: ${String(error).trim()}`));
            return;
          }
          onEvent(event);
        },
      );
    });
  }
}

export function dockerArch(nodeArch: string): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

