/** sympy's own runner (`bin/test -C --verbose`): `test_x ok`, `test_y F`, `test_z E`. */
import type { RuleSet } from '../ruleSet';
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { pySplit, pyStrip } from './pyText';

/** Failure headers such as `____ sympy/core/tests/test_basic.py:test_foo ____`. */
const FAILURE_HEADER = /(_*) ([^\n]*)\.py:([^\n]*) (_*)/g;

export function parseSympy(log: string, rules: RuleSet): ParsedLog {
  const rec = new StatusRecorder();
  for (const m of log.matchAll(FAILURE_HEADER)) {
    rec.set(`${m[2] ?? ''}.py:${m[3] ?? ''}`, 'FAILED');
  }
  for (const original of log.split('\n')) {
    let line = pyStrip(original);
    if (!line.startsWith('test_')) {
      continue;
    }
    // Only the SWE-Gym fork strips the file's closing "[OK]"/"[FAIL]" from its last test line;
    // SWE-bench 4.1 and 5 do not (there the last test of each file reads as missing).
    if (rules === 'swe-gym' && (line.endsWith('[FAIL]') || line.endsWith('[OK]'))) {
      line = pyStrip(line.slice(0, line.lastIndexOf('[')));
    }
    const name = pySplit(line)[0] ?? '';
    if (line.endsWith(' E')) {
      rec.set(name, 'ERROR');
    }
    if (line.endsWith(' F')) {
      rec.set(name, 'FAILED');
    }
    if (line.endsWith(' ok')) {
      rec.set(name, 'PASSED');
    }
  }
  return rec.finish();
}
