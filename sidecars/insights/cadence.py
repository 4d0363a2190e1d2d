"""The cadences a recurring payment can have, and the calendar arithmetic to step along one.

Monthly, quarterly and yearly cadences step by calendar months (a bill on the 31st falls on the
last day of shorter months); weekly and fortnightly step by days. Pure; no detection here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Cadence:
    """A period, how far a charge may drift from it, and how many charges make it believable."""

    name: str
    days: int  # the period in days for day-based cadences, else the rough length (for ordering)
    months: int  # the period in calendar months, 0 for day-based cadences
    tolerance: int  # days a charge may fall early or late (weekends, bank holidays, billing runs)
    min_count: int  # charges needed before a series counts as recurring

    def step(self, date: dt.date, count: int) -> dt.date:
        """`date` moved `count` periods (negative: backwards)."""
        if self.months:
            return add_months(date, self.months * count)
        try:
            return date + dt.timedelta(days=self.days * count)
        except OverflowError:  # a hostile date at the end of the calendar
            return dt.date.max if count > 0 else dt.date.min


@lru_cache(maxsize=1 << 16)  # chains step from the same few dates many times
def add_months(date: dt.date, months: int) -> dt.date:
    """`date` moved by whole calendar months, clamped to the end of shorter months."""
    index = date.year * 12 + date.month - 1 + months
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a hostile date at the end of the calendar
        return dt.date.max if months > 0 else dt.date.min
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


WEEKLY = Cadence("weekly", 7, 0, tolerance=1, min_count=4)
FORTNIGHTLY = Cadence("fortnightly", 14, 0, tolerance=2, min_count=4)
MONTHLY = Cadence("monthly", 30, 1, tolerance=4, min_count=3)
QUARTERLY = Cadence("quarterly", 91, 3, tolerance=7, min_count=3)
YEARLY = Cadence("yearly", 365, 12, tolerance=10, min_count=2)

CADENCES: tuple[Cadence, ...] = (WEEKLY, FORTNIGHTLY, MONTHLY, QUARTERLY, YEARLY)
