"""The Money value type."""

from decimal import ROUND_HALF_EVEN, Decimal
from functools import total_ordering
from numbers import Integral

from .currency import get_currency
from .errors import CurrencyMismatchError

__all__ = ["Money"]

# Amounts are kept in the currency's minor unit; rounding is banker's
# rounding (half to even), as in most accounting systems.
_MINOR_UNIT = Decimal("0.01")


@total_ordering
class Money:
    """An amount of one currency, rounded to its minor unit.

    >>> Money("10", "USD") / 3
    Traceback (most recent call last):
    ...
    TypeError: ...; use split() or allocate()
    """

    __slots__ = ("amount", "currency")

    def __init__(self, amount, currency):
        if isinstance(amount, float):
            raise TypeError("pass amounts as str, int or Decimal, not float")
        self.currency = get_currency(currency)
        self.amount = Decimal(amount).quantize(_MINOR_UNIT, rounding=ROUND_HALF_EVEN)

    @classmethod
    def from_minor(cls, units, currency):
        """Build from an integer number of minor units (cents)."""
        return cls(Decimal(units) * _MINOR_UNIT, currency)

    @property
    def minor_units(self):
        return int(self.amount / _MINOR_UNIT)

    def _check(self, other):
        if not isinstance(other, Money):
            return False
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency, other.currency)
        return True

    def __add__(self, other):
        if not self._check(other):
            return NotImplemented
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other):
        if not self._check(other):
            return NotImplemented
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor):
        if isinstance(factor, (Money, float)):
            return NotImplemented
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, other):
        raise TypeError(
            "dividing money loses minor units; use split() or allocate()"
        )

    def __neg__(self):
        return Money(-self.amount, self.currency)

    def __abs__(self):
        return Money(abs(self.amount), self.currency)

    def __bool__(self):
        return bool(self.amount)

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return (self.amount, self.currency) == (other.amount, other.currency)

    def __lt__(self, other):
        if not self._check(other):
            return NotImplemented
        return self.amount < other.amount

    def __hash__(self):
        return hash((self.amount, self.currency.code))

    def __repr__(self):
        return "Money(%r, %r)" % (str(self.amount), self.currency.code)

    def allocate(self, ratios):
        """Split into parts proportional to ``ratios`` without losing a minor unit.

        Leftover minor units go one each to the first parts.
        """
        ratios = list(ratios)
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise ValueError("ratios must be non-negative and not all zero")
        if not all(isinstance(r, Integral) for r in ratios):
            raise TypeError("ratios must be integers")
        total = self.minor_units
        sign = -1 if total < 0 else 1
        total = abs(total)
        shares = [total * r // sum(ratios) for r in ratios]
        for i in range(total - sum(shares)):
            shares[i] += 1
        return [Money.from_minor(sign * s, self.currency) for s in shares]

    def split(self, parts):
        """Split into ``parts`` equal parts (differing by at most one minor unit)."""
        if not isinstance(parts, Integral) or parts < 1:
            raise ValueError("parts must be a positive integer")
        return self.allocate([1] * parts)
