import { parseByteSize } from '../core/runtime/containerPolicy';
import type { ContainerLimits } from '../core/runtime/containerRuntime';
import { DockerRuntime } from '../core/runtime/docker/dockerRuntime';
import { engineAddress } from '../core/runtime/docker/engineAddress';
import type { PoolEngine } from '../core/runtime/enginePool';
import { positiveInt, UsageError } from './cliContext';

/** Options of every command that starts containers; spread into its parseCommandArgs options. */
export const RUNTIME_OPTIONS = {
  memory: { type: 'string' },
  pids: { type: 'string' },
  cpus: { type: 'string' },
  'allow-internet': { type: 'boolean' },
  engine: { type: 'string', multiple: true },
} as const;

/** Options of the batch commands (eval, rollout, validate), which also take a pool of engines. */
export const POOL_OPTIONS = { ...RUNTIME_OPTIONS, 'workers-per-engine': { type: 'string' } } as const;

export const POOL_USAGE = '[--engine E --engine E2 ... [--workers-per-engine N]]';

export const RUNTIME_USAGE = '[--memory SIZE] [--pids N] [--cpus N] [--allow-internet] [--engine docker|podman|SOCKET|ssh://USER@HOST|tcp://HOST:PORT]';

export interface RuntimeValues {
  memory?: string;
  pids?: string;
  cpus?: string;
  'allow-internet'?: boolean;
  engine?: string[];
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
  const names = engineNames(values);
  if (names.length > 1) throw new UsageError(`--engine is given ${names.length} times: only eval, rollout and validate spread work over a pool of engines.`);
  return runtimeOn(values, names[0]);
}

/**
 * The engines of a batch command: one runtime (as cliRuntime) for one engine, or a pool when
 * --engine is given more than once (or SWE_GYM_ENGINE lists several, comma-separated); each engine
 * of a pool runs --workers-per-engine items at a time (default: --workers).
 */
export function cliEngines(values: RuntimeValues & { 'workers-per-engine'?: string; workers?: string }): DockerRuntime | PoolEngine[] {
  const names = engineNames(values);
  if (names.length <= 1) {
    if (values['workers-per-engine'] !== undefined) throw new UsageError('--workers-per-engine needs a pool: give --engine at least twice (use --workers for one engine).');
    return runtimeOn(values, names[0]);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--engine names the same engine twice (${names.join(', ')}); raise --workers-per-engine instead.`);
  const workers = positiveInt(values['workers-per-engine'], 'workers-per-engine', positiveInt(values.workers, 'workers', 1));
  return names.map((name) => ({ name, runtime: runtimeOn(values, name), workers }));
}

function engineNames(values: RuntimeValues): string[] {
  const given = values.engine?.length ? values.engine : (process.env.SWE_GYM_ENGINE?.split(',') ?? []);
  return given.map((n) => n.trim()).filter(Boolean);
}

function runtimeOn(values: RuntimeValues, engine: string | undefined): DockerRuntime {
  try {
    if (engine) engineAddress(engine);
  } catch (err) {
    throw new UsageError(`--engine: ${err instanceof Error ? err.message : String(err)}`);
  }
  return new DockerRuntime({ limits: limitsFrom(values), allowInternet: values['allow-internet'] ?? false, engine });
}
