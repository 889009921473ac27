import { EngineUnavailableError, ImageUnavailableError } from '../errors';

const ENGINE_DOWN_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'EACCES', 'ETIMEDOUT']);

/** True when an error means the engine itself is gone (not a 404 or a failing command). */
export function isEngineDown(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return typeof code === 'string' && ENGINE_DOWN_CODES.has(code);
}

export function statusCodeOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Re-throws engine-down errors as a message a user can act on; others pass through. */
export function translateEngineError(err: unknown, endpoint: string, doing: string): Error {
  if (isEngineDown(err)) {
    const code = (err as { code: string }).code;
    return new EngineUnavailableError(
      `Docker engine is not reachable at ${endpoint} (${code}) while ${doing}. Start Docker (e.g. \`dockerd\` or Docker Desktop) and try again.`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Pull failures: registry unreachable, image missing, auth: all reported as unavailable images. */
export function translatePullError(err: unknown, image: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/manifest unknown|not found|does not exist/i.test(message)) {
    return new ImageUnavailableError(`Image ${image} is not in the registry (manifest unknown). Some SWE-Gym images were never published; pick another instance or build the image yourself.`);
  }
  if (/dial tcp|lookup |no such host|timeout|connection refused|network is unreachable|TLS handshake/i.test(message)) {
    return new ImageUnavailableError(`Cannot pull ${image}: the registry cannot be reached (${firstLine(message)}). Pull it on a connected machine and \`docker load\` it, or check your network/proxy.`);
  }
  if (/unauthorized|denied/i.test(message)) {
    return new ImageUnavailableError(`Cannot pull ${image}: access denied by the registry (${firstLine(message)}). Run \`docker login\` if the image is private.`);
  }
  return new ImageUnavailableError(`Cannot pull ${image}: ${firstLine(message)}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0]?.trim() ?? s;
}
