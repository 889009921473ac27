import * as path from 'node:path';
import { nodeArtifactFor, PYRIGHT } from './artifacts';
import { fetchArtifact, type ArtifactProgress } from './fetchArtifact';

export interface LanguageServerArtifacts {
  /** The cache folder holding both (what dev containers mount). */
  cacheDir: string;
  /** Folder names under cacheDir. */
  nodeDir: string;
  pyrightDir: string;
  /** Bytes downloaded by this call (0 when both were cached). */
  downloadedBytes: number;
}

export interface EnsureProgress {
  message: string;
  /** 0..1 over both downloads, when sizes are known. */
  fraction?: number;
}

/** Pyright and a Node for `architecture` (Docker's name: amd64, arm64), fetched once each. */
export async function ensureArtifacts(options: {
  architecture: string;
  cacheDir: string;
  registry: string;
  onProgress?: (p: EnsureProgress) => void;
  signal?: AbortSignal;
}): Promise<LanguageServerArtifacts> {
  const node = nodeArtifactFor(options.architecture);
  const seen = new Map<string, ArtifactProgress>();
  const report = (p: ArtifactProgress) => {
    seen.set(p.artifact, p);
    const all = [...seen.values()];
    const received = all.reduce((n, q) => n + (q.receivedBytes ?? 0), 0);
    const total = all.every((q) => q.totalBytes !== undefined || q.phase === 'cached') ? all.reduce((n, q) => n + (q.totalBytes ?? 0), 0) : undefined;
    const busy = all.filter((q) => q.phase === 'download' || q.phase === 'extract');
    const doing = busy.length ? busy.map((q) => `${q.phase === 'extract' ? 'unpacking' : 'downloading'} ${q.artifact}`).join(', ') : 'checking the cache';
    const size = total ? ` (${mb(received)} of ${mb(total)})` : received ? ` (${mb(received)})` : '';
    options.onProgress?.({ message: `Python language server: ${doing}${size}`, fraction: total ? received / total : undefined });
  };
  const common = { cacheDir: options.cacheDir, registry: options.registry, onProgress: report, signal: options.signal };
  const [n, p] = await Promise.all([fetchArtifact(node, common), fetchArtifact(PYRIGHT, common)]);
  return { cacheDir: options.cacheDir, nodeDir: path.basename(n.dir), pyrightDir: path.basename(p.dir), downloadedBytes: n.downloadedBytes + p.downloadedBytes };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
