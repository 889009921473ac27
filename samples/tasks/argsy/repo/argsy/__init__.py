"""argsy: a tiny, dependency-free command-line argument parser."""

from .errors import ArgsyError, SpecError, UsageError
from .help import format_help, format_usage
from .parser import Parser

__version__ = "0.4.2"

__all__ = ["ArgsyError", "Parser", "SpecError", "UsageError", "format_help", "format_usage"]
