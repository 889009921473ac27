import type { ContainerHandle } from '../runtime/containerRuntime';
import type { LanguageServerArtifacts } from './ensureArtifacts';

/** Where dev containers see the artifact cache (read-only): nothing is installed into the image. */
export const SERVER_MOUNT = '/opt/swe-gym-studio/language-server';

/** SWE-bench / SWE-Gym images keep the task's environment here. */
export const TESTBED_PYTHON = '/opt/miniconda3/envs/testbed/bin/python';

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

/**
 * The interpreter the tests run with: the instance's own when given, else the SWE-bench testbed
 * env, else the image's python3. The path must be an executable in the container.
 */
export async function findInterpreter(container: ContainerHandle, preferred?: string, signal?: AbortSignal): Promise<string> {
  const candidates = [preferred, TESTBED_PYTHON, '/usr/local/bin/python', '/usr/bin/python3'].filter((c): c is string => !!c);
  const script = 'for p in "$@"; do if [ -x "$p" ]; then echo "$p"; exit 0; fi; done; command -v python3 || command -v python';
  const r = await container.exec(['/bin/sh', '-c', script, 'sh', ...candidates], { timeoutMs: 30_000, signal });
  const found = r.stdout.trim().split('\n')[0];
  if (r.exitCode !== 0 || !found) throw new Error(`No Python interpreter in the container (looked for ${candidates.join(', ')} and python3 on PATH).`);
  return found;
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
