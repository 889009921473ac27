/**
 * The SWE-Gym fork's MAP_REPO_VERSION_TO_SPECS (SWE-Gym/SWE-Bench-Fork,
 * swebench/harness/constants.py) for the SWE-Gym repositories, reduced to what an evaluation
 * needs: test_cmd, install, pre_install and eval_commands. Strings are reproduced exactly,
 * oddities included (MONAI's trailing space, dask's double space, dvc's missing comma).
 */
import type { SpecTable } from './specTable';
import { atLeast, atMost, compareVersions } from './versions';

const MYPY_PRE = ['git submodule update --init mypy/typeshed || true'];
const MYPY_INSTALL = 'python -m pip install -r test-requirements.txt; python -m pip install -e .; hash -r';
const MYPY_INSTALL_OLD = 'python -m pip install -r test-requirements.txt; python -m pip install -e .; pip install pytest pytest-xdist; hash -r';

const CONAN_PRE = ['apt-get -y update && apt-get -y upgrade && apt-get install -y build-essential cmake'];
const CONAN_REQS =
  'python -m pip install -r conans/requirements.txt; python -m pip install -r conans/requirements_server.txt; python -m pip install -r conans/requirements_dev.txt ';
const CONAN_EVAL = ['export PYTHONPATH=${PYTHONPATH:-}:$(pwd)'];

const DVC_PRE = [
  'apt-get -y update && apt-get -y upgrade && apt-get install -y cmake',
  "[ -f setup.py ] && sed -E -i 's/moto==([0-9]+\\.[0-9]+\\.[0-9]+)\\.dev[0-9]+/moto==\\1/' setup.py",
  // Two commands run together because the fork's list lacks a comma between them.
  "[ -f setup.py ] && sed -i 's/pyarrow==0.15.1/pyarrow==0.16/' setup.py[ -f setup.py ] && sed -i 's/boto3==1.9.115/boto3==1.9.201/' setup.py",
];
const DVC_INSTALL =
  'python -m pip install --upgrade pip wheel GitPython; python -m pip install "cython<3.0.0" && python -m pip install --no-build-isolation pyyaml==5.4.1; ' +
  'python -m pip install git+https://github.com/iterative/mock-ssh-server.git || true; python -m pip install -r tests/requirements.txt || true; ' +
  'python -m pip install -r test-requirements.txt || true; python -m pip install -e ".[tests,dev,all_remotes,all,testing]";';

const BOKEH_PRE = ['cd bokehjs && npm install --location=global npm && npm ci && cd ../'];

const PYDANTIC_PRE = (pdm: string): string[] => [
  'apt-get update && apt-get install -y locales',
  'apt-get install -y pipx',
  'pipx ensurepath',
  pdm,
  'export PATH="$HOME/.local/bin:$PATH"',
  'which python',
  'python --version',
];

const HYDRA_INSTALL = 'pip install -r requirements/dev.txt; pip install -e .;';

export const SWE_GYM_TABLE: SpecTable = {
  'python/mypy': {
    versions: '1.7 1.8 1.9 1.10 1.11 1.0 1.1 1.2 1.3 1.4 1.5 1.6 0.990 0.980 0.970 0.960 0.950 0.940 0.920 0.910 0.820 0.810 0.800',
    entry: (v) => {
      if (atLeast(v, '1.7')) {
        return { test_cmd: 'pytest -rA -k', install: MYPY_INSTALL, pre_install: MYPY_PRE };
      }
      if (atLeast(v, '1.0')) {
        return { test_cmd: 'pytest -n0 -rA -k', install: MYPY_INSTALL, pre_install: MYPY_PRE };
      }
      if (atLeast(v, '0.940')) {
        return { test_cmd: 'pytest -n0 -rA -k', install: MYPY_INSTALL_OLD, pre_install: MYPY_PRE };
      }
      return {
        test_cmd: 'pytest -n0 -rA -k',
        install: `${MYPY_INSTALL_OLD};`,
        pre_install: [...MYPY_PRE, "sed -i '1i types-typing-extensions==3.7.3' test-requirements.txt"],
      };
    },
  },
  'getmoto/moto': {
    versions: '0.4 1.0 1.2 1.3 2.0 2.1 2.2 2.3 3.0 3.1 4.0 4.1 4.2 5.0',
    entry: () => ({ test_cmd: 'pytest -n0 -rA', install: 'make init' }),
  },
  'conan-io/conan': {
    versions:
      '1.33 1.34 1.36 2.0 1.35 1.37 1.46 1.38 1.39 1.40 1.41 1.42 1.45 1.43 1.44 1.47 1.48 1.49 1.50 1.51 1.52 1.53 1.55 1.54 1.57 1.58 1.59 ' +
      '2.1 1.60 1.61 1.62 2.2 2.3 2.4',
    entry: (v) => ({
      test_cmd: 'pytest -n0 -rA',
      // Before Cython 3 support (conan-io/conan#14319) the install pins cython<3.
      install:
        compareVersions(v, '1.60') < 0 || compareVersions(v, '2.0') === 0
          ? `echo 'cython<3' > /tmp/constraint.txt; export PIP_CONSTRAINT=/tmp/constraint.txt; ${CONAN_REQS}`
          : CONAN_REQS,
      pre_install: CONAN_PRE,
      eval_commands: CONAN_EVAL,
    }),
  },
  'dask/dask': {
    versions:
      '2.11 2.12 2.13 2.14 2.15 2.16 2.17 2.18 2.19 2.21 2.22 2.23 2.25 2.26 2.27 2.28 2.29 2.30 2020.12 2021.01 2021.02 2021.03 2021.04 ' +
      '2021.05 2021.06 2021.07 2021.08 2021.09 2021.10 2021.11 2021.12 2022.01 2022.02 2022.03 2022.04 2022.05 2022.6 2022.7 2022.8 2022.9 ' +
      '2022.10 2022.11 2022.12 2023.1 2023.2 2023.3 2023.4 2023.5 2023.6 2023.7 2023.8 2023.9 2023.10 2023.11 2023.12 2024.1 2024.2 2024.3 ' +
      '2024.4 2024.5',
    entry: () => ({ test_cmd: 'pytest -n0 -rA  --color=no', install: 'python -m pip install --no-deps -e .' }),
  },
  'project-monai/monai': {
    versions: '0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 0.11 0.105 1.0 1.1 1.2 1.3',
    entry: () => ({
      test_cmd: 'pytest -rA ',
      install:
        "sed -i '/^git+https:\\/\\/github.com\\/Project-MONAI\\//d' requirements-dev.txt; python -m pip install types-pkg-resources==0.1.3 pytest; " +
        'pip install -r requirements-dev.txt;python setup.py develop;',
    }),
  },
  'iterative/dvc': {
    versions:
      '0.1 0.8 0.9 0.12 0.13 0.14 0.15 0.16 0.17 0.18 0.19 0.20 0.21 0.22 0.23 0.24 0.27 0.28 0.29 0.30 0.31 0.32 0.33 0.34 0.35 0.40 0.41 ' +
      '0.50 0.51 0.52 0.53 0.54 0.55 0.56 0.57 0.58 0.59 0.60 0.61 0.62 0.63 0.65 0.66 0.68 0.69 0.70 0.71 0.74 0.75 0.76 0.77 0.78 0.80 ' +
      '0.81 0.82 0.83 0.84 0.85 0.86 0.87 0.88 0.89 0.90 0.91 0.92 0.93 1.0 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8 1.9 1.10 1.11 2.0 2.1 2.2 2.3 ' +
      '2.4 2.5 2.6 2.7 2.8 2.9 2.10 2.11 2.12 2.13 2.15 2.17 2.19 2.20 2.21 2.22 2.23 2.24 2.27 2.28 2.30 2.33 2.34 2.35 2.38 2.41 2.43 ' +
      '2.44 2.45 2.46 2.48 2.50 2.51 2.52 2.54 2.55 2.56 2.57 2.58 3.0 3.1 3.2 3.3 3.4 3.5 3.6 3.10 3.11 3.12 3.13 3.14 3.15 3.17 3.19 ' +
      '3.23 3.24 3.28 3.29 3.36 3.37 3.38 3.43 3.47 3.48 3.49',
    entry: (v) => ({
      test_cmd: 'pytest -rA',
      // Up to 3.3 the fork pins numpy and pytest<8 (pytest 8 breaks pytest-lazy-fixture).
      install: atMost(v, '3.3') ? `${DVC_INSTALL} python -m pip install "numpy<=1.20"; python -m pip install "pytest<8";` : DVC_INSTALL,
      pre_install: DVC_PRE,
    }),
  },
  'bokeh/bokeh': {
    versions: '3.0 3.3 3.4 3.5 2.0 2.1 2.3 2.4 0.4 0.5 0.6 0.7 0.8 0.9 0.10 0.11 0.12 0.13 0.1181316818 1.0 1.1 1.2 1.3 1.4',
    entry: (v) => ({
      test_cmd: 'pytest -rA -n0',
      // The fork's Python string holds a real newline inside printf's argument.
      install: atLeast(v, '3.0')
        ? 'python -m pip install -e .; python -m pip install bokeh_sampledata;'
        : 'pip install "setuptools<66" "jinja2<3.1"; printf "1\n" | python setup.py develop; bokeh sampledata;',
      pre_install: BOKEH_PRE,
    }),
  },
  'modin-project/modin': {
    versions: '0.1 0.2 0.3 0.4 0.6 0.8 0.9 0.10 0.11 0.12 0.13 0.14 0.15 0.16 0.17 0.18 0.19 0.20 0.21 0.22 0.23 0.24 0.25 0.26 0.27 0.28 0.29 0.30',
    entry: (v) => ({
      test_cmd: 'pytest -n0 -rA',
      install: atMost(v, '0.19')
        ? 'python -m pip install -e .; python -m pip install numpy==1.23.1 protobuf==3.20.1;'
        : 'python -m pip install -e .;',
      pre_install: ['apt-get -y update && apt-get -y upgrade && apt-get install -y libpq-dev'],
    }),
  },
  'hypothesisworks/hypothesis': {
    versions:
      '3.55 3.61 3.60 3.59 3.63 3.66 3.67 3.68 3.69 3.70 5.1 5.5 5.24 5.6 5.9 5.8 5.10 5.12 5.15 5.20 5.23 5.36 5.32 5.33 5.38 5.41 5.42 ' +
      '5.43 5.47 6.1 6.4 6.6 6.8 6.14 6.13 6.18 6.21 6.24 6.28 6.29 3.73 3.71 3.75 3.79 3.82 3.85 3.88 4.0 3.86 4.2 4.4 4.15 4.12 4.14 4.18 ' +
      '4.23 4.24 4.26 4.32 4.38 4.40 4.42 4.46 4.44 4.50 4.54 4.55 5.2 5.4 6.30 6.31 6.36 6.40 6.43 6.53 6.45 6.46 6.47 6.50 6.54 6.59 6.62 ' +
      '6.66 6.71 6.74 6.77 6.81 6.87 6.88 6.93 6.98 6.99 6.100 6.102',
    entry: () => ({
      test_cmd: 'pytest -n0 -rA --tb=no --no-header',
      install: 'python -m pip install -r requirements/test.txt; python -m pip install -e hypothesis-python/;',
    }),
  },
  'pydantic/pydantic': {
    versions:
      '0.2 0.41 0.4 0.6 0.9 0.10 0.11 0.13 0.14 0.151 0.15 0.17 0.18 0.201 0.20 0.24 0.27 0.29 1.01 0.32 1.4 1.31 1.41 1.51 1.5 1.71 1.6 ' +
      '1.7 1.8 1.9 1.10 2.0 2.01 2.02 2.03 2.04 2.6 2.5 2.4 2.7',
    entry: (v) => ({
      test_cmd: 'pytest -rA --tb=short -vv -o console_output_style=classic --no-header',
      install: 'export PATH="$HOME/.local/bin:$PATH"; pdm add pre-commit; make install;',
      pre_install: PYDANTIC_PRE(atLeast(v, '2.0') ? 'pipx install pdm' : 'pipx install pdm  --python python3.7'),
    }),
  },
  'pandas-dev/pandas': {
    versions: '0.16 0.17 0.18 0.19 0.20 0.21 0.22 0.23 0.24 0.25 0.26 1.0 1.1 1.2 1.3 1.4 1.5 2.0 2.1 2.2 3.0',
    entry: (v) => {
      const base = 'python -m pip install -ve . --no-build-isolation -Ceditable-verbose=true; pip uninstall pytest-qt -y;';
      return {
        test_cmd: 'pytest -rA --tb=long',
        // numpy 2 is supported from pandas 2.2 on.
        install: atMost(v, '2.1') ? `python -m pip install 'numpy<2'; ${base}` : base,
        pre_install: ['git remote add upstream https://github.com/pandas-dev/pandas.git', 'git fetch upstream --tags'],
      };
    },
  },
  'facebookresearch/hydra': {
    versions: '0.1 0.9 0.10 0.11 0.12 1.0 1.1 1.2 1.3 1.4',
    entry: (v) => ({
      test_cmd: 'pytest -rA --tb=long',
      install: atMost(v, '1.2')
        ? "sed -i 's|isort@git+git://github.com/timothycrosley/isort|isort@git+https://github.com/timothycrosley/isort|g' requirements/dev.txt; " +
          '{ tail -n1 requirements/requirements.txt | grep -q "." && echo ""; } >> requirements/requirements.txt; ' +
          'echo "pip==24.0" >> requirements/requirements.txt;pip install "pip==24.0"; ' +
          HYDRA_INSTALL
        : HYDRA_INSTALL,
      pre_install: ['apt-get -y update && apt-get -y upgrade && apt-get install -y openjdk-17-jdk openjdk-17-jre'],
    }),
  },
};
