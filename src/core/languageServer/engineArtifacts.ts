import type { ContainerRuntime } from '../runtime/containerRuntime';
import { ensureArtifacts, type EnsureProgress, type LanguageServerArtifacts } from './ensureArtifacts';

export interface EngineArtifactsOptions {
  cacheDir: string;
  registry: string;
  onProgress?: (p: EnsureProgress & { architecture: string }) => void;
  signal?: AbortSignal;
}

/**
 * The language server each engine's containers mount, by engine name: pyright once and a Node for
 * every architecture among the engines (a pool may mix amd64 and arm64 hosts). Fetched one
 * architecture after another, so two fetches never write the same pyright folder at once.
 */
export async function artifactsPerEngine(
  engines: readonly { name: string; runtime: Pick<ContainerRuntime, 'engineArchitecture'> }[],
  options: EngineArtifactsOptions,
): Promise<{ byEngine: Map<string, LanguageServerArtifacts>; architectures: string[]; downloadedBytes: number }> {
  const archOf = new Map(await Promise.all(engines.map(async (e) => [e.name, await e.runtime.engineArchitecture()] as const)));
  const architectures = [...new Set(archOf.values())];
  const byArch = new Map<string, LanguageServerArtifacts>();
  let downloadedBytes = 0;
  for (const architecture of architectures) {
    const a = await ensureArtifacts({ architecture, cacheDir: options.cacheDir, registry: options.registry, signal: options.signal, onProgress: (p) => options.onProgress?.({ ...p, architecture }) });
    byArch.set(architecture, a);
    downloadedBytes += a.downloadedBytes;
  }
  const byEngine = new Map([...archOf].map(([name, arch]) => [name, byArch.get(arch) as LanguageServerArtifacts]));
  return { byEngine, architectures, downloadedBytes };
}
