"""The one "next due" rule and the portfolio's buckets (met, overdue, due soon, open).

Next due: the earliest due date on or after today among obligations not yet done; when every
one has passed, the most recent passed date (it must already be met, so it is the one to
confirm first). Done means met or not applicable: those never come up as next due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# How far ahead "due soon" looks: a working-practice window, not a legal rule.
DUE_SOON_DAYS = 30
DONE_STATES = frozenset({"met", "not_applicable"})
Bucket = Literal["met", "not_applicable", "overdue", "due_soon", "open"]


@dataclass(frozen=True)
class Due:
    key: str
    due: dt.date | None
    state: str = "open"

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES


def hours_left(due: dt.date | None, now: dt.datetime | None = None) -> float | None:
    """Hours to the end of the due day (UTC); negative once it has passed. Clocks counted in
    days end with their last day, so a two-day clock started today has about 48 hours."""
    if due is None:
        return None
    end = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return round((end - (now or dt.datetime.now(dt.UTC))).total_seconds() / 3600, 1)


def next_due(items: Iterable[Due], today: dt.date) -> Due | None:
    dated = sorted((i for i in items if i.due is not None and not i.done),
                   key=lambda i: (i.due or today, i.key))
    upcoming = [i for i in dated if i.due is not None and i.due >= today]
    if upcoming:
        return upcoming[0]
    return dated[-1] if dated else None


def classify(item: Due, today: dt.date, soon_days: int = DUE_SOON_DAYS) -> Bucket:
    """Where an obligation stands today: done, overdue (passed and not met), due soon, open."""
    if item.state == "met":
        return "met"
    if item.state == "not_applicable":
        return "not_applicable"
    if item.due is not None and item.due < today:
        return "overdue"
    if item.due is not None and (item.due - today).days <= soon_days:
        return "due_soon"
    return "open"
