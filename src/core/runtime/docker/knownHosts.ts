import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';

/**
 * OpenSSH's known_hosts check for one host, as `StrictHostKeyChecking yes` does it: the server's
 * key must be listed for the host (plain, `[host]:port` or hashed `|1|salt|hash` names, `*`/`?`
 * patterns), and a key marked @revoked is refused. ssh2 accepts any host key unless told; there
 * is no maintained known_hosts reader on npm, so this is the little that is needed.
 */
export type HostKeyVerdict = { ok: true } | { ok: false; reason: string };

export function checkHostKey(knownHostsText: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  const blob = key.toString('base64');
  let listed = false;
  for (const raw of knownHostsText.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [names, , keyText] = fields;
    if (!names || !keyText || names.startsWith('#') || marker === '@cert-authority') continue;
    if (!namesMatch(names, name)) continue;
    if (keyText === blob) {
      if (marker === '@revoked') return { ok: false, reason: `the host key of ${name} is marked @revoked in known_hosts` };
      return { ok: true };
    }
    listed = true;
  }
  return listed
    ? { ok: false, reason: `the host key of ${name} does not match known_hosts (it changed, or someone is in between)` }
    : { ok: false, reason: `${name} is not in known_hosts; check its key and add it, e.g. \`ssh-keyscan -p ${port} ${host} >> ~/.ssh/known_hosts\`` };
}

function namesMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    return createHmac('sha1', Buffer.from(salt ?? '', 'base64')).update(name).digest('base64') === hash;
  }
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The known_hosts text of the first file that exists (empty when none does). */
export function readKnownHosts(files: string[]): string {
  for (const file of files) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
  }
  return '';
}
