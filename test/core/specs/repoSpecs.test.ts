import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRepoSpec } from '../../../src/core/harness/specs/repoSpecs';
import { makeInstance } from '../grading/fixtures';

// Exact strings from the SWE-Gym fork's and SWE-bench 4.1's spec tables (spaces included).
const spec = (repo: string, version: string, extra = {}) =>
  resolveRepoSpec(makeInstance({ instance_id: `${repo.replace('/', '__')}-1`, repo, version, ...extra }));

test('SWE-Gym test_cmd per repo, exactly', () => {
  const expected: [string, string, string][] = [
    ['getmoto/moto', '4.1', 'pytest -n0 -rA'],
    ['conan-io/conan', '1.52', 'pytest -n0 -rA'],
    ['modin-project/modin', '0.23', 'pytest -n0 -rA'],
    ['Project-MONAI/MONAI', '1.2', 'pytest -rA '],
    ['pandas-dev/pandas', '2.0', 'pytest -rA --tb=long'],
    ['facebookresearch/hydra', '1.3', 'pytest -rA --tb=long'],
    ['python/mypy', '1.6', 'pytest -n0 -rA -k'],
    ['python/mypy', '0.800', 'pytest -n0 -rA -k'],
    ['python/mypy', '1.7', 'pytest -rA -k'],
    ['python/mypy', '1.11', 'pytest -rA -k'],
    ['dask/dask', '2023.1', 'pytest -n0 -rA  --color=no'],
    ['iterative/dvc', '2.5', 'pytest -rA'],
    ['pydantic/pydantic', '2.4', 'pytest -rA --tb=short -vv -o console_output_style=classic --no-header'],
    ['bokeh/bokeh', '3.3', 'pytest -rA -n0'],
  ];
  for (const [repo, version, cmd] of expected) {
    const s = spec(repo, version);
    assert.equal(s.test_cmd, cmd, `${repo} ${version}`);
    assert.equal(s.source, 'swe-gym');
    assert.deepEqual(s.notes, []);
  }
});

test('SWE-Gym install, pre_install and eval_commands by version', () => {
  assert.equal(spec('getmoto/moto', '5.0').install, 'make init');
  assert.equal(spec('python/mypy', '1.4').install, 'python -m pip install -r test-requirements.txt; python -m pip install -e .; hash -r');
  assert.deepEqual(spec('python/mypy', '0.910').pre_install, [
    'git submodule update --init mypy/typeshed || true',
    "sed -i '1i types-typing-extensions==3.7.3' test-requirements.txt",
  ]);
  assert.deepEqual(spec('conan-io/conan', '2.0').eval_commands, ['export PYTHONPATH=${PYTHONPATH:-}:$(pwd)']);
  assert.match(spec('conan-io/conan', '1.59').install ?? '', /^echo 'cython<3' > \/tmp\/constraint.txt; /);
  assert.match(spec('conan-io/conan', '1.60').install ?? '', /^python -m pip install -r conans\/requirements.txt; .*requirements_dev.txt $/);
  assert.equal(spec('dask/dask', '2024.5').install, 'python -m pip install --no-deps -e .');
  assert.equal(
    spec('Project-MONAI/MONAI', '0.105').install,
    "sed -i '/^git+https:\\/\\/github.com\\/Project-MONAI\\//d' requirements-dev.txt; python -m pip install types-pkg-resources==0.1.3 pytest; pip install -r requirements-dev.txt;python setup.py develop;",
  );
  assert.match(spec('iterative/dvc', '3.3').install ?? '', / python -m pip install "pytest<8";$/);
  assert.match(spec('iterative/dvc', '3.4').install ?? '', /all_remotes,all,testing\]";$/);
  assert.equal(spec('bokeh/bokeh', '2.4').install, 'pip install "setuptools<66" "jinja2<3.1"; printf "1\n" | python setup.py develop; bokeh sampledata;');
  assert.equal(spec('modin-project/modin', '0.19').install, 'python -m pip install -e .; python -m pip install numpy==1.23.1 protobuf==3.20.1;');
  assert.equal(spec('pandas-dev/pandas', '2.1').install, "python -m pip install 'numpy<2'; python -m pip install -ve . --no-build-isolation -Ceditable-verbose=true; pip uninstall pytest-qt -y;");
  assert.equal(spec('pandas-dev/pandas', '2.2').install, 'python -m pip install -ve . --no-build-isolation -Ceditable-verbose=true; pip uninstall pytest-qt -y;');
  assert.equal(spec('facebookresearch/hydra', '1.3').install, 'pip install -r requirements/dev.txt; pip install -e .;');
  assert.match(spec('facebookresearch/hydra', '1.1').install ?? '', /^sed -i 's\|isort@git\+git:.*pip install "pip==24.0"; pip install -r requirements\/dev.txt; pip install -e \.;$/);
  assert.equal(spec('pydantic/pydantic', '1.10').pre_install?.[3], 'pipx install pdm  --python python3.7');
  assert.deepEqual(spec('getmoto/moto', '5.0').eval_commands, []);
});

test('SWE-bench 4.1 table: django, sympy, sphinx, astropy, seaborn and the pytest repos', () => {
  const django = spec('django/django', '3.0');
  assert.equal(django.test_cmd, './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1');
  assert.equal(django.source, 'swe-bench');
  assert.equal(django.eval_commands[0], "sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen");
  assert.equal(spec('django/django', '1.9').test_cmd, './tests/runtests.py --verbosity 2');
  assert.deepEqual(spec('django/django', '4.0').eval_commands, []);
  assert.equal(spec('sympy/sympy', '1.12').test_cmd, "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose");
  assert.equal(spec('sphinx-doc/sphinx', '7.2').test_cmd, 'tox --current-env -epy39 -v --');
  assert.equal(spec('astropy/astropy', '1.3').test_cmd, 'pytest -rA -vv -o console_output_style=classic --tb=no');
  assert.equal(spec('astropy/astropy', 'v5.3').test_cmd, 'pytest -rA');
  assert.equal(spec('mwaskom/seaborn', '0.12').test_cmd, 'pytest --no-header -rA');
  // constants/python.py redefines TEST_PYTEST as "pytest -rA" before the specs use it.
  assert.equal(spec('scikit-learn/scikit-learn', '1.3').test_cmd, 'pytest -rA');
  assert.equal(spec('pytest-dev/pytest', '5.4').install, 'python -m pip install -e .');
  assert.equal(spec('matplotlib/matplotlib', '3.8').install, 'python -m pip install --no-build-isolation -e ".[dev]"');
});

test('per-row overrides win field by field', () => {
  const s = spec('getmoto/moto', '4.1', { test_cmd: 'python -m pytest -q', install_cmd: 'pip install -e .', eval_commands: ['export A=1'], log_parser: 'unittest' });
  assert.equal(s.test_cmd, 'python -m pytest -q');
  assert.equal(s.install, 'pip install -e .');
  assert.deepEqual(s.eval_commands, ['export A=1']);
  assert.equal(s.log_parser, 'unittest');
  assert.equal(s.source, 'row');
});

test('unknown repo: pytest -rA with a note; unknown version: neighbours with a note', () => {
  const unknown = spec('acme/widgets', '1.0');
  assert.equal(unknown.test_cmd, 'pytest -rA');
  assert.equal(unknown.source, 'default');
  assert.equal(unknown.install, undefined);
  assert.match(unknown.notes.join('\n'), /neither the SWE-Gym nor the SWE-bench spec table: testing with "pytest -rA" and no install step/);
  const rowOnly = spec('acme/widgets', '1.0', { test_cmd: 'make test', install_cmd: 'make' });
  assert.deepEqual(rowOnly.notes, []);
  const mypy = spec('python/mypy', '1.13');
  assert.equal(mypy.test_cmd, 'pytest -rA -k');
  assert.match(mypy.notes.join('\n'), /version "1.13" is not in the SWE-Gym harness's spec table/);
});
