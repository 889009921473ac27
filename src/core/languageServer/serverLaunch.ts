import type { ContainerHandle } from '../runtime/containerRuntime';
import type { LanguageServerArtifacts } from './ensureArtifacts';

/** Where dev containers see the artifact cache (read-only): nothing is installed into the image. */
export const SERVER_MOUNT = '/opt/swe-gym-studio/language-server';

export function artifactsBind(artifacts: Pick<LanguageServerArtifacts, 'cacheDir'>): { hostPath: string; containerPath: string; readOnly: true } {
  return { hostPath: artifacts.cacheDir, containerPath: SERVER_MOUNT, readOnly: true };
}

/** pyright-langserver on stdio, run by the mounted Node. */
export function serverCommand(artifacts: Pick<LanguageServerArtifacts, 'nodeDir' | 'pyrightDir'>): string[] {
  return [`${SERVER_MOUNT}/${artifacts.nodeDir}/bin/node`, `${SERVER_MOUNT}/${artifacts.pyrightDir}/langserver.index.js`, '--stdio'];
}

/** Is the artifact cache mounted in this container (a container launched without it is not)? */
export async function serverMounted(container: ContainerHandle, artifacts: Pick<LanguageServerArtifacts, 'nodeDir' | 'pyrightDir'>, signal?: AbortSignal): Promise<boolean> {
  const [node, script] = serverCommand(artifacts);
  const r = await container.exec(['test', '-x', node as string, '-a', '-f', script as string], { timeoutMs: 30_000, signal });
  return r.exitCode === 0;
}

export interface ResolvedInterpreter {
  interpreter: string;
  /** Set when the spec's interpreter is not in the image and another was taken: say so. */
  fallback?: string;
}

/**
 * The interpreter the tests run with, as the instance's spec names it (spec.python). An image
 * without it (a custom image) gets python3 from PATH, and the caller is told.
 */
export async function findInterpreter(container: ContainerHandle, wanted: string | undefined, signal?: AbortSignal): Promise<ResolvedInterpreter> {
  const script = 'if [ -x "$1" ]; then echo "$1"; exit 0; fi; command -v python3 || command -v python';
  const r = await container.exec(['/bin/sh', '-c', script, 'sh', wanted ?? ''], { timeoutMs: 30_000, signal });
  const found = r.stdout.trim().split('\n')[0];
  if (r.exitCode !== 0 || !found) throw new Error(`No Python interpreter in the container (${wanted ? `the spec names ${wanted}` : 'no spec named one'}; no python3 on PATH either).`);
  if (found === wanted) return { interpreter: found };
  return { interpreter: found, fallback: wanted ? `${wanted} (the spec's interpreter) is not in the image; ${found} from PATH is used instead, so imports may resolve differently from the tests` : `no interpreter named; ${found} from PATH` };
}

export type TypeCheckingMode = 'off' | 'basic' | 'standard' | 'strict';

/**
 * What the server gets when it asks for its `python` / `python.analysis` settings: ours, never
 * the host's (the host's interpreter means nothing in the container).
 */
export function serverSettings(section: string | undefined, interpreter: string, mode: TypeCheckingMode): unknown {
  const analysis = { typeCheckingMode: mode, diagnosticMode: 'openFilesOnly', autoSearchPaths: true, useLibraryCodeForTypes: true, autoImportCompletions: true };
  const python = { pythonPath: interpreter, analysis };
  switch (section) {
    case 'python':
      return python;
    case 'python.analysis':
      return analysis;
    case 'pyright':
      return { disableLanguageServices: false, disableOrganizeImports: false };
    default:
      return null;
  }
}
