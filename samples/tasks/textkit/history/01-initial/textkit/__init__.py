"""textkit: small helpers for formatting text in terminals and reports."""

from .align import center, ljust, pad, rjust

__version__ = "0.1.0"

__all__ = ["center", "ljust", "pad", "rjust"]
