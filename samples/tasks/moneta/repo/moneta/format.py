"""Human-readable formatting of Money values."""

__all__ = ["format_money"]


def format_money(money, grouping=True, symbol=True):
    """Format ``money`` like ``$1,234.50`` or ``-€3.00``.

    ``grouping`` adds thousands separators; with ``symbol=False`` the ISO
    code is appended instead of the symbol (``1,234.50 USD``).
    """
    amount = abs(money.amount)
    number = "{:,.2f}".format(amount) if grouping else "{:.2f}".format(amount)
    sign = "-" if money.amount < 0 else ""
    if symbol:
        return sign + money.currency.symbol + number
    return "%s%s %s" % (sign, number, money.currency.code)
