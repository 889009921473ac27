/**
 * The "v2" pytest parser (astropy, scikit-learn, sphinx) and the SWE-Gym fork's pydantic variant.
 * Both strip terminal colouring and also read verbose lines that END with a status
 * (`path::test PASSED`, from `-vv -o console_output_style=classic`).
 */
import type { RuleSet } from '../ruleSet';
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { isSkipSummary } from './pytest';
import { PY_WS, beforeFirst, endsWithStatus, pySplit, startsWithStatus } from './pyText';

/** ANSI remnants such as `[0m` / `[31m` (Python's `\d` is any Unicode decimal digit). */
const ANSI_REMNANT = /\[\p{Nd}+m/gu;
/** Characters 1..31, tab and CR included, as the reference deletes them. */
const CONTROL_CHARS = /[\x01-\x1f]/g;
/** pydantic: `FAILED [ 12%]`-style brackets after FAILED. */
const FAILED_BRACKET = new RegExp(`FAILED[${PY_WS}]*\\[[^\\n]*?\\]`, 'g');

interface V2Options {
  pydantic: boolean;
}

function parseV2(log: string, rules: RuleSet, opts: V2Options): ParsedLog {
  const rec = new StatusRecorder();
  // The SWE-Gym fork's copies have no length guard: a lone status word raises IndexError.
  const unguarded = rules === 'swe-gym';
  const v5 = rules === 'swebench-v5';
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(ANSI_REMNANT, '').replace(CONTROL_CHARS, '');
    if (opts.pydantic) {
      line = line.replace(FAILED_BRACKET, 'FAILED');
    }
    if (startsWithStatus(line)) {
      if (line.startsWith('FAILED')) {
        line = v5 ? beforeFirst(line, ' - ') : line.replaceAll(' - ', ' ');
      }
      const tokens = pySplit(line);
      if (tokens.length < 2) {
        if (unguarded) {
          rec.harnessError(i + 1, lines[i] ?? '', 'a status word alone on a line (IndexError in the reference parser)');
        }
        continue;
      }
      const status = tokens[0] ?? '';
      if (v5) {
        // SWE-bench 5 keeps ids with spaces whole.
        if (!isSkipSummary(status, tokens[1] ?? '')) {
          rec.set(tokens.slice(1).join(' '), status);
        }
      } else {
        rec.set(tokens[1] ?? '', status);
      }
    } else if (endsWithStatus(line)) {
      const tokens = pySplit(line);
      if (tokens.length < 2) {
        if (unguarded) {
          rec.harnessError(i + 1, lines[i] ?? '', 'a single word ending in a status (IndexError in the reference parser)');
        }
        continue;
      }
      if (v5) {
        rec.set(tokens.slice(0, -1).join(' '), tokens.at(-1) ?? '');
      } else {
        // The reference maps the FIRST token to the SECOND, whatever the line holds.
        rec.set(tokens[0] ?? '', tokens[1] ?? '');
      }
    }
  }
  return rec.finish();
}

export function parsePytestV2(log: string, rules: RuleSet): ParsedLog {
  return parseV2(log, rules, { pydantic: false });
}

/**
 * The SWE-Gym fork's `parse_log_pytest_pydantic`. SWE-bench has no pydantic parser; under
 * 'swebench-v5' rules we apply SWE-bench 5's v2 changes to it (our extension).
 */
export function parsePydantic(log: string, rules: RuleSet): ParsedLog {
  return parseV2(log, rules, { pydantic: true });
}
