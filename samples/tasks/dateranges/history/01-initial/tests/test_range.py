from datetime import date

import pytest

from dateranges import DateRange


def d(text):
    return date.fromisoformat(text)


def test_length_is_inclusive():
    assert len(DateRange(d("2024-01-30"), d("2024-02-02"))) == 4


def test_single_day():
    r = DateRange.single(d("2024-03-01"))
    assert len(r) == 1 and list(r) == [d("2024-03-01")]


def test_iteration_crosses_leap_day():
    r = DateRange(d("2024-02-28"), d("2024-03-01"))
    assert list(r) == [d("2024-02-28"), d("2024-02-29"), d("2024-03-01")]


def test_contains_day_and_range():
    r = DateRange.month(2024, 5)
    assert d("2024-05-31") in r
    assert d("2024-06-01") not in r
    assert DateRange(d("2024-05-10"), d("2024-05-12")) in r


def test_end_before_start():
    with pytest.raises(ValueError, match="is before start"):
        DateRange(d("2024-01-02"), d("2024-01-01"))


def test_datetimes_are_rejected():
    from datetime import datetime

    with pytest.raises(TypeError):
        DateRange(datetime(2024, 1, 1), d("2024-01-02"))


def test_equality_and_hash():
    a = DateRange(d("2024-01-01"), d("2024-01-31"))
    assert a == DateRange.month(2024, 1)
    assert len({a, DateRange.month(2024, 1)}) == 1


def test_str():
    assert str(DateRange.month(2023, 2)) == "2023-02-01..2023-02-28"

