"""Calendar arithmetic the range types build on."""

import datetime as _dt

__all__ = ["month_end", "add_months"]


def month_end(year, month):
    """Return the last day of ``month`` in ``year``."""
    if month == 12:
        return _dt.date(year, 12, 31)
    return _dt.date(year, month + 1, 1) - _dt.timedelta(days=1)


def add_months(day, months):
    """Add calendar months, clamping to the end of shorter months.

    >>> add_months(date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return _dt.date(year, month, min(day.day, month_end(year, month).day))

