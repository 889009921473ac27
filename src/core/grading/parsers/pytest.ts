/**
 * The standard pytest parser family: lines that start with a status (`-rA` summary lines).
 * Covers 'pytest', 'pytest_options' (shortened path parameters) and 'matplotlib' (MouseButton
 * names), which differ only in how a line or test id is rewritten.
 */
import type { RuleSet } from '../ruleSet';
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { pySplit, startsWithStatus } from './pyText';

interface StatusFirstOptions {
  rewriteLine?: (line: string) => string;
  rewriteId?: (id: string) => string;
}

/** SWE-bench 5 drops pytest's `SKIPPED [N] path:line: reason` summary, where `[N]` is no test. */
const SKIP_SUMMARY_COUNT = /^\[\p{Nd}+\]$/u;

export function isSkipSummary(status: string, id: string): boolean {
  return status === 'SKIPPED' && SKIP_SUMMARY_COUNT.test(id);
}

function parseStatusFirst(log: string, rules: RuleSet, opts: StatusFirstOptions): ParsedLog {
  const rec = new StatusRecorder();
  for (const original of log.split('\n')) {
    const line0 = opts.rewriteLine ? opts.rewriteLine(original) : original;
    if (!startsWithStatus(line0)) {
      continue;
    }
    // "FAILED id - message": drop the dash so the id stays the second token.
    const line = line0.startsWith('FAILED') ? line0.replaceAll(' - ', ' ') : line0;
    const tokens = pySplit(line);
    const status = tokens[0];
    const id = tokens[1];
    if (status === undefined || id === undefined) {
      continue;
    }
    if (rules === 'swebench-v5' && isSkipSummary(status, id)) {
      continue;
    }
    rec.set(opts.rewriteId ? opts.rewriteId(id) : id, status);
  }
  return rec.finish();
}

export function parsePytest(log: string, rules: RuleSet): ParsedLog {
  return parseStatusFirst(log, rules, {});
}

/**
 * requests, pylint, pydicom: a parameter that is an absolute path is cut to its last component
 * (`test_x[/tmp/a/b.txt]` -> `test_x[/b.txt]`), except `//...` and globs. Text after the last `]`
 * is dropped, as the reference does.
 */
export function shortenOptionId(id: string): string {
  // The reference's re.search(r"(.*?)\[(.*)\]"): from the first "[" to the last "]".
  const open = id.indexOf('[');
  const close = id.lastIndexOf(']');
  if (open < 0 || close < open) {
    return id;
  }
  const main = id.slice(0, open);
  let option = id.slice(open + 1, close);
  if (option.startsWith('/') && !option.startsWith('//') && !option.includes('*')) {
    option = `/${option.split('/').at(-1) ?? ''}`;
  }
  return `${main}[${option}]`;
}

export function parsePytestOptions(log: string, rules: RuleSet): ParsedLog {
  return parseStatusFirst(log, rules, { rewriteId: shortenOptionId });
}

/** matplotlib ids carry MouseButton enum values that print differently across versions. */
export function parseMatplotlib(log: string, rules: RuleSet): ParsedLog {
  return parseStatusFirst(log, rules, {
    rewriteLine: (line) => line.replaceAll('MouseButton.LEFT', '1').replaceAll('MouseButton.RIGHT', '3'),
  });
}
