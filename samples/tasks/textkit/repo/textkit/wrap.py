"""Greedy word wrapping measured in display cells."""

from .width import display_width

__all__ = ["wrap", "fill"]


def wrap(text, width, indent="", subsequent_indent=None):
    """Wrap ``text`` into lines of at most ``width`` cells.

    Whitespace runs collapse to a single space. A word wider than the
    available room is put on a line of its own rather than broken.
    """
    if width <= 0:
        raise ValueError("width must be positive")
    if subsequent_indent is None:
        subsequent_indent = indent
    lines = []
    current = []
    used = 0
    prefix = indent
    for word in text.split():
        w = display_width(word)
        room = width - display_width(prefix)
        needed = w if not current else used + 1 + w
        if current and needed > room:
            lines.append(prefix + " ".join(current))
            prefix = subsequent_indent
            current, used = [word], w
        else:
            current.append(word)
            used = needed
    if current:
        lines.append(prefix + " ".join(current))
    return lines


def fill(text, width, **kwargs):
    """Like :func:`wrap` but returns a single string joined with newlines."""
    return "\n".join(wrap(text, width, **kwargs))
