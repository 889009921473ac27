from datetime import date

import pytest

from dateranges import add_months, month_end, quarter_bounds


def test_month_end():
    assert month_end(2023, 2) == date(2023, 2, 28)
    assert month_end(2024, 2) == date(2024, 2, 29)
    assert month_end(2024, 12) == date(2024, 12, 31)


def test_add_months_across_years():
    assert add_months(date(2023, 11, 15), 3) == date(2024, 2, 15)
    assert add_months(date(2024, 1, 15), -2) == date(2023, 11, 15)


def test_add_months_clamps():
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_quarter_bounds():
    assert quarter_bounds(2024, 2) == (date(2024, 4, 1), date(2024, 6, 30))
    with pytest.raises(ValueError):
        quarter_bounds(2024, 0)
