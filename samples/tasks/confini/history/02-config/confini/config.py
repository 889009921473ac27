"""Typed access to parsed INI sections."""

from .errors import ConfigError, MissingOptionError
from .parser import parse

__all__ = ["Config"]

_MISSING = object()

_BOOLEANS = {
    "1": True, "yes": True, "true": True, "on": True,
    "0": False, "no": False, "false": False, "off": False,
}


class Config:
    """Parsed configuration: ``{section: {key: raw value}}`` plus typed getters."""

    def __init__(self, sections=None):
        self._sections = {name: dict(opts) for name, opts in (sections or {}).items()}

    @classmethod
    def from_string(cls, text, source="<string>"):
        return cls(parse(text, source))

    @classmethod
    def from_file(cls, path, encoding="utf-8"):
        with open(path, encoding=encoding) as handle:
            return cls.from_string(handle.read(), source=str(path))

    def sections(self):
        return list(self._sections)

    def has_section(self, section):
        return section in self._sections

    def has_option(self, section, key):
        return key.lower() in self._sections.get(section, {})

    def options(self, section):
        if section not in self._sections:
            raise MissingOptionError(section)
        return list(self._sections[section])

    def get(self, section, key, fallback=_MISSING):
        """Return the option as a string."""
        try:
            opts = self._sections[section]
        except KeyError:
            if fallback is not _MISSING:
                return fallback
            raise MissingOptionError(section) from None
        try:
            raw = opts[key.lower()]
        except KeyError:
            if fallback is not _MISSING:
                return fallback
            raise MissingOptionError(section, key) from None
        return raw

    def getint(self, section, key, fallback=_MISSING):
        return self._typed(section, key, fallback, int, "an integer")

    def getfloat(self, section, key, fallback=_MISSING):
        return self._typed(section, key, fallback, float, "a number")

    def getbool(self, section, key, fallback=_MISSING):
        def to_bool(text):
            try:
                return _BOOLEANS[text.lower()]
            except KeyError:
                raise ValueError(text) from None

        return self._typed(section, key, fallback, to_bool, "a boolean")

    def section(self, name):
        """Return a copy of one section as ``{key: value}``."""
        return {key: self.get(name, key) for key in self.options(name)}

    def _typed(self, section, key, fallback, convert, what):
        value = self.get(section, key, fallback)
        if value is fallback and fallback is not _MISSING:
            return fallback
        try:
            return convert(value.strip())
        except ValueError:
            raise ConfigError(
                "[%s] %s = %r is not %s" % (section, key, value, what)
            ) from None
