"""Padding and centering."""

__all__ = ["pad", "center", "ljust", "rjust"]

_ALIGNMENTS = ("left", "right", "center")


def pad(text, width, align="left", fillchar=" "):
    """Pad ``text`` with ``fillchar`` so that it is ``width`` wide.

    Text that is already at least ``width`` wide is returned unchanged.
    """
    if len(fillchar) != 1:
        raise ValueError("fillchar must be exactly one character")
    if align not in _ALIGNMENTS:
        raise ValueError(
            "align must be one of %s, not %r" % (", ".join(_ALIGNMENTS), align)
        )
    missing = width - len(text)
    if missing <= 0:
        return text
    if align == "left":
        return text + fillchar * missing
    if align == "right":
        return fillchar * missing + text
    # Like str.center, an odd remainder goes to the right-hand side.
    left = missing // 2
    return fillchar * left + text + fillchar * (missing - left)


def center(text, width, fillchar=" "):
    return pad(text, width, "center", fillchar)


def ljust(text, width, fillchar=" "):
    return pad(text, width, "left", fillchar)


def rjust(text, width, fillchar=" "):
    return pad(text, width, "right", fillchar)
