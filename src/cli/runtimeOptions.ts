import { parseByteSize } from '../core/runtime/containerPolicy';
import type { ContainerLimits } from '../core/runtime/containerRuntime';
import { DockerRuntime } from '../core/runtime/docker/dockerRuntime';
import { engineAddress } from '../core/runtime/docker/engineAddress';
import { UsageError } from './cliContext';

/** Options of every command that starts containers; spread into its parseCommandArgs options. */
export const RUNTIME_OPTIONS = {
  memory: { type: 'string' },
  pids: { type: 'string' },
  cpus: { type: 'string' },
  'allow-internet': { type: 'boolean' },
  engine: { type: 'string' },
} as const;

export const RUNTIME_USAGE = '[--memory SIZE] [--pids N] [--cpus N] [--allow-internet] [--engine docker|podman|SOCKET|tcp://HOST:PORT]';

export interface RuntimeValues {
  memory?: string;
  pids?: string;
  cpus?: string;
  'allow-internet'?: boolean;
  engine?: string;
}

export function limitsFrom(values: RuntimeValues): ContainerLimits {
  const limits: ContainerLimits = {};
  if (values.memory !== undefined) {
    try {
      limits.memoryBytes = parseByteSize(values.memory);
    } catch (err) {
      throw new UsageError(`--memory: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (values.pids !== undefined) {
    const n = Number(values.pids);
    if (!Number.isInteger(n) || n < 16) throw new UsageError(`--pids takes a whole number of at least 16, got "${values.pids}"`);
    limits.pidsLimit = n;
  }
  if (values.cpus !== undefined) {
    const n = Number(values.cpus);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--cpus takes a positive number (e.g. 1.5), got "${values.cpus}"`);
    limits.cpus = n;
  }
  return limits;
}

/**
 * The engine client of a CLI run: memory, process and CPU limits on every container it starts;
 * dev and agent containers get no network unless --allow-internet.
 */
export function cliRuntime(values: RuntimeValues = {}): DockerRuntime {
  let engine: string | undefined;
  try {
    engine = values.engine ?? process.env.SWE_GYM_ENGINE;
    if (engine) engineAddress(engine);
  } catch (err) {
    throw new UsageError(`--engine: ${err instanceof Error ? err.message : String(err)}`);
  }
  return new DockerRuntime({ limits: limitsFrom(values), allowInternet: values['allow-internet'] ?? false, engine });
}
