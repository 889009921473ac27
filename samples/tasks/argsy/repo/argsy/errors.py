"""Exceptions raised by argsy."""


class ArgsyError(Exception):
    """Base class for argsy errors."""


class SpecError(ArgsyError):
    """The parser itself is misconfigured (a programming error)."""


class UsageError(ArgsyError):
    """The command line does not match the parser; meant to be shown to users."""

    exit_code = 2
