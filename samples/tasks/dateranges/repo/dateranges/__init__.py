"""dateranges: inclusive calendar-day ranges and the arithmetic around them."""

from .calendar import add_months, month_end, quarter_bounds
from .parse import parse_range
from .range import DateRange

__version__ = "1.2.0"

__all__ = ["DateRange", "add_months", "month_end", "parse_range", "quarter_bounds"]
