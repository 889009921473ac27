/**
 * Recorded observations by step, then tool call id. A tool call id alone does not name an
 * observation: scaffolds number their calls per turn (every turn's call is `call_0`), and a model
 * taking over a replay or a fork may name its calls as the recording did.
 */
export type ObservationsByStep = Map<number, Map<string, string>>;

export function putObservation(into: ObservationsByStep, step: number, toolCallId: string, content: string): void {
  let calls = into.get(step);
  if (!calls) into.set(step, (calls = new Map()));
  calls.set(toolCallId, content);
}

export function observationAt(from: ObservationsByStep | undefined, step: number, toolCallId: string): string | undefined {
  return from?.get(step)?.get(toolCallId);
}
