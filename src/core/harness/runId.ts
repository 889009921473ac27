import { randomBytes } from 'node:crypto';

/** A run id that is new every time: the harness caches by run id, so reuse means stale verdicts. */
export function newRunId(prefix = 'swe-gym'): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}
