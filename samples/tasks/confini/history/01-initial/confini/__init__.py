"""confini: a small, strict INI configuration reader."""

from .errors import ConfigError, ParseError
from .parser import parse

__version__ = "0.1.0"

__all__ = ["ConfigError", "ParseError", "parse"]
