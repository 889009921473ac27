import pytest

from moneta import Money, format_money


def test_usd_with_grouping():
    assert format_money(Money("1234567.5", "USD")) == "$1,234,567.50"


def test_negative_amount_sign_goes_first():
    assert format_money(Money("-3", "EUR")) == "-\u20ac3.00"


def test_without_grouping():
    assert format_money(Money("1234.5", "GBP"), grouping=False) == "\u00a31234.50"


def test_code_instead_of_symbol():
    assert format_money(Money("1234.5", "USD"), symbol=False) == "1,234.50 USD"

