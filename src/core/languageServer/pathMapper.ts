import * as path from 'node:path';

/**
 * The two views of one workspace: the host folder the editor opens and the folder the server
 * sees in the container (/testbed). Paths are absolute; anything outside the mapped folder on the
 * container side lives only in the container (site-packages, the stdlib, the server's own stubs).
 */
export class PathMapper {
  private readonly host: string;
  private readonly container: string;

  constructor(hostRoot: string, containerRoot: string) {
    this.host = stripSlash(path.resolve(hostRoot));
    this.container = stripSlash(path.posix.normalize(containerRoot));
  }

  /** The container path of a host file in the workspace; undefined for anything else. */
  toContainer(hostPath: string): string | undefined {
    const rel = relativeInside(this.host, path.resolve(hostPath), path);
    return rel === undefined ? undefined : rel === '' ? this.container : `${this.container}/${rel.split(path.sep).join('/')}`;
  }

  /**
   * The host path of a container file under the mapped folder; undefined for anything else. The
   * path comes from the server (untrusted): `..` is resolved first, so it cannot climb out.
   */
  toHost(containerPath: string): string | undefined {
    if (!containerPath.startsWith('/')) return undefined;
    const rel = relativeInside(this.container, path.posix.normalize(containerPath), path.posix);
    return rel === undefined ? undefined : rel === '' ? this.host : path.join(this.host, ...rel.split('/'));
  }
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/[/\\]+$/, '') : p;
}

function relativeInside(root: string, p: string, impl: typeof path.posix): string | undefined {
  const normalized = stripSlash(p);
  if (normalized === root) return '';
  const prefix = root.endsWith(impl.sep) ? root : root + impl.sep;
  return normalized.startsWith(prefix) ? normalized.slice(prefix.length) : undefined;
}
