"""Business days (weekends, listed holidays) and month arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpact.risk.dates import add_business_days, add_months, is_business_day

D = dt.date.fromisoformat


@pytest.mark.parametrize(("start", "days", "holidays", "expected"), [
    ("2026-11-16", 5, [], "2026-11-23"),   # Monday + 5 business days = next Monday
    ("2026-11-20", 1, [], "2026-11-23"),   # Friday + 1 = Monday
    ("2026-11-21", 1, [], "2026-11-23"),   # from a Saturday
    ("2026-11-20", 5, [], "2026-11-27"),
    ("2026-12-18", 5, ["2026-12-24", "2026-12-25"], "2026-12-29"),
    ("2026-11-16", 15, [], "2026-12-07"),
    ("2026-11-16", 0, [], "2026-11-16"),
])
def test_add_business_days(start: str, days: int, holidays: list[str], expected: str) -> None:
    assert add_business_days(D(start), days, holidays={D(h) for h in holidays}) == D(expected)


@given(start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)),
       days=st.integers(min_value=1, max_value=60),
       holidays=st.sets(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 6, 1)),
                        max_size=20))
def test_business_days_property(start: dt.date, days: int, holidays: set[dt.date]) -> None:
    end = add_business_days(start, days, holidays=holidays)
    assert is_business_day(end, holidays=holidays)
    between = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_business_day(d, holidays=holidays) for d in between) == days


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2026-06-01", 12, "2027-06-01"),
    ("2026-08-31", 6, "2027-02-28"),
    ("2027-08-31", 6, "2028-02-29"),
    ("2028-02-29", 60, "2033-02-28"),
    ("2026-12-15", 1, "2027-01-15"),
])
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


def test_business_days_need_a_working_day() -> None:
    with pytest.raises(ValueError):
        add_business_days(D("2026-11-16"), 1, weekend=("monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday",
                                                       "sunday"))
