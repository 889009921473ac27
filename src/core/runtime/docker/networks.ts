import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { LABEL_OWNER, LABEL_OWNER_VALUE, type ContainerPurpose } from '../containerRuntime';
import { statusCodeOf } from './engineErrors';
import { engineCall, ENGINE_TIMEOUTS, withAbortSignal } from './engineCall';

/**
 * One bridge per purpose, made once and kept (they cost nothing idle). Inter-container traffic is
 * off (enable_icc=false), and separate bridges are isolated from each other by Docker, so an eval
 * container reaches neither a dev/agent container nor another eval container. Not `internal`:
 * measured here, an internal bridge still reaches the host's services through the gateway, so it
 * buys nothing over `none`, which is what containers that need no network get instead.
 */
export function isolatedNetworkName(purpose: ContainerPurpose): string {
  return `swe-gym-studio-${purpose}`;
}

/** On Podman: the network a container was given for itself (removed with it). */
export const LABEL_OWN_NETWORK = 'io.swe-gym-studio.network';

export class IsolatedNetworks {
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly docker: Docker,
    private readonly endpoint: string,
  ) {}

  /** The network's name, created on first use; concurrent callers (other processes too) share it. */
  ensure(purpose: ContainerPurpose): Promise<string> {
    const name = isolatedNetworkName(purpose);
    let p = this.ready.get(name);
    if (!p) {
      p = this.create(name).catch((err: unknown) => {
        this.ready.delete(name);
        throw err;
      });
      this.ready.set(name, p);
    }
    return p;
  }

  private async create(name: string): Promise<string> {
    const existing = await engineCall(this.endpoint, `inspecting network ${name}`, ENGINE_TIMEOUTS.quick, (abortSignal) =>
      {
      const network = this.docker.getNetwork(name);
      return withAbortSignal<unknown>(network.inspect, network)({ abortSignal });
    },
    ).catch((err: unknown) => {
      if (statusCodeOf(err) === 404) return undefined;
      throw err;
    });
    if (existing) {
      const icc = (existing as { Options?: Record<string, string> }).Options?.['com.docker.network.bridge.enable_icc'];
      if (icc !== 'false') throw new Error(`Docker network ${name} exists but lets containers reach each other; remove it (\`docker network rm ${name}\`) and it is made again correctly.`);
      return name;
    }
    try {
      await engineCall(this.endpoint, `creating network ${name}`, ENGINE_TIMEOUTS.slow, (abortSignal) =>
        this.docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Options: { 'com.docker.network.bridge.enable_icc': 'false' },
          Labels: { [LABEL_OWNER]: LABEL_OWNER_VALUE },
          abortSignal,
        } as Docker.NetworkCreateOptions),
      );
    } catch (err) {
      // Another process made it between our inspect and our create.
      if (statusCodeOf(err) !== 409) throw err;
    }
    return name;
  }

  /**
   * Podman's bridges (netavark) ignore enable_icc: containers on one bridge reach each other. So on
   * Podman each isolated container gets a bridge of its own, with `isolate` set so no other bridge
   * reaches it; it goes when the container goes (removeOwn), and leftovers of a crash go by prune.
   */
  async createOwn(purpose: ContainerPurpose): Promise<string> {
    this.pruned ??= this.pruneOwn().catch(() => undefined);
    await this.pruned;
    const name = `${isolatedNetworkName(purpose)}-${randomBytes(6).toString('hex')}`;
    await engineCall(this.endpoint, `creating network ${name}`, ENGINE_TIMEOUTS.slow, (abortSignal) =>
      this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Options: { isolate: 'true' },
        Labels: { [LABEL_OWNER]: LABEL_OWNER_VALUE, [LABEL_OWN_NETWORK]: '1' },
        abortSignal,
      } as Docker.NetworkCreateOptions),
    );
    return name;
  }

  async removeOwn(name: string): Promise<void> {
    await engineCall(this.endpoint, `removing network ${name}`, ENGINE_TIMEOUTS.slow, (abortSignal) => {
      const network = this.docker.getNetwork(name);
      return withAbortSignal<unknown>(network.remove, network)({ abortSignal });
    }).catch((err: unknown) => {
      if (statusCodeOf(err) !== 404) throw err;
    });
  }

  private pruned: Promise<unknown> | undefined;

  /** Own networks left by a crash (their container auto-removed, nobody removed the network); only old ones, so a creation under way elsewhere is spared. */
  private pruneOwn(): Promise<unknown> {
    return engineCall(this.endpoint, 'pruning networks', ENGINE_TIMEOUTS.slow, (abortSignal) =>
      withAbortSignal<unknown>(this.docker.pruneNetworks, this.docker)({ filters: { label: [`${LABEL_OWN_NETWORK}=1`], until: ['10m'] }, abortSignal } as never),
    );
  }
}
