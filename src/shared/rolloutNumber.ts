/**
 * A rollout's or a demonstration's number as a person reads it: "#1" for the first. Its index,
 * which names its files (`<instance>_<index>.json`) and is what JSON fields and `--index` hold,
 * counts from 0; where that index must be shown it is shown as the file stem (`<instance>_0`),
 * never with "#". Every "#N" the UI shows goes through here.
 */
export function rolloutNumber(index: number): string {
  return `#${index + 1}`;
}
