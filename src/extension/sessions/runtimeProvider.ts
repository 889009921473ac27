import type { ContainerRuntime } from '../../core/runtime/containerRuntime';
import { DockerRuntime } from '../../core/runtime/docker/dockerRuntime';
import type { Settings } from '../config';

/** One engine client, rebuilt when the socket setting changes. */
export class RuntimeProvider {
  private runtime: ContainerRuntime | undefined;
  private socket: string | undefined;

  constructor(private readonly settings: Settings) {}

  get(): ContainerRuntime {
    const socket = this.settings.dockerSocket;
    if (!this.runtime || socket !== this.socket) {
      this.runtime = new DockerRuntime(socket ? { socketPath: socket } : {});
      this.socket = socket;
    }
    return this.runtime;
  }
}
