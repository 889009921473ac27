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


class MissingOptionError(ConfigError, KeyError):
    """A section or option that was asked for does not exist."""

    def __init__(self, section, key=None):
        self.section = section
        self.key = key
        if key is None:
            text = "no section [%s]" % section
        else:
            text = "no option %r in section [%s]" % (key, section)
        super().__init__(text)

    def __str__(self):
        return self.args[0]
