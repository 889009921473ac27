from decimal import Decimal

import pytest

from moneta import CurrencyMismatchError, Money


def test_amount_is_rounded_to_cents():
    assert Money("19.999", "USD").amount == Decimal("20.00")


def test_rounding_is_half_even():
    assert Money("0.125", "USD").amount == Decimal("0.12")
    assert Money("0.135", "USD").amount == Decimal("0.14")


def test_float_is_rejected():
    with pytest.raises(TypeError, match="not float"):
        Money(0.1, "USD")


def test_currency_code_is_case_insensitive():
    assert Money("1", "eur") == Money("1.00", "EUR")


def test_addition_and_subtraction():
    assert Money("1.10", "USD") + Money("2.20", "USD") == Money("3.30", "USD")
    assert Money("1.10", "USD") - Money("2.20", "USD") == Money("-1.10", "USD")


def test_mixing_currencies_fails():
    with pytest.raises(CurrencyMismatchError, match="cannot combine USD and EUR"):
        Money("1", "USD") + Money("1", "EUR")


def test_multiplication_rounds():
    assert Money("0.10", "USD") * Decimal("0.333") == Money("0.03", "USD")
    assert 3 * Money("1.25", "GBP") == Money("3.75", "GBP")


def test_division_is_refused():
    with pytest.raises(TypeError, match="use split"):
        Money("10", "USD") / 3


def test_ordering():
    assert Money("1", "USD") < Money("2", "USD")
    assert max(Money("5", "GBP"), Money("7", "GBP")) == Money("7", "GBP")


def test_minor_units_roundtrip():
    assert Money.from_minor(1999, "USD") == Money("19.99", "USD")
    assert Money("19.99", "USD").minor_units == 1999


def test_split_keeps_every_cent():
    parts = Money("10.00", "USD").split(3)
    assert parts == [Money("3.34", "USD"), Money("3.33", "USD"), Money("3.33", "USD")]
    assert sum(parts, Money("0", "USD")) == Money("10.00", "USD")


def test_allocate_by_ratio():
    assert Money("100", "EUR").allocate([70, 20, 10]) == [
        Money("70", "EUR"),
        Money("20", "EUR"),
        Money("10", "EUR"),
    ]


def test_allocate_negative_amount():
    assert Money("-0.05", "USD").split(2) == [Money("-0.03", "USD"), Money("-0.02", "USD")]


def test_allocate_rejects_bad_ratios():
    with pytest.raises(ValueError):
        Money("1", "USD").allocate([0, 0])
    with pytest.raises(TypeError):
        Money("1", "USD").allocate([0.5, 0.5])
