"""Display width of text as a monospace terminal renders it."""

import unicodedata

__all__ = ["char_width", "display_width"]

# East Asian Wide and Fullwidth characters take two terminal cells.
_DOUBLE = frozenset("WF")


def char_width(ch):
    """Return the number of cells a single code point occupies (0, 1 or 2)."""
    if unicodedata.combining(ch):
        return 0
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in _DOUBLE else 1


def display_width(text):
    """Return the number of cells ``text`` occupies when printed."""
    return sum(char_width(ch) for ch in text)
