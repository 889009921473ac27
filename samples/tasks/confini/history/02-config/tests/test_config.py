import pytest

import confini
from confini import ConfigError, MissingOptionError

SAMPLE = """\
[server]
host = example.org
port = 8080
debug = yes
ratio = 0.75
"""


@pytest.fixture
def config():
    return confini.loads(SAMPLE)


def test_get(config):
    assert config.get("server", "host") == "example.org"


def test_get_is_case_insensitive_for_keys(config):
    assert config.get("server", "HOST") == "example.org"


def test_getint(config):
    assert config.getint("server", "port") == 8080


def test_getfloat(config):
    assert config.getfloat("server", "ratio") == 0.75


def test_getbool(config):
    assert config.getbool("server", "debug") is True


def test_bad_int(config):
    with pytest.raises(ConfigError, match="is not an integer"):
        config.getint("server", "host")


def test_fallback(config):
    assert config.getint("server", "workers", fallback=4) == 4
    assert config.get("nope", "x", fallback=None) is None


def test_missing_option(config):
    with pytest.raises(MissingOptionError, match="no option 'workers' in section \\[server\\]"):
        config.get("server", "workers")


def test_missing_section(config):
    with pytest.raises(KeyError):
        config.options("nope")


def test_load_file(tmp_path):
    path = tmp_path / "app.ini"
    path.write_text("[a]\nx = 1\n", encoding="utf-8")
    assert confini.load(path).getint("a", "x") == 1
