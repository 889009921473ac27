"""textkit: small helpers for formatting text in terminals and reports."""

from .align import center, ljust, pad, rjust
from .width import char_width, display_width
from .wrap import fill, wrap

__version__ = "0.1.1"

__all__ = [
    "center",
    "char_width",
    "display_width",
    "fill",
    "ljust",
    "pad",
    "rjust",
    "wrap",
]
