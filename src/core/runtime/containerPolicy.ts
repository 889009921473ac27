import * as os from 'node:os';
import type { ContainerLimits, ContainerNetwork, ContainerPurpose } from './containerRuntime';

const GIB = 1024 ** 3;

/** The SWE-Gym fork of the harness starts eval containers with a 16 GB memory limit. */
export const HARNESS_MEMORY_BYTES = 16 * GIB;
/** Processes and threads: far above what a test suite spawns, far below what hurts a laptop. */
export const DEFAULT_PIDS_LIMIT = 4096;

/** The harness's 16 GB, but never more than half of what the engine has (a laptop's VM). */
export function defaultMemoryBytes(engineMemoryBytes: number | undefined): number {
  if (!engineMemoryBytes || engineMemoryBytes <= 0) return HARNESS_MEMORY_BYTES;
  return Math.min(HARNESS_MEMORY_BYTES, Math.max(GIB, Math.floor(engineMemoryBytes / 2)));
}

/** What the runtime applies to every container it creates. */
export interface ContainerPolicy {
  limits: ContainerLimits;
  /** Dev and agent containers get a network that reaches the internet (and the host) when true. */
  allowInternet: boolean;
}

export function networkFor(purpose: ContainerPurpose, requested: ContainerNetwork | undefined, allowInternet: boolean): ContainerNetwork {
  if (requested) return requested;
  switch (purpose) {
    case 'eval':
      return 'isolated';
    case 'dev':
    case 'agent':
      return allowInternet ? 'isolated' : 'none';
    case 'seed':
      return 'none';
    default:
      return 'default';
  }
}

/** Sizes as people write them: 512m, 8g, 8GiB, 1.5G or a plain number of bytes. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`"${text}" is not a size (use e.g. 512m, 8g or a number of bytes)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: GIB, t: 1024 * GIB }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const bytes = Math.floor(Number(m[1]) * unit);
  // Docker refuses memory limits under 6 MB.
  if (bytes < 6 * 1024 * 1024) throw new Error(`"${text}" is below the 6 MB a container needs at least`);
  return bytes;
}

export function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${+(bytes / GIB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** user@host: leftovers are judged per profile, so another user's containers are never touched. */
export function defaultProfile(): string {
  if (process.env.SWE_GYM_PROFILE) return process.env.SWE_GYM_PROFILE;
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = String(process.getuid?.() ?? 'unknown');
  }
  return `${user}@${os.hostname()}`;
}
