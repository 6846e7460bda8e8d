"""Date arithmetic the Code's periods need: calendar days, months and business days.

The Code counts "days" as calendar days (a deadline on a Saturday stays on that Saturday) and
says "business days" where it means them. Business days here are Monday to Friday minus the
holidays the caller lists; which public holidays count is not said by the Code, so none are
assumed (rulebook ``code_of_practice.safety_security.business_days``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_months(start: dt.date, months: int) -> dt.date:
    """Same day of the month ``months`` later; the month's last day if that day does not exist."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def is_business_day(day: dt.date, weekend: Collection[str] = ("saturday", "sunday"),
                    holidays: Collection[dt.date] = ()) -> bool:
    return WEEKDAYS[day.weekday()] not in weekend and day not in holidays


def add_business_days(start: dt.date, days: int,
                      weekend: Collection[str] = ("saturday", "sunday"),
                      holidays: Collection[dt.date] = ()) -> dt.date:
    """The ``days``-th business day after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("business days must be >= 0")
    if len(set(weekend) & set(WEEKDAYS)) >= 7:
        raise ValueError("a week needs at least one business day")
    current, counted = start, 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_business_day(current, weekend, holidays):
            counted += 1
    return current
