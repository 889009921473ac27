"""Parse the textual range forms used in reports and CLIs."""

import datetime as _dt
import re

from .calendar import quarter_bounds
from .range import DateRange

__all__ = ["parse_range"]

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


def _day(text):
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date: %r" % text) from None


def parse_range(text):
    """Parse ``text`` into a :class:`DateRange`.

    Accepted forms: ``2024-01-05`` (one day), ``2024-01`` (a month),
    ``2024-Q1`` (a quarter), ``2024`` (a year) and ``START..END`` where both
    ends are days.
    """
    text = text.strip()
    if ".." in text:
        start, _, end = text.partition("..")
        return DateRange(_day(start.strip()), _day(end.strip()))
    if _DAY.match(text):
        return DateRange.single(_day(text))
    match = _MONTH.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError("not a month: %r" % text)
        return DateRange.month(year, month)
    match = _QUARTER.match(text)
    if match:
        return DateRange(*quarter_bounds(int(match.group(1)), int(match.group(2))))
    match = _YEAR.match(text)
    if match:
        year = int(match.group(1))
        return DateRange(_dt.date(year, 1, 1), _dt.date(year, 12, 31))
    raise ValueError("cannot parse date range: %r" % text)
