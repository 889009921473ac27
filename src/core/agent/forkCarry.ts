import type { StampedEvent } from './events';
import { putObservation, type ObservationsByStep } from './observationsByStep';
import type { ControlShell } from './tools/controlShell';
import { shellQuote } from '../util/shellQuote';

/** A person's step in the source rollout: a note and/or hand edits, made after step `afterStep`. */
export interface CarriedHumanStep {
  afterStep: number;
  content: string;
  files: string[];
  /** The hand edits as a diff against the state before the pause ('' for a note). */
  diff: string;
}

/** What a fork takes from its source besides the model's turns. */
export interface ForkCarry {
  of: { rolloutId: string; step: number };
  /** Human steps made before step `of.step`'s model turn, replayed at the same point. */
  humanSteps: CarriedHumanStep[];
  /** Observations a person edited in the source: the fork's model is shown the same text. */
  observationEdits: ObservationsByStep;
  /** The source's observations as its tools returned them (before any edit): differences are flagged. */
  observations: ObservationsByStep;
}

/**
 * What a fork at `atStep` carries from the source's event log: the human steps (notes and hand
 * edits) that came before step `atStep`'s model turn, the observation edits and the original
 * observations of steps 1..atStep.
 */
export function forkCarryFromEvents(events: readonly StampedEvent[], rolloutId: string, atStep: number): ForkCarry {
  const carry: ForkCarry = { of: { rolloutId, step: atStep }, humanSteps: [], observationEdits: new Map(), observations: new Map() };
  for (const e of events) {
    if (e.type === 'human_step' && e.step < atStep) carry.humanSteps.push({ afterStep: e.step, content: e.content, files: e.files, diff: e.diff });
    const step = 'step' in e ? e.step : 0;
    if (step < 1 || step > atStep) continue;
    if (e.type === 'observation') putObservation(carry.observations, step, e.toolCallId, e.content);
    if (e.type === 'observation_edited') putObservation(carry.observationEdits, step, e.toolCallId, e.after);
  }
  return carry;
}

/** Applies a carried hand edit in the fork's container; returns why it did not apply, or undefined. */
export async function applyCarriedEdit(shell: ControlShell, repoDir: string, diff: string, write: (path: string, content: string) => Promise<void>): Promise<string | undefined> {
  if (!diff.trim()) return undefined;
  const file = `/tmp/.swe-gym-carried-${Date.now()}-${Math.random().toString(36).slice(2)}.diff`;
  await write(file, diff.endsWith('\n') ? diff : `${diff}\n`);
  const r = await shell.run(`cd ${shellQuote(repoDir)} && git apply --whitespace=nowarn ${file} 2>&1; rc=$?; rm -f ${file}; exit $rc`);
  return r.exitCode === 0 ? undefined : r.output.trim().slice(0, 500) || `git apply exited ${r.exitCode}`;
}
