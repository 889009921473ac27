/**
 * SWE-bench 4.1's MAP_REPO_VERSION_TO_SPECS_PY (swebench/harness/constants/python.py): test_cmd,
 * install and eval_commands. pre_install is left out: it only runs when an image is built, and
 * SWE-bench images come prebuilt. Note that the module defines TEST_PYTEST twice; the second
 * definition, "pytest -rA", is the one its specs use.
 */
import type { SpecEntry, SpecTable } from './specTable';
import { atLeast, atMost, compareVersions } from './versions';

const TEST_PYTEST = 'pytest -rA';
const TEST_ASTROPY_PYTEST = 'pytest -rA -vv -o console_output_style=classic --tb=no';
const TEST_DJANGO = './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1';
const TEST_DJANGO_NO_PARALLEL = './tests/runtests.py --verbosity 2';
const TEST_SEABORN = 'pytest --no-header -rA';
const TEST_SPHINX = 'tox --current-env -epy39 -v --';
const TEST_SYMPY = "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose";

const PIP_E = 'python -m pip install -e .';

const simple = (versions: string, test_cmd: string, install?: string) => ({
  versions,
  entry: (): SpecEntry => (install === undefined ? { test_cmd } : { test_cmd, install }),
});

const DJANGO_EVAL_OLD = ['export LANG=en_US.UTF-8', 'export LC_ALL=en_US.UTF-8', 'export PYTHONIOENCODING=utf8', 'export LANGUAGE=en_US:en'];
const DJANGO_EVAL_3 = [
  "sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen",
  'export LANG=en_US.UTF-8',
  'export LANGUAGE=en_US:en',
  'export LC_ALL=en_US.UTF-8',
];

export const SWE_BENCH_TABLE: SpecTable = {
  'astropy/astropy': {
    versions: '3.0 3.1 3.2 4.1 4.2 4.3 5.0 5.1 5.2 v5.3 0.1 0.2 0.3 0.4 1.1 1.2 1.3',
    entry: (v) => ({
      test_cmd: compareVersions(v, '3.0') < 0 ? TEST_ASTROPY_PYTEST : TEST_PYTEST,
      install: 'python -m pip install -e .[test] --verbose',
    }),
  },
  'django/django': {
    versions: '1.7 1.8 1.9 1.10 1.11 2.0 2.1 2.2 1.4 1.5 1.6 3.0 3.1 3.2 4.0 4.1 4.2 5.0 5.1 5.2',
    entry: (v) => {
      const entry: SpecEntry = {
        test_cmd: compareVersions(v, '1.9') === 0 ? TEST_DJANGO_NO_PARALLEL : TEST_DJANGO,
        install: compareVersions(v, '3.0') < 0 ? 'python setup.py install' : PIP_E,
      };
      if (atLeast(v, '1.7') && atMost(v, '2.2')) {
        return { ...entry, eval_commands: DJANGO_EVAL_OLD };
      }
      if (atLeast(v, '3.0') && atMost(v, '3.2')) {
        return { ...entry, eval_commands: DJANGO_EVAL_3 };
      }
      return entry;
    },
  },
  'matplotlib/matplotlib': {
    versions: '3.5 3.6 3.7 3.8 3.9 3.1 3.2 3.3 3.4 3.0 2.0 2.1 2.2 1.0 1.1 1.2 1.3 1.4 1.5',
    entry: (v) => ({
      test_cmd: TEST_PYTEST,
      install: atLeast(v, '3.8')
        ? 'python -m pip install --no-build-isolation -e ".[dev]"'
        : compareVersions(v, '3.0') < 0
          ? 'python setup.py build; python setup.py install'
          : PIP_E,
    }),
  },
  'marshmallow-code/marshmallow': simple(
    '2.18 2.19 2.20 3.0 3.1 3.10 3.11 3.12 3.13 3.15 3.16 3.19 3.2 3.4 3.8 3.9',
    TEST_PYTEST,
    "python -m pip install -e '.[dev]'",
  ),
  'mwaskom/seaborn': {
    versions: '0.11 0.12 0.13 0.14',
    entry: (v) => ({ test_cmd: TEST_SEABORN, install: atLeast(v, '0.12') ? 'python -m pip install -e .[dev]' : PIP_E }),
  },
  'pallets/flask': simple('2.0 2.1 2.2 2.3 3.0 3.1', TEST_PYTEST, PIP_E),
  'psf/requests': simple(
    '0.7 0.8 0.9 0.11 0.13 0.14 1.1 1.2 2.0 2.2 2.3 2.4 2.5 2.7 2.8 2.9 2.10 2.11 2.12 2.17 2.18 2.19 2.22 2.26 2.25 2.27 2.31 3.0',
    TEST_PYTEST,
    'python -m pip install .',
  ),
  'pvlib/pvlib-python': simple('0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9', TEST_PYTEST, 'python -m pip install -e .[all]'),
  'pydata/xarray': simple('0.12 0.18 0.19 0.20 2022.03 2022.06 2022.09 2023.07 2024.05', TEST_PYTEST, PIP_E),
  'pydicom/pydicom': simple('1.0 1.1 1.2 1.3 1.4 2.0 2.1 2.2 2.3 2.4 3.0', TEST_PYTEST, PIP_E),
  'pylint-dev/astroid': simple('2.10 2.12 2.13 2.14 2.15 2.16 2.5 2.6 2.7 2.8 2.9 3.0', TEST_PYTEST, PIP_E),
  'pylint-dev/pylint': simple('2.10 2.11 2.13 2.14 2.15 2.16 2.17 2.8 2.9 3.0 3.1 3.2 3.3 4.0', TEST_PYTEST, PIP_E),
  'pytest-dev/pytest': simple(
    '4.4 4.5 4.6 5.0 5.1 5.2 5.3 5.4 6.0 6.2 6.3 7.0 7.1 7.2 7.4 8.0 8.1 8.2 8.3 8.4',
    TEST_PYTEST,
    PIP_E,
  ),
  'pyvista/pyvista': simple(
    '0.20 0.21 0.22 0.23 0.24 0.25 0.26 0.27 0.28 0.29 0.30 0.31 0.32 0.33 0.34 0.35 0.36 0.37 0.38 0.39 0.40 0.41 0.42 0.43',
    TEST_PYTEST,
    PIP_E,
  ),
  'scikit-learn/scikit-learn': simple(
    '0.20 0.21 0.22 1.3 1.4 1.5 1.6',
    TEST_PYTEST,
    'python -m pip install -v --no-use-pep517 --no-build-isolation -e .',
  ),
  'sphinx-doc/sphinx': simple(
    '1.5 1.6 1.7 1.8 2.0 2.1 2.2 2.3 2.4 3.0 3.1 3.2 3.3 3.4 3.5 4.0 4.1 4.2 4.3 4.4 4.5 5.0 5.1 5.2 5.3 6.0 6.2 7.0 7.1 7.2 7.3 7.4 8.0 8.1',
    TEST_SPHINX,
    'python -m pip install -e .[test]',
  ),
  'sqlfluff/sqlfluff': simple('0.10 0.11 0.12 0.13 0.4 0.5 0.6 0.8 0.9 1.0 1.1 1.2 1.3 1.4 2.0 2.1 2.2', TEST_PYTEST, PIP_E),
  'swe-bench/humaneval': simple('1.0', 'python'),
  'sympy/sympy': simple('0.7 1.0 1.1 1.10 1.11 1.12 1.2 1.4 1.5 1.6 1.7 1.8 1.9 1.13 1.14', TEST_SYMPY, PIP_E),
};
