import type Docker from 'dockerode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSshTarget } from './sshConfig';
import { SshEngineAgent, type SshSettings } from './sshTransport';

export type { SshSettings } from './sshTransport';

/**
 * Client certificates of a TLS engine (`tcp://` with TLS), as files. Unset fields come from
 * DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), else ~/.docker, as the docker CLI does.
 */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
}

/** How remote engines are reached (settings; the environment fills what is unset). */
export interface EngineConnectSettings {
  ssh?: SshSettings;
  tls?: TlsSettings;
}

/** Where an engine is reached: what dockerode is given, and how messages name it. */
export interface EngineAddress {
  dockerode: Docker.DockerOptions;
  endpoint: string;
  /**
   * The engine runs on another machine (ssh://, tcp://): host folders cannot be bind-mounted, so
   * a dev container's workspace is synced through the archive API instead.
   */
  remote: boolean;
}

/** Podman's Docker-compatible socket: SWE_GYM_PODMAN_SOCKET, else the rootful or the rootless default. */
export function podmanSocket(): string {
  if (process.env.SWE_GYM_PODMAN_SOCKET) return process.env.SWE_GYM_PODMAN_SOCKET;
  if (process.getuid?.() === 0) return '/run/podman/podman.sock';
  return `${process.env.XDG_RUNTIME_DIR ?? `/run/user/${process.getuid?.() ?? 1000}`}/podman/podman.sock`;
}

/**
 * An engine named as people name one: `docker` (DOCKER_HOST or /var/run/docker.sock), `podman`
 * (its Docker-compatible socket), a socket path or `unix://` URL, `ssh://[user@]host[:port]` (the
 * remote `docker system dial-stdio`, as `docker -H ssh://` does; host may be a Host alias of ~/.ssh/config), or `tcp://host:port`: TLS when
 * certificates are configured (settings, or DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH), port 2376
 * or `https://`; plain HTTP otherwise.
 * Only parses and reads certificate files; nothing is contacted until the first request.
 */
export function engineAddress(name: string, settings: EngineConnectSettings = {}): EngineAddress {
  const text = name.trim();
  // dockerode's own defaults read DOCKER_HOST and the TLS variables, as the docker CLI does.
  if (text === '' || text === 'docker') return fromDockerHost(settings);
  if (text === 'podman') return engineAddress(podmanSocket());
  if (text.startsWith('/')) return { dockerode: { socketPath: text }, endpoint: text, remote: false };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${name}" names no engine: use docker, podman, a socket path, unix:///path, ssh://user@host or tcp://host:port`);
  }
  if (url.protocol === 'unix:') return { dockerode: { socketPath: url.pathname }, endpoint: url.pathname, remote: false };
  if (url.protocol === 'ssh:') {
    if (!url.hostname) throw new Error(`"${name}" names no host: use ssh://user@host[:port]`);
    // Host aliases, HostName, Port, User, IdentityFile and UserKnownHostsFile as `ssh` reads them;
    // the URL's user and port, then our settings (and their variables), win over the config.
    const target = resolveSshTarget(url.hostname, { user: decodeURIComponent(url.username) || undefined, port: Number(url.port) || undefined }, settings.ssh?.configFile);
    const ssh: SshSettings = {
      ...settings.ssh,
      identityFile: settings.ssh?.identityFile ?? process.env.SWE_GYM_SSH_IDENTITY ?? target.identityFiles[0],
      knownHostsFile: settings.ssh?.knownHostsFile ?? process.env.SWE_GYM_SSH_KNOWN_HOSTS ?? target.knownHostsFiles.find((f) => fs.existsSync(f)),
    };
    const agent = new SshEngineAgent(target.hostName, target.port, target.user, ssh);
    // The agent ignores host and port: each connection is a channel of its SSH connection.
    // docker-modem passes `agent` on to every request; @types/dockerode does not list it.
    const dockerode = { protocol: 'http', host: target.hostName, port: target.port, agent } as Docker.DockerOptions;
    return { dockerode, endpoint: agent.endpoint, remote: true };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const port = Number(url.port) || (url.protocol === 'https:' ? 2376 : 2375);
    const tls = url.protocol === 'https:' || port === 2376 || wantsTls(settings);
    if (!tls) return { dockerode: { host: url.hostname, port, protocol: 'http' }, endpoint: text, remote: true };
    return { dockerode: { host: url.hostname, port, protocol: 'https', ...readTls(settings.tls, text) }, endpoint: `${text} (TLS)`, remote: true };
  }
  throw new Error(`"${name}": ${url.protocol}// engines are not supported (use docker, podman, a socket path, unix://, ssh:// or tcp://)`);
}

/** `docker`: DOCKER_HOST as the docker CLI reads it; an ssh:// or tcp:// one goes through our own handling. */
function fromDockerHost(settings: EngineConnectSettings): EngineAddress {
  const host = process.env.DOCKER_HOST;
  if (host && /^(ssh|tcp|https?):\/\//.test(host)) {
    const wanted = process.env.DOCKER_TLS_VERIFY === '1' && host.startsWith('tcp://') ? host.replace(/^tcp:/, 'https:') : host;
    return { ...engineAddress(wanted, settings), endpoint: host };
  }
  return { dockerode: {}, endpoint: host ?? '/var/run/docker.sock', remote: false };
}

function wantsTls(settings: EngineConnectSettings): boolean {
  return Boolean(settings.tls?.ca || settings.tls?.cert || settings.tls?.key) || process.env.DOCKER_TLS_VERIFY === '1';
}

function readTls(tls: TlsSettings = {}, endpoint: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const dir = process.env.DOCKER_CERT_PATH || path.join(os.homedir(), '.docker');
  const read = (given: string | undefined, file: string, what: string): Buffer => {
    const where = given ?? path.join(dir, file);
    try {
      return fs.readFileSync(where);
    } catch (err) {
      throw new Error(`${endpoint} needs TLS, but its ${what} ${where} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set sweGym.tls.* or DOCKER_CERT_PATH.`);
    }
  };
  return { ca: read(tls.ca, 'ca.pem', 'CA certificate'), cert: read(tls.cert, 'cert.pem', 'client certificate'), key: read(tls.key, 'key.pem', 'client key') };
}
