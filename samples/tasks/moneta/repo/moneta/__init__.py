"""moneta: exact money amounts, allocation and formatting."""

from .currency import Currency, get_currency, register
from .errors import CurrencyMismatchError, MoneyError, UnknownCurrencyError
from .format import format_money
from .money import Money

__version__ = "2.4.0"

__all__ = [
    "Currency",
    "CurrencyMismatchError",
    "Money",
    "MoneyError",
    "UnknownCurrencyError",
    "format_money",
    "get_currency",
    "register",
]
