import { LABEL_PROFILE, LABEL_PURPOSE, LABEL_RUN, type ContainerPurpose, type ContainerRuntime, type OurContainer } from './containerRuntime';
import { STALE_AFTER_MS } from './docker/heartbeat';

export interface ReapOptions {
  /** Only containers of this session. */
  sessionId?: string;
  purpose?: ContainerPurpose;
  /**
   * With orphansOnly: also dev containers. Off by default: a dev container is the user's work
   * place, and only a window that tracks it knows whether it is still wanted.
   */
  includeDev?: boolean;
  /** Only leftovers: containers whose creator stopped its heartbeat (see isLeftover). */
  orphansOnly?: boolean;
  /** With orphansOnly: also leftovers of other profiles (other users, other machines). */
  anyProfile?: boolean;
  /** With orphansOnly: a heartbeat older than this is stale (default STALE_AFTER_MS). */
  staleAfterMs?: number;
  /** Only containers at least this old. */
  olderThanMs?: number;
}

export type Verdict = { leftover: true; why: string } | { leftover: false; why: string };

/**
 * Whether a container is a leftover, judged by its creator's heartbeat, never by a pid. Nothing
 * this runtime owns, nothing of another profile (unless asked), nothing made before run tokens
 * existed (its creator cannot be known) and nothing younger than the stale time is a leftover.
 */
export async function judgeContainer(runtime: ContainerRuntime, c: OurContainer, options: ReapOptions = {}, now = Date.now()): Promise<Verdict> {
  const staleAfter = options.staleAfterMs ?? STALE_AFTER_MS;
  const run = c.labels[LABEL_RUN];
  if (!run) return { leftover: false, why: 'made by a version without run tokens: its creator cannot be known' };
  if (run === runtime.runToken) return { leftover: false, why: 'ours' };
  if (!options.anyProfile && c.labels[LABEL_PROFILE] !== runtime.profile) return { leftover: false, why: `of another profile (${c.labels[LABEL_PROFILE] ?? '?'})` };
  if (c.labels[LABEL_PURPOSE] === 'dev' && !options.includeDev) return { leftover: false, why: 'a dev container' };
  if (now - c.createdAt.getTime() < staleAfter) return { leftover: false, why: 'just created' };
  if (c.state === 'paused' || c.state === 'restarting' || c.state === 'removing') return { leftover: false, why: c.state };
  if (c.state !== 'running') return { leftover: true, why: `${c.state}, never started or stopped` };
  const beat = await runtime.readHeartbeat(c.id).catch(() => undefined);
  if (!beat) return { leftover: true, why: 'no heartbeat' };
  const age = now - beat.at;
  return age > staleAfter ? { leftover: true, why: `last heartbeat ${Math.round(age / 1000)} s ago` } : { leftover: false, why: 'its creator is alive' };
}

/** Our containers whose creator is gone, per judgeContainer. */
export async function findLeftovers(runtime: ContainerRuntime, options: ReapOptions = {}): Promise<OurContainer[]> {
  const all = await runtime.listOurContainers({ sessionId: options.sessionId, purpose: options.purpose });
  const now = Date.now();
  const verdicts = await Promise.all(all.map((c) => judgeContainer(runtime, c, options, now)));
  return all.filter((_, i) => verdicts[i]?.leftover);
}

/** Finds our containers matching the options and removes them; returns what was removed. */
export async function reapOurContainers(runtime: ContainerRuntime, options: ReapOptions = {}): Promise<OurContainer[]> {
  const now = Date.now();
  const candidates = options.orphansOnly ? await findLeftovers(runtime, options) : await runtime.listOurContainers({ sessionId: options.sessionId, purpose: options.purpose });
  const doomed = candidates.filter((c) => options.olderThanMs === undefined || now - c.createdAt.getTime() >= options.olderThanMs);
  await Promise.all(doomed.map((c) => runtime.removeContainer(c.id)));
  return doomed;
}
