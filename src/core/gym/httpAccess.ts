import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface AccessPolicy {
  host: string;
  token?: string;
}

/**
 * Who may drive the gym: every session runs commands in a container, so the server is a remote
 * shell into it. Off loopback a bearer token is required; on loopback a given token is still
 * checked. Browsers are kept out (a web page could otherwise post to 127.0.0.1): requests with an
 * Origin header are refused, and on loopback the Host header must name a loopback address too
 * (DNS rebinding).
 */
export function checkAccess(policy: AccessPolicy, req: IncomingMessage): { status: number; message: string } | undefined {
  if (req.headers.origin !== undefined) return { status: 403, message: 'Requests from web pages (with an Origin header) are refused: the gym is driven by programs, not browsers.' };
  if (isLoopback(policy.host)) {
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!isLoopback(hostHeader)) return { status: 403, message: `The Host header ${JSON.stringify(req.headers.host ?? '')} does not name this loopback server.` };
  }
  if (policy.token === undefined) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return { status: 401, message: 'This server needs `Authorization: Bearer <token>`.' };
  if (!sameSecret(m[1] ?? '', policy.token)) return { status: 401, message: 'The bearer token is wrong.' };
  return undefined;
}

/** Refuses a policy that would expose sessions without a token. */
checkAccess.validate = (policy: AccessPolicy): void => {
  if (!isLoopback(policy.host) && !policy.token) throw new Error(`Listening on ${policy.host} (not loopback) needs a token (--token or SWE_GYM_TOKEN): anyone who reaches the port could run commands in the sessions' containers.`);
  if (policy.token !== undefined && policy.token.length < 8) throw new Error('The token must be at least 8 characters long.');
};

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '::ffff:127.0.0.1';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
