"""Exceptions raised by moneta."""


class MoneyError(Exception):
    """Base class for moneta errors."""


class CurrencyMismatchError(MoneyError, TypeError):
    def __init__(self, left, right):
        super().__init__("cannot combine %s and %s amounts" % (left.code, right.code))


class UnknownCurrencyError(MoneyError, KeyError):
    def __init__(self, code):
        self.code = code
        super().__init__("unknown currency code %r" % (code,))

    def __str__(self):
        return self.args[0]
