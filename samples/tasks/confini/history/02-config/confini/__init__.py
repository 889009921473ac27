"""confini: a small, strict INI configuration reader."""

from .config import Config
from .errors import ConfigError, MissingOptionError, ParseError
from .parser import parse

__version__ = "0.2.0"

__all__ = ["Config", "ConfigError", "MissingOptionError", "ParseError", "load", "loads", "parse"]


def loads(text, source="<string>"):
    """Parse INI text into a :class:`Config`."""
    return Config.from_string(text, source)


def load(path, encoding="utf-8"):
    """Read and parse an INI file into a :class:`Config`."""
    return Config.from_file(path, encoding)
