"""Exceptions raised by confini."""


class ConfigError(Exception):
    """Base class for every confini error."""


class ParseError(ConfigError):
    """The text is not valid INI; carries the 1-based line number."""

    def __init__(self, message, lineno, line, source="<string>"):
        self.message = message
        self.lineno = lineno
        self.line = line
        self.source = source
        super().__init__("%s, line %d: %s: %r" % (source, lineno, message, line))
