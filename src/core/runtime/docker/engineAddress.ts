import type Docker from 'dockerode';

/** Where an engine is reached: what dockerode is given, and how messages name it. */
export interface EngineAddress {
  dockerode: Docker.DockerOptions;
  endpoint: string;
}

/** Podman's Docker-compatible socket: SWE_GYM_PODMAN_SOCKET, else the rootful or the rootless default. */
export function podmanSocket(): string {
  if (process.env.SWE_GYM_PODMAN_SOCKET) return process.env.SWE_GYM_PODMAN_SOCKET;
  if (process.getuid?.() === 0) return '/run/podman/podman.sock';
  return `${process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 1000}`}/podman/podman.sock`;
}

/**
 * An engine named as people name one: `docker` (DOCKER_HOST or /var/run/docker.sock), `podman`
 * (its Docker-compatible socket), a socket path or `unix://` URL, or `tcp://host:port` (plain
 * HTTP; for TLS set DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH and name `docker`).
 */
export function engineAddress(name: string): EngineAddress {
  const text = name.trim();
  // dockerode's own defaults read DOCKER_HOST and the TLS variables, as the docker CLI does.
  if (text === '' || text === 'docker') return { dockerode: {}, endpoint: process.env.DOCKER_HOST ?? '/var/run/docker.sock' };
  if (text === 'podman') return engineAddress(podmanSocket());
  if (text.startsWith('/')) return { dockerode: { socketPath: text }, endpoint: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${name}" names no engine: use docker, podman, a socket path, unix:///path or tcp://host:port`);
  }
  if (url.protocol === 'unix:') return { dockerode: { socketPath: url.pathname }, endpoint: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return { dockerode: { host: url.hostname, port: Number(url.port) || 2375, protocol: 'http' }, endpoint: text };
  throw new Error(`"${name}": ${url.protocol}// engines are not supported yet (use docker, podman, a socket path, unix:// or tcp://)`);
}
