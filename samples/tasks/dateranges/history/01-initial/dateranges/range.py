"""The DateRange type: an inclusive span of calendar days."""

import datetime as _dt

from .calendar import month_end

__all__ = ["DateRange"]

_ONE_DAY = _dt.timedelta(days=1)


class DateRange:
    """Calendar days from ``start`` to ``end``, both included.

    >>> r = DateRange(date(2024, 1, 30), date(2024, 2, 2))
    >>> len(r), date(2024, 2, 1) in r
    (4, True)
    """

    __slots__ = ("start", "end")

    def __init__(self, start, end):
        if not isinstance(start, _dt.date) or not isinstance(end, _dt.date):
            raise TypeError("DateRange needs two datetime.date objects")
        if isinstance(start, _dt.datetime) or isinstance(end, _dt.datetime):
            raise TypeError("DateRange takes dates, not datetimes")
        if end < start:
            raise ValueError("end %s is before start %s" % (end, start))
        self.start = start
        self.end = end

    @classmethod
    def month(cls, year, month):
        return cls(_dt.date(year, month, 1), month_end(year, month))

    @classmethod
    def single(cls, day):
        return cls(day, day)

    def __len__(self):
        return (self.end - self.start).days + 1

    def __iter__(self):
        day = self.start
        while day <= self.end:
            yield day
            day += _ONE_DAY

    def __contains__(self, day):
        if isinstance(day, DateRange):
            return self.start <= day.start and day.end <= self.end
        return self.start <= day <= self.end

    def __eq__(self, other):
        if not isinstance(other, DateRange):
            return NotImplemented
        return (self.start, self.end) == (other.start, other.end)

    def __hash__(self):
        return hash((self.start, self.end))

    def __repr__(self):
        return "DateRange(%r, %r)" % (self.start, self.end)

    def __str__(self):
        return "%s..%s" % (self.start.isoformat(), self.end.isoformat())

