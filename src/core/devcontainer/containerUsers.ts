/**
 * Which windows use an instance's dev container. Every window of a profile shares one record of
 * an instance's container (the extension's instance records), and several windows can have the
 * same container open (one launched it, another launched the same instance or found it again
 * after a reload). Each names itself (its extension host's session id) in `users`; Stop in a
 * window removes the container only when no other live window still uses it. Pure: the caller
 * applies these inside its locked change of the record.
 */

/** What these rules need of a container record. */
export interface SharedContainer {
  containerId: string;
  /** Session ids of the extension hosts that use the container (missing: written before users existed). */
  users?: string[];
}

/** The other live windows that use the container, `self` left out. */
export function otherUsers(record: SharedContainer | undefined, self: string, isAlive: (user: string) => boolean): string[] {
  return (record?.users ?? []).filter((u) => u !== self && isAlive(u));
}

/** The record with `self` among its users (users that are gone are dropped). */
export function withUser<S extends SharedContainer>(record: S, self: string, isAlive: (user: string) => boolean): S {
  return { ...record, users: [...otherUsers(record, self, isAlive), self] };
}

/**
 * A launch's new container against what the record holds now: another live window's container of
 * the same instance stays the instance's container (the launch then uses that one and removes its
 * own); otherwise the new one is recorded, used by `self`.
 */
export function claim<S extends SharedContainer>(current: S | undefined, launched: S, self: string, isAlive: (user: string) => boolean): S {
  if (current && current.containerId !== launched.containerId && otherUsers(current, self, isAlive).length) return withUser(current, self, isAlive);
  return { ...launched, users: [self] };
}

/**
 * `self` stops using `containerId`. `remove`: no other live window uses it, so it goes (and the
 * record with it); otherwise the record keeps the other users. A record of another container (a
 * window that launched the same instance at the same moment) is left as it is.
 */
export function release<S extends SharedContainer>(current: S | undefined, containerId: string, self: string, isAlive: (user: string) => boolean): { next: S | undefined; remove: boolean; others: string[] } {
  if (!current || current.containerId !== containerId) return { next: current, remove: true, others: [] };
  const others = otherUsers(current, self, isAlive);
  return others.length ? { next: { ...current, users: others }, remove: false, others } : { next: undefined, remove: true, others };
}
