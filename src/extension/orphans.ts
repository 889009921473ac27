import * as vscode from 'vscode';
import type { ContainerRuntime, OurContainer } from '../core/runtime/containerRuntime';
import { LABEL_INSTANCE, LABEL_PURPOSE } from '../core/runtime/containerRuntime';
import { findLeftovers } from '../core/runtime/reaper';
import { errorMessage, type Logger } from './util/logger';

/**
 * Leftovers of this profile whose creator stopped its heartbeat, not claimed by this window: another
 * window's or another user's running container is never offered (theirs beat, or are not ours).
 */
export async function findOrphans(runtime: ContainerRuntime, tracked: Set<string>, staleAfterMs?: number): Promise<OurContainer[]> {
  const leftovers = await findLeftovers(runtime, { includeDev: true, staleAfterMs });
  return leftovers.filter((c) => !tracked.has(c.id));
}

function describe(c: OurContainer): string {
  return `${c.name} (${c.labels[LABEL_PURPOSE] ?? '?'}${c.labels[LABEL_INSTANCE] ? `, ${c.labels[LABEL_INSTANCE]}` : ''})`;
}

/** Asks before removing: the user may still want something inside them. */
export async function offerOrphanRemoval(runtime: ContainerRuntime, tracked: Set<string>, log: Logger, askEvenIfNone = false): Promise<number> {
  let orphans: OurContainer[];
  try {
    orphans = await findOrphans(runtime, tracked);
  } catch (err) {
    log.warn(`Could not look for leftover containers: ${errorMessage(err)}`);
    if (askEvenIfNone) void vscode.window.showErrorMessage(errorMessage(err));
    return 0;
  }
  if (orphans.length === 0) {
    if (askEvenIfNone) void vscode.window.showInformationMessage('No SWE-Gym Studio containers are left over.');
    return 0;
  }
  log.info(`Leftover containers: ${orphans.map(describe).join(', ')}`);
  const pick = await vscode.window.showWarningMessage(
    `${orphans.length} SWE-Gym Studio container${orphans.length === 1 ? ' was' : 's were'} left behind by sessions that ended: ${orphans.slice(0, 3).map(describe).join(', ')}${orphans.length > 3 ? ', …' : ''}. Remove ${orphans.length === 1 ? 'it' : 'them'}?`,
    'Remove',
    'Keep',
  );
  if (pick !== 'Remove') return 0;
  let removed = 0;
  for (const c of orphans) {
    try {
      await runtime.removeContainer(c.id);
      removed++;
    } catch (err) {
      log.warn(`Could not remove ${describe(c)}: ${errorMessage(err)}`);
    }
  }
  void vscode.window.showInformationMessage(`Removed ${removed} leftover container${removed === 1 ? '' : 's'}.`);
  return removed;
}
