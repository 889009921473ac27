"""Truncation with a placeholder."""

from .width import char_width, display_width

__all__ = ["truncate"]


def truncate(text, width, placeholder="\u2026"):
    """Cut ``text`` to at most ``width`` cells, ending with ``placeholder``.

    >>> truncate("hello world", 8)
    'hello w…'
    """
    if display_width(text) <= width:
        return text
    room = width - display_width(placeholder)
    if room < 0:
        raise ValueError("placeholder is wider than width")
    out = []
    used = 0
    for ch in text:
        w = char_width(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out) + placeholder
