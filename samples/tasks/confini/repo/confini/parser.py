"""Line-oriented parser for INI text.

The parser only splits text into sections and raw string values; typing
(ints, booleans, lists) is the job of :class:`confini.Config`.
"""

import re

from .errors import ParseError

__all__ = ["parse", "COMMENT_PREFIXES"]

COMMENT_PREFIXES = ("#", ";")

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]$")
_OPTION = re.compile(r"^(?P<key>[^=:\s][^=:]*?)\s*[=:]\s*(?P<value>.*)$")


def parse(text, source="<string>"):
    """Parse INI ``text`` into ``{section: {key: raw value}}``.

    * Section and key order is preserved; keys are lower-cased.
    * Lines starting with ``#`` or ``;`` (after optional indentation) are
      comments; blank lines are ignored.
    * An indented line continues the value of the previous option; the
      parts are joined with a newline.
    """
    sections = {}
    current = None
    last_key = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith(COMMENT_PREFIXES):
            continue
        if line[0].isspace() and last_key is not None:
            current[last_key] = current[last_key] + "\n" + stripped
            continue
        match = _SECTION.match(stripped)
        if match:
            name = match.group("name").strip()
            if name in sections:
                raise ParseError("duplicate section [%s]" % name, lineno, raw, source)
            current = sections[name] = {}
            last_key = None
            continue
        match = _OPTION.match(stripped)
        if match is None:
            raise ParseError("expected 'key = value'", lineno, raw, source)
        if current is None:
            raise ParseError("option before the first section", lineno, raw, source)
        key = match.group("key").strip().lower()
        current[key] = match.group("value")
        last_key = key
    return sections
