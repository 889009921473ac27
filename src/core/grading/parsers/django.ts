/**
 * unittest-verbose output (`test_x (module.Class) ... ok`), as Django's runtests.py prints it.
 * Also serves plain `python -m unittest -v` logs ('unittest'): the line format is the same.
 * Like the reference, it records `ok`/`OK`, `skipped`, `FAIL`, `ERROR`; "expected failure" and
 * "unexpected success" are not recorded (the test reads as missing).
 */
import { type ParsedLog, StatusRecorder } from './parsedLog';
import { PY_WS, beforeFirst, beforeLast, pyLstrip, pySplit, pyStrip } from './pyText';

const PASS_SUFFIXES = [' ... ok', ' ... OK', ' ...  OK'];
/** django__django-7188 prints a migration line and the test on one line. */
const DJANGO_7188_PREFIX = 'Applying sites.0002_alter_domain_unique...test_no_migrations';
const VERSION_TEST = '--version is equivalent to version';

// Python's re.MULTILINE `^` / `$`, `.` and `\s`, spelled out so JavaScript agrees exactly
// (its multiline anchors and `.` also stop at \r, U+2028 and U+2029).
const BOL = '(?<![^\\n])';
const EOL = '(?![^\\n])';
const WS = `[${PY_WS}]`;
const ANY = '[^\\n]';
/**
 * A long print can split `name ... <message>\nok` over two lines; the reference recognises three
 * messages seen in practice and credits the test with a pass.
 */
const INTERRUPTED_PASS_PATTERNS: [string, RegExp][] = [
  [
    'Testing against Django installed in',
    new RegExp(`${BOL}(${ANY}*?)${WS}\\.\\.\\.${WS}Testing against Django installed in ([\\s\\S]*?) silenced\\)\\.\\nok${EOL}`, 'g'),
  ],
  ['Internal Server Error: /', new RegExp(`${BOL}(${ANY}*?)${WS}\\.\\.\\.${WS}Internal Server Error: \\/(${ANY}*)\\/\\nok${EOL}`, 'g')],
  [
    'System check identified no issues (0 silenced)\nok',
    new RegExp(`${BOL}(${ANY}*?)${WS}\\.\\.\\.${WS}System check identified no issues \\(0 silenced\\)\\nok${EOL}`, 'g'),
  ],
];

export function parseDjango(log: string): ParsedLog {
  const rec = new StatusRecorder();
  const lines = log.split('\n');
  let prevTest: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = pyStrip(lines[i] ?? '');

    if (line.includes(VERSION_TEST)) {
      rec.set(VERSION_TEST, 'PASSED');
    }
    // Remembered for results printed on a later line.
    if (line.includes(' ... ')) {
      prevTest = beforeFirst(line, ' ... ');
    }
    for (const suffix of PASS_SUFFIXES) {
      if (line.endsWith(suffix)) {
        if (line.startsWith(DJANGO_7188_PREFIX)) {
          const at = line.indexOf('...');
          line = pyStrip(line.slice(at + 3));
        }
        rec.set(beforeLast(line, suffix), 'PASSED');
        break;
      }
    }
    if (line.includes(' ... skipped')) {
      rec.set(beforeFirst(line, ' ... skipped'), 'SKIPPED');
    }
    if (line.endsWith(' ... FAIL')) {
      rec.set(beforeFirst(line, ' ... FAIL'), 'FAILED');
    }
    if (line.startsWith('FAIL:')) {
      const name = pySplit(line)[1];
      if (name === undefined) {
        rec.harnessError(i + 1, lines[i] ?? '', '"FAIL:" without a test name (IndexError in the reference parser)');
      } else {
        rec.set(name, 'FAILED');
      }
    }
    if (line.endsWith(' ... ERROR')) {
      rec.set(beforeFirst(line, ' ... ERROR'), 'ERROR');
    }
    if (line.startsWith('ERROR:')) {
      const name = pySplit(line)[1];
      if (name === undefined) {
        rec.harnessError(i + 1, lines[i] ?? '', '"ERROR:" without a test name (IndexError in the reference parser)');
      } else {
        rec.set(name, 'ERROR');
      }
    }
    // "ok" on its own line: the test passed after printing output of its own.
    if (pyLstrip(line).startsWith('ok') && prevTest !== undefined) {
      rec.set(prevTest, 'PASSED');
    }
  }
  for (const [literal, pattern] of INTERRUPTED_PASS_PATTERNS) {
    // Most logs hold none of these messages; skip the whole-log scan then.
    if (!log.includes(literal)) {
      continue;
    }
    for (const m of log.matchAll(pattern)) {
      rec.set(m[1] ?? '', 'PASSED');
    }
  }
  return rec.finish();
}
