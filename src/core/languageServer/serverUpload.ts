import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ContainerHandle } from '../runtime/containerRuntime';
import type { LanguageServerArtifacts } from './ensureArtifacts';
import { artifactIntegrity } from './fetchArtifact';
import { SERVER_MOUNT, serverCommand } from './serverLaunch';

/** In a container the server was copied into: the content hash of what was copied, written last. */
const COPIED_MARKER = `${SERVER_MOUNT}/.swe-gym-copied`;

/** mounted: the local cache is bind-mounted; present: an earlier copy with the same content; copied: copied now; missing: neither, and no copy was allowed. */
export type ServerPlacement = 'mounted' | 'present' | 'copied' | 'missing';

/**
 * The content hash of the server's two artifacts: each folder's name and the pinned sha512 its
 * download was checked against, so the same pyright and Node always give the same hash.
 */
export function artifactsHash(artifacts: Pick<LanguageServerArtifacts, 'cacheDir' | 'nodeDir' | 'pyrightDir'>): string {
  const h = createHash('sha256');
  for (const dir of [artifacts.nodeDir, artifacts.pyrightDir]) h.update(`${dir}\0${artifactIntegrity(path.join(artifacts.cacheDir, dir)) ?? 'incomplete'}\0`);
  return h.digest('hex');
}

/**
 * Makes the language server runnable in the container where the cache cannot be mounted (a dev
 * container on a remote engine): the two artifact folders go in through the archive API, once per
 * container, to the place a mount would have put them (serverCommand is the same either way). A
 * marker with the content hash, written after the copy, tells a later start (a window reload, a
 * restart of the server) that the copy is there and complete. The copy is not read-only as a
 * mount is; the server runs in the container anyway, under the same code it analyses.
 */
export async function ensureServerInContainer(
  container: ContainerHandle,
  artifacts: Pick<LanguageServerArtifacts, 'cacheDir' | 'nodeDir' | 'pyrightDir'>,
  options: { copy: boolean; signal?: AbortSignal },
): Promise<ServerPlacement> {
  const hash = artifactsHash(artifacts);
  const [node, script] = serverCommand(artifacts) as [string, string];
  // Also makes the folder a copy goes to when nothing is there (a mount's place is left alone).
  const probe = 'if [ -x "$2" ] && [ -f "$3" ]; then if [ -f "$1" ]; then cat "$1"; else echo mounted; fi; elif [ -n "$5" ]; then mkdir -p "$4"; fi';
  const r = await container.exec(['/bin/sh', '-c', probe, 'probe', COPIED_MARKER, node, script, SERVER_MOUNT, options.copy ? 'copy' : ''], { timeoutMs: 30_000, signal: options.signal });
  const seen = r.exitCode === 0 ? r.stdout.trim() : '';
  if (seen === 'mounted') return 'mounted';
  if (seen === hash) return 'present';
  if (!options.copy) return 'missing';
  await container.copyIn(artifacts.cacheDir, [artifacts.nodeDir, artifacts.pyrightDir], SERVER_MOUNT, options.signal);
  await container.putFile(COPIED_MARKER, `${hash}\n`);
  return 'copied';
}
