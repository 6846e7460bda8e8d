"""Obligation tracking: which obligation is due next, and how far each is from being met.

Pure functions over dates and states, shared by the CLI (``gpact assess`` portfolio) and the
server (portfolio, model page, reminders), so "next due" means the same everywhere.
"""

from gpact.tracking.due import (
    DUE_SOON_DAYS,
    Due,
    classify,
    hours_left,
    next_due,
)

__all__ = ["DUE_SOON_DAYS", "Due", "classify", "hours_left", "next_due"]
