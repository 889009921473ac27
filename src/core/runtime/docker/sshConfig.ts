import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type SSHConfig from 'ssh-config' with { 'resolution-mode': 'import' };

// ssh-config ships ESM types over a CommonJS build (its `require` export); TypeScript's node16
// resolution will only type it as ESM, so the types come by an ESM type import and the code by require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('ssh-config') as { parse(text: string): SSHConfig };

/** Where an `ssh://` engine really is, once the OpenSSH client config has been read. */
export interface SshTarget {
  /** The name in the engine URL (a Host alias or a real host). */
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** The config's IdentityFile entries that exist, in order (tokens and ~ expanded). */
  identityFiles: string[];
  /** The config's UserKnownHostsFile entries (tokens and ~ expanded). */
  knownHostsFiles: string[];
}

/**
 * Reads what `ssh` would for `ssh://[user@]alias[:port]`: the Host (and Match host/user) sections
 * of the client config (~/.ssh/config, or the file given) give HostName, Port, User, IdentityFile
 * and UserKnownHostsFile; what the URL names wins, as ssh's command line does. `Match exec` is
 * never run (the config is read, not executed), and `Include` is not followed.
 */
export function resolveSshTarget(alias: string, fromUrl: { user?: string; port?: number }, configFile?: string): SshTarget {
  const file = configFile ?? process.env.SWE_GYM_SSH_CONFIG ?? path.join(os.homedir(), '.ssh', 'config');
  let computed: Record<string, string | string[]> = {};
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // No config is the usual case; a named one that cannot be read is a mistake worth saying.
    if (configFile || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the SSH config ${file}: ${(err as Error).message}`);
  }
  if (text !== undefined) {
    try {
      computed = parse(text).compute({ Host: alias, User: fromUrl.user }, { ignoreCase: true, matchExec: false });
    } catch (err) {
      throw new Error(`The SSH config ${file} cannot be read as an ssh_config file: ${(err as Error).message}`);
    }
  }
  const one = (key: string): string | undefined => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const all = (key: string): string[] => {
    const v = computed[key];
    return (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => s.split(/\s+/)).filter(Boolean);
  };
  const hostName = expandTokens(one('hostname') ?? alias, { h: alias, n: alias });
  const configPort = Number(one('port'));
  const port = fromUrl.port ?? (Number.isInteger(configPort) && configPort > 0 ? configPort : 22);
  const user = fromUrl.user ?? one('user') ?? os.userInfo().username;
  const tokens = { h: hostName, n: alias, p: String(port), r: user, u: os.userInfo().username, d: os.homedir() };
  const files = (key: string) => all(key).map((f) => expandTokens(f, tokens)).map((f) => (f.startsWith('~') ? path.join(os.homedir(), f.slice(1)) : f));
  return { alias, hostName, port, user, identityFiles: files('identityfile').filter((f) => fs.existsSync(f)), knownHostsFiles: files('userknownhostsfile') };
}

/** ssh_config's %-tokens (the few that name hosts, users and folders). */
function expandTokens(text: string, tokens: Record<string, string>): string {
  return text.replace(/%(.)/g, (whole, t: string) => (t === '%' ? '%' : (tokens[t] ?? whole)));
}
