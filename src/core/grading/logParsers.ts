/**
 * Log parser registry. Each parser reproduces one SWE-bench / SWE-Gym harness parser, in the
 * dialect of the chosen rule set (see ruleSet.ts); the differences are small and listed where
 * they occur (SWE-bench 5 drops `SKIPPED [N]` summary keys and keeps v2 ids with spaces whole;
 * the SWE-Gym fork's sympy parser strips `[OK]`; unguarded reference parsers raise on a lone
 * status word, which `ParsedLog.harnessErrors` reports).
 */
import type { LogParser } from './testStatus';
import type { RuleSet } from './ruleSet';
import type { ParsedLog } from './parsers/parsedLog';
import { parseDjango } from './parsers/django';
import { parseMatplotlib, parsePytest, parsePytestOptions } from './parsers/pytest';
import { parsePydantic, parsePytestV2 } from './parsers/pytestV2';
import { parseSeaborn } from './parsers/seaborn';
import { parseSympy } from './parsers/sympy';

export type { ParsedLog } from './parsers/parsedLog';

export type LogParserName =
  | 'pytest'
  | 'pytest_v2'
  | 'pytest_options'
  | 'django'
  | 'sympy'
  | 'seaborn'
  | 'matplotlib'
  | 'unittest'
  | 'pydantic';

export const LOG_PARSER_NAMES: readonly LogParserName[] = [
  'pytest',
  'pytest_v2',
  'pytest_options',
  'django',
  'sympy',
  'seaborn',
  'matplotlib',
  'unittest',
  'pydantic',
];

const PARSERS: Readonly<Record<LogParserName, (log: string, rules: RuleSet) => ParsedLog>> = {
  pytest: parsePytest,
  pytest_v2: parsePytestV2,
  pytest_options: parsePytestOptions,
  django: (log) => parseDjango(log),
  // `python -m unittest -v` prints the same `name ... ok` lines Django's runner does.
  unittest: (log) => parseDjango(log),
  sympy: parseSympy,
  seaborn: parseSeaborn,
  matplotlib: parseMatplotlib,
  pydantic: parsePydantic,
};

/**
 * Harness parser function names (`parse_log_<x>`, as SWE-bench 5 rows and the SWE-Gym fork name
 * them) that are aliases of one of ours.
 */
const HARNESS_ALIASES: Readonly<Record<string, LogParserName>> = {
  astroid: 'pytest',
  flask: 'pytest',
  marshmallow: 'pytest',
  pvlib: 'pytest',
  pyvista: 'pytest',
  sqlfluff: 'pytest',
  xarray: 'pytest',
  mypy: 'pytest',
  moto: 'pytest',
  conan: 'pytest',
  modin: 'pytest',
  monai: 'pytest',
  dvc: 'pytest',
  dask: 'pytest',
  bokeh: 'pytest',
  mne: 'pytest',
  hypothesis: 'pytest',
  pandas: 'pytest',
  hydra: 'pytest',
  pydicom: 'pytest_options',
  requests: 'pytest_options',
  pylint: 'pytest_options',
  astropy: 'pytest_v2',
  scikit: 'pytest_v2',
  sphinx: 'pytest_v2',
  pytest_pydantic: 'pydantic',
};

export function isLogParserName(s: string): s is LogParserName {
  return (LOG_PARSER_NAMES as readonly string[]).includes(s);
}

/**
 * Our parser name for a row's `log_parser` value: one of ours, or a harness function name such
 * as `parse_log_pytest_v2` / `parse_log_astropy`. Undefined when we have no such parser (e.g.
 * SWE-bench Multilingual's jest or cargo parsers).
 */
export function normalizeLogParserName(value: string): LogParserName | undefined {
  let key = value.trim().toLowerCase().replaceAll('-', '_');
  if (key.startsWith('parse_log_')) {
    key = key.slice('parse_log_'.length);
  }
  if (isLogParserName(key)) {
    return key;
  }
  return Object.hasOwn(HARNESS_ALIASES, key) ? HARNESS_ALIASES[key] : undefined;
}

/** Parses `log` with full detail (raw values, reference-parser errors). */
export function parseTestLog(name: LogParserName, log: string, rules: RuleSet = 'swe-gym'): ParsedLog {
  return PARSERS[name](log, rules);
}

/**
 * A parser returning only real statuses. Entries whose reference value is not a status (see
 * ParsedLog) are left out; grade through `parseTestLog(...).raw` or `gradeLog` to match the
 * harness in that corner too.
 */
export function getLogParser(name: LogParserName, rules: RuleSet = 'swe-gym'): LogParser {
  return (log: string) => PARSERS[name](log, rules).statuses;
}
