import pytest

from moneta import Money, format_money


def test_usd_with_grouping():
    assert format_money(Money("1234567.5", "USD")) == "$1,234,567.50"


def test_negative_amount_sign_goes_first():
    assert format_money(Money("-3", "EUR")) == "-\u20ac3.00"


def test_without_grouping():
    assert format_money(Money("1234.5", "GBP"), grouping=False) == "\u00a31234.50"


def test_code_instead_of_symbol():
    assert format_money(Money("1234.5", "CHF"), symbol=False) == "1,234.50 CHF"


def test_babel_formats_like_moneta():
    babel_numbers = pytest.importorskip("babel.numbers")
    amount = Money("1234.5", "USD")
    assert babel_numbers.format_currency(amount.amount, "USD", locale="en_US") == format_money(amount)


@pytest.mark.xfail(reason="locale-aware separators are not implemented yet (#28)", strict=True)
def test_german_separators():
    assert format_money(Money("1234.5", "EUR"), locale="de_DE") == "1.234,50\u00a0\u20ac"
