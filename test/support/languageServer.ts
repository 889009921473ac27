import * as path from 'node:path';
import { DEFAULT_REGISTRY } from '../../src/core/languageServer/artifacts';
import { ensureArtifacts, type LanguageServerArtifacts } from '../../src/core/languageServer/ensureArtifacts';

/** One artifact cache for every test tier (a fresh clone fetches once, then reuses it). */
export const LS_CACHE = process.env.SWE_GYM_LS_CACHE ?? path.resolve(__dirname, '..', '..', '..', '.cache', 'language-server');

/** Pyright and the amd64/arm64 Node from npm, downloaded on first use. */
export function testArtifacts(architecture = process.arch === 'arm64' ? 'arm64' : 'amd64'): Promise<LanguageServerArtifacts> {
  return ensureArtifacts({ architecture, cacheDir: LS_CACHE, registry: process.env.SWE_GYM_NPM_REGISTRY ?? DEFAULT_REGISTRY });
}

// `node out/test/support/languageServer.js` fetches them (scripts/test-extension.sh does, before code-server starts).
if (require.main === module) {
  const started = Date.now();
  testArtifacts().then(
    (a) => console.log(`[setup] language server artifacts in ${a.cacheDir} (${a.downloadedBytes ? `${(a.downloadedBytes / 1e6).toFixed(1)} MB downloaded` : 'cached'}, ${Date.now() - started} ms)`),
    (err: unknown) => {
      console.error(`[setup] language server artifacts: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
