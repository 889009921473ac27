"""moneta: exact money amounts."""

from .currency import Currency, get_currency, register
from .errors import CurrencyMismatchError, MoneyError, UnknownCurrencyError
from .money import Money

__version__ = "2.0.0"

__all__ = [
    "Currency",
    "CurrencyMismatchError",
    "Money",
    "MoneyError",
    "UnknownCurrencyError",
    "get_currency",
    "register",
]
