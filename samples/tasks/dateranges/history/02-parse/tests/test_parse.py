from datetime import date

import pytest

from dateranges import DateRange, parse_range


def test_day():
    assert parse_range("2024-07-04") == DateRange.single(date(2024, 7, 4))


def test_month():
    assert parse_range("2024-02") == DateRange(date(2024, 2, 1), date(2024, 2, 29))


def test_year():
    assert len(parse_range("2023")) == 365


def test_explicit_span():
    assert parse_range("2024-01-15..2024-02-15") == DateRange(date(2024, 1, 15), date(2024, 2, 15))


@pytest.mark.parametrize("text", ["2024-13", "yesterday", "2024-02-30"])
def test_rejects(text):
    with pytest.raises(ValueError):
        parse_range(text)
