"""The deadlines as an iCalendar feed (RFC 5545): one all-day event per obligation due and
per open risk clock (incident reports, requests, Framework and Model Report updates).

Written by the same :class:`gpact.risk.calendar.IcsWriter` as the CLI's export, with reminders
sized to each deadline's period (:func:`gpact.risk.calendar.reminder_lead`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.risk.calendar import IcsWriter, lead_text, reminder_lead
from gpact.services.labels import obligation_title
from gpact.services.registry import Deadline


def ical(org_slug: str, deadlines: Sequence[Deadline],
         risk: Sequence[Mapping[str, Any]] = (), today: dt.date | None = None) -> bytes:
    """The feed; ``risk`` are rows of :func:`gpact.services.server_risk.org_clocks` (closed
    clocks are left out)."""
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
            f"{d.assessed_as_of} under rulebook {d.rulebook_version}. {NOT_LEGAL_ADVICE}",
            ["obligation"],
            None if lead is None else (lead, f"Due in {lead_text(lead)}: {title} ({d.model})"))
    for c in risk:
        if c["status"] in ("done", "done_late"):
            continue
        period = c["period_days"]
        start = c["due"] - dt.timedelta(days=period) if period else None
        lead = reminder_lead(start, c["due"])
        writer.event(
            f"{org_slug}-{c['model_id']}-{c['id']}@gpact", stamp, c["due"],
            f"{c['model']}: {c['title']}",
            f"{c['title']} ({c['source']}). Due by the end of the day. {NOT_LEGAL_ADVICE}",
            ["risk"], (lead, f"Due in {lead_text(lead)}: {c['title']} ({c['model']})"))
    return writer.finish()
