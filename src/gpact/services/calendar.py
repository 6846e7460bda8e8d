"""The deadlines as an iCalendar feed (RFC 5545), one all-day event per obligation due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.services.labels import obligation_title
from gpact.services.registry import Deadline


def ical(org_slug: str, deadlines: Sequence[Deadline]) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//gpact {__version__}//deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"gpact deadlines — {org_slug}")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for d in deadlines:
        event = Event()
        event.add("uid", f"{org_slug}-{d.model_id}-{d.obligation}@gpact")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.due)
        event.add("dtend", d.due + dt.timedelta(days=1))
        event.add("summary", f"{d.model}: {obligation_title(d.obligation)} due")
        event.add("description", f"{d.obligation} ({d.source}) for model {d.model}, from the "
                  f"assessment as of {d.assessed_as_of}. {NOT_LEGAL_ADVICE}")
        cal.add_component(event)
    return bytes(cal.to_ical())
