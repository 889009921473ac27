import type { ContainerRuntime } from '../../core/runtime/containerRuntime';
import { DockerRuntime } from '../../core/runtime/docker/dockerRuntime';
import { engineAddress } from '../../core/runtime/docker/engineAddress';
import type { Settings } from '../config';

/**
 * One engine client, rebuilt only when the engine setting (sweGym.engine, else the socket
 * setting) changes: it owns the heartbeats of this window's containers. Limit and network settings
 * apply to containers created after the change.
 */
export class RuntimeProvider {
  private runtime: DockerRuntime | undefined;
  private engine: string | undefined;
  private connect: string | undefined;
  private reported: string | undefined;
  private reportedEngine: string | undefined;

  constructor(
    private readonly settings: Pick<Settings, 'engine' | 'dockerSocket' | 'containerLimits' | 'allowInternet'> & Partial<Pick<Settings, 'engineConnect'>>,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  get(): ContainerRuntime {
    const engine = this.engineSetting();
    const connect = this.settings.engineConnect;
    const connectKey = JSON.stringify(connect ?? {});
    if (!this.runtime || engine !== this.engine || connectKey !== this.connect) {
      this.runtime = new DockerRuntime({ engine: engine ?? 'docker', connect });
      this.engine = engine;
      this.connect = connectKey;
    }
    const { limits, problem } = this.settings.containerLimits;
    if (problem && problem !== this.reported) this.warn(`${problem}; using the default.`);
    this.reported = problem;
    this.runtime.configure({ limits, allowInternet: this.settings.allowInternet });
    return this.runtime;
  }

  /** The engine named by the settings; one that names nothing is reported once and Docker's default used. */
  private engineSetting(): string | undefined {
    const named = this.settings.engine ?? this.settings.dockerSocket;
    if (!named) return undefined;
    try {
      engineAddress(named, this.settings.engineConnect);
      this.reportedEngine = undefined;
      return named;
    } catch (err) {
      if (named !== this.reportedEngine) this.warn(`sweGym.engine: ${err instanceof Error ? err.message : String(err)}; using Docker's default.`);
      this.reportedEngine = named;
      return undefined;
    }
  }
}
