"""The deadlines as an iCalendar feed (RFC 5545), one all-day event per obligation due.

Written by the same :class:`gpact.risk.calendar.IcsWriter` as the CLI's export, with reminders
sized to each obligation's period (:func:`gpact.risk.calendar.reminder_lead`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.risk.calendar import IcsWriter, lead_text, reminder_lead
from gpact.services.labels import obligation_title
from gpact.services.registry import Deadline


def ical(org_slug: str, deadlines: Sequence[Deadline], today: dt.date | None = None) -> bytes:
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    today = today or stamp.date()
    writer = IcsWriter(f"-//gpact {__version__}//deadlines//EN", f"gpact deadlines — {org_slug}")
    for d in deadlines:
        title = obligation_title(d.obligation)
        lead = reminder_lead(d.applies_from, d.due) if d.due >= today else None
        writer.event(
            f"{org_slug}-{d.model_id}-{d.obligation}@gpact", stamp, d.due,
            f"{d.model}: {title} due",
            f"{d.obligation} ({d.source}) for model {d.model}, from the assessment as of "
            f"{d.assessed_as_of}. {NOT_LEGAL_ADVICE}", ["obligation"],
            None if lead is None else (lead, f"Due in {lead_text(lead)}: {title} ({d.model})"))
    return writer.finish()
