import Docker from 'dockerode';
import * as os from 'node:os';
import * as tarFs from 'tar-fs';
import { abortError } from '../../util/abortError';
import {
  LABEL_CREATED_BY_PID,
  LABEL_INSTANCE,
  LABEL_OWNER,
  LABEL_OWNER_VALUE,
  LABEL_PURPOSE,
  LABEL_SESSION,
  type ContainerHandle,
  type ContainerPurpose,
  type ContainerRuntime,
  type ContainerSpec,
  type ImageInfo,
  type OurContainer,
  type PullProgress,
} from '../containerRuntime';
import { DockerContainer, removeContainerById } from './dockerContainer';
import { statusCodeOf, translateEngineError, translatePullError } from './engineErrors';

const PING_TIMEOUT_MS = 5000;

export const LABEL_HOST = 'io.swe-gym-studio.host';

export interface DockerRuntimeOptions {
  /** Defaults to DOCKER_HOST or /var/run/docker.sock, as the docker CLI does. */
  socketPath?: string;
}

/** ContainerRuntime on a Docker engine through dockerode. */
export class DockerRuntime implements ContainerRuntime {
  private readonly docker: Docker;
  private readonly endpoint: string;

  constructor(options: DockerRuntimeOptions = {}) {
    this.docker = options.socketPath ? new Docker({ socketPath: options.socketPath }) : new Docker();
    this.endpoint = options.socketPath ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock';
  }

  async ping(signal?: AbortSignal): Promise<void> {
    try {
      await withTimeout(this.docker.ping(), PING_TIMEOUT_MS, signal, () => Object.assign(new Error('no answer within 5 s'), { code: 'ETIMEDOUT' }));
    } catch (err) {
      throw translateEngineError(err, this.endpoint, 'checking the engine');
    }
  }

  async inspectImage(name: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(name).inspect();
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
        buildargs: options.buildArgs,
        labels: options.labels,
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
    };
    if (spec.instanceId) labels[LABEL_INSTANCE] = spec.instanceId;
    if (spec.sessionId) labels[LABEL_SESSION] = spec.sessionId;
    let created: Docker.Container;
    try {
      created = await this.docker.createContainer({
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
          Memory: spec.memoryBytes,
          NetworkMode: spec.network === 'none' ? 'none' : undefined,
          Binds: spec.binds?.map((b) => `${b.hostPath}:${b.containerPath}${b.readOnly ? ':ro' : ''}`),
        },
        // No abortSignal here: a create cut off mid-request can still make a container that is
        // never started, so never auto-removed. Creating takes milliseconds; cancel is checked after.
      });
    } catch (err) {
      if (statusCodeOf(err) === 404) throw new Error(`Image ${spec.image} is not present locally; ensure it first.`);
      throw translateEngineError(err, this.endpoint, `creating a container from ${spec.image}`);
    }
    const handle = new DockerContainer(this.docker, created.id, spec.name ?? created.id.slice(0, 12), this.endpoint);
    try {
      if (spec.signal?.aborted) throw abortError(`start of a container from ${spec.image}`);
      await created.start();
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
    return new DockerContainer(this.docker, id, id.slice(0, 12), this.endpoint);
  }

  async listOurContainers(filter: { sessionId?: string; instanceId?: string; purpose?: ContainerPurpose } = {}): Promise<OurContainer[]> {
    const label = [`${LABEL_OWNER}=${LABEL_OWNER_VALUE}`];
    if (filter.sessionId) label.push(`${LABEL_SESSION}=${filter.sessionId}`);
    if (filter.instanceId) label.push(`${LABEL_INSTANCE}=${filter.instanceId}`);
    if (filter.purpose) label.push(`${LABEL_PURPOSE}=${filter.purpose}`);
    try {
      const list = await this.docker.listContainers({ all: true, filters: { label } });
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

  removeContainer(id: string): Promise<void> {
    return removeContainerById(this.docker, id, this.endpoint);
  }

  hostArchitecture(): string {
    return dockerArch(process.arch);
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

function withTimeout<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    signal?.addEventListener('abort', () => reject(abortError('request')), { once: true });
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
