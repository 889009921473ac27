"""argsy: a tiny, dependency-free command-line argument parser."""

from .errors import ArgsyError, SpecError, UsageError
from .parser import Parser

__version__ = "0.3.0"

__all__ = ["ArgsyError", "Parser", "SpecError", "UsageError"]
