import type { ContainerRuntime } from '../../core/runtime/containerRuntime';
import { DockerRuntime } from '../../core/runtime/docker/dockerRuntime';
import type { Settings } from '../config';

/**
 * One engine client, rebuilt only when the socket setting changes: it owns the heartbeats of this
 * window's containers. Limit and network settings apply to containers created after the change.
 */
export class RuntimeProvider {
  private runtime: DockerRuntime | undefined;
  private socket: string | undefined;
  private reported: string | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  get(): ContainerRuntime {
    const socket = this.settings.dockerSocket;
    if (!this.runtime || socket !== this.socket) {
      this.runtime = new DockerRuntime(socket ? { socketPath: socket } : {});
      this.socket = socket;
    }
    const { limits, problem } = this.settings.containerLimits;
    if (problem && problem !== this.reported) this.warn(`${problem}; using the default.`);
    this.reported = problem;
    this.runtime.configure({ limits, allowInternet: this.settings.allowInternet });
    return this.runtime;
  }
}
