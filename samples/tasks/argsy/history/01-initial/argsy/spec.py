"""Declarations of the flags, options and positionals a Parser accepts."""

import re

from .errors import SpecError

__all__ = ["Flag", "Option", "Positional"]

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def _dest(name):
    return name.replace("-", "_")


def _check_names(name, short):
    if not _NAME.match(name):
        raise SpecError("invalid long name %r (lower case, digits and '-')" % name)
    if short is not None and (len(short) != 1 or short == "-"):
        raise SpecError("short name must be a single character, not %r" % short)


class Flag:
    takes_value = False

    def __init__(self, name, short=None, help=""):
        _check_names(name, short)
        self.name, self.short, self.help = name, short, help
        self.dest = _dest(name)
        self.default = False


class Option:
    takes_value = True

    def __init__(self, name, short=None, type=str, default=None, metavar=None, help=""):
        _check_names(name, short)
        self.name, self.short, self.help = name, short, help
        self.dest = _dest(name)
        self.type = type
        self.default = default
        self.metavar = metavar or name.upper().replace("-", "_")


class Positional:
    def __init__(self, name, type=str, nargs=None, help=""):
        if not _NAME.match(name):
            raise SpecError("invalid positional name %r" % name)
        if nargs not in (None, "?", "*"):
            raise SpecError("nargs must be None, '?' or '*'")
        self.name, self.type, self.nargs, self.help = name, type, nargs, help
        self.dest = _dest(name)
        self.default = [] if nargs == "*" else None
