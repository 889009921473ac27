import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeLogParserName } from '../../../src/core/grading/logParsers';
import { UnsupportedLogParserError, parserNameForInstance, repoFromInstanceId } from '../../../src/core/harness/specs/logParserTable';
import { makeInstance } from '../grading/fixtures';

test('the fork derives the repo from the lower-cased instance id', () => {
  assert.equal(repoFromInstanceId('Project-MONAI__MONAI-1010'), 'project-monai/monai');
  assert.equal(repoFromInstanceId('modin-project__modin-6123'), 'modin-project/modin');
  assert.equal(repoFromInstanceId('scikit-learn__scikit-learn-10297'), 'scikit-learn/scikit-learn');
});

test('repo mapping: pydantic uses its v2 variant, SWE-bench repos their own, the rest pytest', () => {
  const cases: [string, string, string][] = [
    ['pydantic__pydantic-5021', 'pydantic/pydantic', 'pydantic'],
    ['Project-MONAI__MONAI-1010', 'Project-MONAI/MONAI', 'pytest'],
    ['getmoto__moto-7365', 'getmoto/moto', 'pytest'],
    ['python__mypy-15050', 'python/mypy', 'pytest'],
    ['django__django-11099', 'django/django', 'django'],
    ['sympy__sympy-20590', 'sympy/sympy', 'sympy'],
    ['astropy__astropy-12907', 'astropy/astropy', 'pytest_v2'],
    ['psf__requests-2317', 'psf/requests', 'pytest_options'],
    ['mwaskom__seaborn-3010', 'mwaskom/seaborn', 'seaborn'],
    ['matplotlib__matplotlib-23314', 'matplotlib/matplotlib', 'matplotlib'],
    ['acme__widgets-1', 'acme/widgets', 'pytest'],
  ];
  for (const [instance_id, repo, expected] of cases) {
    assert.equal(parserNameForInstance(makeInstance({ instance_id, repo })), expected, instance_id);
  }
});

test("the row's own log_parser wins, in our names or the harness's", () => {
  assert.equal(parserNameForInstance(makeInstance({ log_parser: 'unittest' })), 'unittest');
  assert.equal(parserNameForInstance(makeInstance({ log_parser: 'parse_log_astropy' })), 'pytest_v2');
  assert.equal(parserNameForInstance(makeInstance({ log_parser: 'parse_log_pytest_pydantic' })), 'pydantic');
  assert.equal(normalizeLogParserName('pytest-v2'), 'pytest_v2');
  assert.equal(normalizeLogParserName('constructor'), undefined);
});

test('an unsupported log_parser is a clear error, not a silent wrong grade', () => {
  assert.throws(
    () => parserNameForInstance(makeInstance({ instance_id: 'x__y-1', log_parser: 'parse_log_jest' })),
    (err: unknown) => err instanceof UnsupportedLogParserError && /x__y-1: log_parser "parse_log_jest" is not supported/.test(err.message),
  );
});
