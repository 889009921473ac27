/**
 * Which log parser a task instance's test log needs: the fork's per-repo parser table, beside the
 * per-repo spec tables (sweGymTable, sweBenchTable) that resolveRepoSpec reads with it.
 */
import type { TaskInstance } from '../../dataset/taskInstance';
import { type LogParserName, LOG_PARSER_NAMES, normalizeLogParserName } from '../../grading/logParsers';

/** The SWE-Gym fork's MAP_REPO_TO_PARSER (a superset of SWE-bench 4.1's), keys lower-cased. */
const REPO_PARSERS: Readonly<Record<string, LogParserName>> = {
  'astropy/astropy': 'pytest_v2',
  'django/django': 'django',
  'marshmallow-code/marshmallow': 'pytest',
  'matplotlib/matplotlib': 'matplotlib',
  'mwaskom/seaborn': 'seaborn',
  'pallets/flask': 'pytest',
  'psf/requests': 'pytest_options',
  'pvlib/pvlib-python': 'pytest',
  'pydata/xarray': 'pytest',
  'pydicom/pydicom': 'pytest_options',
  'pylint-dev/astroid': 'pytest',
  'pylint-dev/pylint': 'pytest_options',
  'pytest-dev/pytest': 'pytest',
  'pyvista/pyvista': 'pytest',
  'scikit-learn/scikit-learn': 'pytest_v2',
  'sqlfluff/sqlfluff': 'pytest',
  'sphinx-doc/sphinx': 'pytest_v2',
  'sympy/sympy': 'sympy',
  'python/mypy': 'pytest',
  'getmoto/moto': 'pytest',
  'conan-io/conan': 'pytest',
  'modin-project/modin': 'pytest',
  'project-monai/monai': 'pytest',
  'iterative/dvc': 'pytest',
  'dask/dask': 'pytest',
  'bokeh/bokeh': 'pytest',
  'mne-tools/mne-python': 'pytest',
  'hypothesisworks/hypothesis': 'pytest',
  'pydantic/pydantic': 'pydantic',
  'pandas-dev/pandas': 'pytest',
  'facebookresearch/hydra': 'pytest',
};

export class UnsupportedLogParserError extends Error {
  override name = 'UnsupportedLogParserError';
}

/**
 * The repo as the SWE-Gym fork derives it from the (lower-cased) instance id:
 * `project-monai__monai-1010` -> `project-monai/monai`.
 */
export function repoFromInstanceId(instanceId: string): string {
  return instanceId.toLowerCase().replaceAll('__', '/').split('-').slice(0, -1).join('-');
}

export function parserForRepo(repo: string): LogParserName | undefined {
  const key = repo.toLowerCase();
  return Object.hasOwn(REPO_PARSERS, key) ? REPO_PARSERS[key] : undefined;
}

/**
 * The row's own `log_parser` wins; else the repo the fork derives from the instance id; else
 * the row's `repo`; else 'pytest'. Throws UnsupportedLogParserError for a `log_parser` we cannot
 * honour, rather than grading with the wrong parser.
 */
export function parserNameForInstance(instance: Pick<TaskInstance, 'instance_id' | 'repo' | 'log_parser'>): LogParserName {
  const own = instance.log_parser;
  if (own !== undefined && own.trim() !== '') {
    const name = normalizeLogParserName(own);
    if (name === undefined) {
      throw new UnsupportedLogParserError(
        `${instance.instance_id}: log_parser "${own}" is not supported (supported: ${LOG_PARSER_NAMES.join(', ')}, ` +
          'or the matching parse_log_* harness names)',
      );
    }
    return name;
  }
  return parserForRepo(repoFromInstanceId(instance.instance_id)) ?? parserForRepo(instance.repo) ?? 'pytest';
}
