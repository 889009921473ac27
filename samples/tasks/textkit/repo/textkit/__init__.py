"""textkit: small helpers for formatting text in terminals and reports."""

from .align import center, columns, ljust, pad, rjust
from .shorten import truncate
from .slug import slugify
from .width import char_width, display_width
from .wrap import fill, wrap

__version__ = "0.1.3"

__all__ = [
    "center",
    "char_width",
    "columns",
    "display_width",
    "fill",
    "ljust",
    "pad",
    "rjust",
    "slugify",
    "truncate",
    "wrap",
]
