import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { EngineUnavailableError } from '../errors';
import { checkHostKey, readKnownHosts } from './knownHosts';

/** How a remote engine is reached over SSH; unset fields take OpenSSH's defaults (see sshAgentFor). */
export interface SshSettings {
  /** Private key file (unencrypted; use ssh-agent for a key with a passphrase). */
  identityFile?: string;
  knownHostsFile?: string;
  /** The OpenSSH client config read for Host aliases and their settings (default ~/.ssh/config; SWE_GYM_SSH_CONFIG). */
  configFile?: string;
}

const READY_TIMEOUT_MS = 20_000;

/**
 * An http.Agent whose connections are `docker system dial-stdio` run on the remote host (as
 * `docker -H ssh://` does), all over ONE SSH connection, and kept alive between requests.
 * docker-modem's own ssh mode makes a new SSH connection and a new dial-stdio per request: 0.8-1 s
 * each here (under load), most of it starting the docker CLI on the far side, so an eval of a few
 * dozen requests spent most of its time connecting.
 */
export class SshEngineAgent extends http.Agent {
  private client: Promise<Client> | undefined;
  private socket: net.Socket | undefined;
  private open = 0;
  readonly endpoint: string;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly username: string,
    private readonly settings: SshSettings = {},
  ) {
    super({ keepAlive: true, maxFreeSockets: 4 });
    this.endpoint = `ssh://${username}@${host}:${port}`;
  }

  override createConnection(_options: unknown, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    this.connect().then(
      (client) =>
        client.exec('docker system dial-stdio', (err, channel) => {
          if (err) {
            done(new EngineUnavailableError(`The engine at ${this.endpoint} did not start \`docker system dial-stdio\`: ${err.message}`), undefined as unknown as Duplex);
            return;
          }
          this.track(channel);
          done(null, channel);
        }),
      (err: unknown) => done(err as Error, undefined as unknown as Duplex),
    );
    return undefined;
  }

  /** Ends the SSH connection (requests after this open a new one). */
  override destroy(): void {
    super.destroy();
    const client = this.client;
    this.client = undefined;
    void client?.then((c) => c.end(), () => undefined);
  }

  /**
   * Makes a channel pass for the socket the keep-alive Agent expects, whose ref()/unref() (in use /
   * idle in the pool) decide whether the SSH socket keeps the process alive.
   */
  private track(channel: ClientChannel): void {
    let inUse = false;
    const use = (yes: boolean) => {
      if (yes === inUse) return;
      inUse = yes;
      this.open += yes ? 1 : -1;
      if (this.open > 0) this.socket?.ref();
      else this.socket?.unref();
    };
    Object.assign(channel, {
      ref: () => use(true),
      unref: () => use(false),
      setKeepAlive: () => channel,
      setNoDelay: () => channel,
      setTimeout: () => channel,
    });
    use(true);
    channel.once('close', () => use(false));
  }

  private connect(): Promise<Client> {
    if (this.client) return this.client;
    const attempt = new Promise<Client>((resolve, reject) => {
      let hostKeyProblem: string | undefined;
      let config: ConnectConfig;
      try {
        config = this.config((key) => {
          const verdict = checkHostKey(readKnownHosts(this.knownHostsFiles()), this.host, this.port, key);
          if (!verdict.ok) hostKeyProblem = verdict.reason;
          return verdict.ok;
        });
      } catch (err) {
        reject(err);
        return;
      }
      const client = new Client();
      const socket = net.connect(this.port, this.host);
      this.socket = socket;
      const forget = () => {
        if (this.client === attempt) this.client = undefined;
      };
      client.once('ready', () => resolve(client));
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        forget();
        const why = hostKeyProblem ?? (err.level === 'client-authentication' ? `authentication as ${this.username} failed (${this.authHint()})` : err.message);
        const wrapped = new EngineUnavailableError(`Cannot reach the engine at ${this.endpoint} over SSH: ${why}`);
        reject(Object.assign(wrapped, err.code && !hostKeyProblem ? { code: err.code } : {}));
      });
      client.on('close', forget);
      client.connect({ ...config, sock: socket });
    });
    this.client = attempt;
    return attempt;
  }

  private config(hostVerifier: (key: Buffer) => boolean): ConnectConfig {
    const identity = this.settings.identityFile ?? process.env.SWE_GYM_SSH_IDENTITY ?? defaultIdentity();
    let privateKey: Buffer | undefined;
    if (identity) {
      try {
        privateKey = fs.readFileSync(identity);
      } catch (err) {
        throw new EngineUnavailableError(`Cannot read the SSH key ${identity} for ${this.endpoint}: ${(err as Error).message}`);
      }
    }
    const agent = process.env.SSH_AUTH_SOCK;
    if (!privateKey && !agent) throw new EngineUnavailableError(`No SSH key for ${this.endpoint}: set sweGym.ssh.identityFile (SWE_GYM_SSH_IDENTITY) or run an ssh-agent.`);
    return { host: this.host, port: this.port, username: this.username, privateKey, agent, hostVerifier, readyTimeout: READY_TIMEOUT_MS };
  }

  private knownHostsFiles(): string[] {
    const chosen = this.settings.knownHostsFile ?? process.env.SWE_GYM_SSH_KNOWN_HOSTS;
    return chosen ? [chosen] : [path.join(os.homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  }

  private authHint(): string {
    return this.settings.identityFile ?? process.env.SWE_GYM_SSH_IDENTITY ?? defaultIdentity() ?? 'ssh-agent';
  }
}

function defaultIdentity(): string | undefined {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(os.homedir(), '.ssh', f)).find((f) => fs.existsSync(f));
}
