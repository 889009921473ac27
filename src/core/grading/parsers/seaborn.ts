/**
 * seaborn: `-rA` FAILED/PASSED summary lines plus verbose `path::test PASSED ...` lines.
 * Records only passes and failures (skips, errors and xfails read as missing), as the reference.
 */
import type { RuleSet } from '../ruleSet';
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { pySplit } from './pyText';

export function parseSeaborn(log: string, rules: RuleSet): ParsedLog {
  const rec = new StatusRecorder();
  // SWE-bench 5 skips short lines; earlier versions raise IndexError on them.
  const guarded = rules === 'swebench-v5';
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const parts = pySplit(line);
    const kind = line.startsWith('FAILED') ? 'failed' : line.includes(' PASSED ') ? 'verbose' : line.startsWith('PASSED') ? 'passed' : undefined;
    if (kind === undefined) {
      continue;
    }
    const second = parts[1];
    if (second === undefined) {
      if (!guarded) {
        rec.harnessError(i + 1, line, 'a status line with one word (IndexError in the reference parser)');
      }
      continue;
    }
    if (kind === 'failed') {
      rec.set(second, 'FAILED');
    } else if (kind === 'passed') {
      rec.set(second, 'PASSED');
    } else if (second === 'PASSED') {
      rec.set(parts[0] ?? '', 'PASSED');
    }
  }
  return rec.finish();
}
