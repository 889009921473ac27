"""dateranges: inclusive calendar-day ranges."""

from .calendar import add_months, month_end
from .parse import parse_range
from .range import DateRange

__version__ = "1.1.0"

__all__ = ["DateRange", "add_months", "month_end", "parse_range"]
