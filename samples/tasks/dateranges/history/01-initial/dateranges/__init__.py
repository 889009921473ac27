"""dateranges: inclusive calendar-day ranges."""

from .calendar import add_months, month_end
from .range import DateRange

__version__ = "1.0.0"

__all__ = ["DateRange", "add_months", "month_end"]
