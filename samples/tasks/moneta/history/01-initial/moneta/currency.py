"""The currencies moneta knows about, keyed by ISO 4217 code."""

from dataclasses import dataclass

from .errors import UnknownCurrencyError

__all__ = ["Currency", "get_currency", "register"]


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str
    name: str

    def __str__(self):
        return self.code


_REGISTRY = {}


def register(currency):
    """Add ``currency`` to the registry (replacing one with the same code)."""
    _REGISTRY[currency.code] = currency
    return currency


def get_currency(code):
    """Look a currency up by its ISO code, case-insensitively."""
    if isinstance(code, Currency):
        return code
    try:
        return _REGISTRY[code.upper()]
    except KeyError:
        raise UnknownCurrencyError(code) from None


USD = register(Currency("USD", "$", "US dollar"))
EUR = register(Currency("EUR", "\u20ac", "Euro"))
GBP = register(Currency("GBP", "\u00a3", "Pound sterling"))
