"""Padding, centering and simple column layout."""

__all__ = ["pad", "center", "ljust", "rjust", "columns"]

_ALIGNMENTS = ("left", "right", "center")


def pad(text, width, align="left", fillchar=" "):
    """Pad ``text`` with ``fillchar`` so that it is ``width`` wide.

    Text that is already at least ``width`` wide is returned unchanged;
    ``pad`` never truncates (see :func:`textkit.truncate` for that).
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


def columns(rows, sep="  ", align=None):
    """Lay out ``rows`` (sequences of strings) as aligned columns.

    ``align`` is an optional sequence with one of "left", "right" or
    "center" per column. The last column is never padded on the right, so
    lines carry no trailing whitespace. Returns a list of lines.
    """
    rows = [[str(cell) for cell in row] for row in rows]
    if not rows:
        return []
    ncols = max(len(row) for row in rows)
    for row in rows:
        row.extend([""] * (ncols - len(row)))
    if align is None:
        align = ["left"] * ncols
    if len(align) != ncols:
        raise ValueError("expected %d alignments, got %d" % (ncols, len(align)))
    widths = [max(len(row[i]) for row in rows) for i in range(ncols)]
    lines = []
    for row in rows:
        cells = [pad(cell, widths[i], align[i]) for i, cell in enumerate(row)]
        lines.append(sep.join(cells).rstrip())
    return lines
