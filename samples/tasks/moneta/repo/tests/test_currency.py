import pytest

from moneta import Currency, UnknownCurrencyError, get_currency, register


def test_lookup_is_case_insensitive():
    assert get_currency("usd").symbol == "$"


def test_currency_passes_through():
    eur = get_currency("EUR")
    assert get_currency(eur) is eur


def test_unknown_code():
    with pytest.raises(UnknownCurrencyError, match="unknown currency code 'XYZ'"):
        get_currency("XYZ")


def test_register_custom_currency():
    register(Currency("XTS", "T$", "Testing code"))
    assert get_currency("xts").name == "Testing code"
