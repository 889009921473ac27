/** sympy's own runner (`bin/test -C --verbose`): `test_x ok`, `test_y F`, `test_z E`. */
import type { RuleSet } from '../ruleSet';
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { pySplit, pyStrip } from './pyText';

/**
 * The test id in a failure header such as `____ sympy/core/tests/test_basic.py:test_foo ____`,
 * as the reference's `re.findall(r"(_*) (.*)\.py:(.*) (_*)", log)` reads it. That pattern cannot
 * cross a newline and takes at most one match per line: after the first space, up to the last
 * ".py:" that still has a space after it, then up to the line's last space. Computed directly,
 * because the backtracking search is quadratic on long lines.
 */
export function sympyFailureHeaderId(line: string): string | undefined {
  const lastSpace = line.lastIndexOf(' ');
  if (lastSpace < 0) {
    return undefined;
  }
  const py = line.lastIndexOf('.py:', lastSpace - 4);
  const firstSpace = line.indexOf(' ');
  if (lastSpace - 4 < 0 || py < 0 || firstSpace + 1 > py) {
    return undefined;
  }
  return `${line.slice(firstSpace + 1, py)}.py:${line.slice(py + 4, lastSpace)}`;
}

export function parseSympy(log: string, rules: RuleSet): ParsedLog {
  const rec = new StatusRecorder();
  const lines = log.split('\n');
  for (const line of lines) {
    const id = line.includes('.py:') ? sympyFailureHeaderId(line) : undefined;
    if (id !== undefined) {
      rec.set(id, 'FAILED');
    }
  }
  for (const original of lines) {
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
