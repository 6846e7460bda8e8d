"""The compliance calendar: every dated obligation of one or more models, as events.

Events come from the risk clocks (incidents, Framework, Model Report, requests) and from an
assessment's obligations (``Assessment.to_dict()["obligations"]``). Each event has a UID derived
from the model's identity (provider, name, version) and the obligation, so re-importing an
updated ``.ics`` file updates the same calendar entries instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gpact import NOT_LEGAL_ADVICE, __version__
from gpact.risk.clocks import Clock

UID_DOMAIN = "gpact"
REMINDER_DAYS = 7


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    model: str
    key: str
    kind: str
    title: str
    due: dt.date
    status: str
    source: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, "model": self.model, "id": self.key, "kind": self.kind,
                "title": self.title, "due": self.due.isoformat(), "status": self.status,
                "source": self.source, "note": self.note}


def model_identity(provider: str | None, name: str, version: str | None) -> tuple[str, str]:
    """(label shown, identity hashed into UIDs) of one model version."""
    label = f"{name} {version}" if version else name
    return label, f"{provider or ''}\x00{name}\x00{version or ''}"


def event_uid(identity: str, key: str) -> str:
    digest = hashlib.sha256(f"{identity}\x00{key}".encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def events_from_clocks(model: tuple[str, str], clocks: Iterable[Clock],
                       as_of: dt.date) -> list[CalendarEvent]:
    """Dated clocks become events; clocks without a date (not computable, no fixed period) don't.
    ``model`` is ``model_identity(...)``."""
    label, identity = model
    return [CalendarEvent(event_uid(identity, c.id), label, c.id, c.kind, c.title, c.due,
                          c.status(as_of), c.source, c.note)
            for c in clocks if c.due is not None]


def events_from_assessment(assessment: Mapping[str, Any], as_of: dt.date) -> list[CalendarEvent]:
    """Obligations that apply and have a due date, from an assessment's JSON (design.md §3)."""
    label, identity = model_identity(assessment.get("provider"),
                                     str(assessment.get("model") or "model"),
                                     assessment.get("model_version"))
    out: list[CalendarEvent] = []
    for ob in assessment.get("obligations") or []:
        if ob.get("status") != "applies" or not ob.get("due"):
            continue
        due = dt.date.fromisoformat(str(ob["due"]))
        key = f"obligation:{ob['id']}"
        title = str(ob.get("title") or ob["id"].replace("_", " ").capitalize())
        out.append(CalendarEvent(event_uid(identity, key), label, key, "obligation", title, due,
                                 "upcoming" if due >= as_of else "in_force",
                                 str(ob.get("source") or ""),
                                 "From the assessment: due by this date, then ongoing; "
                                 "whether it is met is not tracked here."))
    return out


def sort_events(events: Iterable[CalendarEvent]) -> list[CalendarEvent]:
    return sorted(events, key=lambda e: (e.due, e.model, e.key))


def to_ics(events: Sequence[CalendarEvent], as_of: dt.date, rulebook_label: str) -> bytes:
    """An iCalendar (RFC 5545) file: one all-day event per deadline, with a reminder."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//gpact//gpact {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "gpact compliance calendar")
    stamp = dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC)
    # Events are serialised one at a time and spliced into the calendar, so memory stays at one
    # event's object tree instead of the whole calendar's (icalendar objects are large).
    head = cal.to_ical()
    footer = b"END:VCALENDAR\r\n"
    assert head.endswith(footer)
    chunks = [head[: -len(footer)]]
    for ev in events:
        vevent = Event()
        vevent.add("uid", ev.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", ev.due)
        vevent.add("dtend", ev.due + dt.timedelta(days=1))
        vevent.add("summary", f"{ev.model}: {ev.title}")
        vevent.add("description", "\n".join(filter(None, [
            f"Status on {as_of}: {ev.status}", f"Source: {ev.source}", ev.note,
            f"gpact {__version__}, rulebook {rulebook_label}. {NOT_LEGAL_ADVICE}"])))
        vevent.add("categories", [ev.kind])
        vevent.add("transp", "TRANSPARENT")
        if ev.status not in ("done", "done_late", "in_force"):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Due in {REMINDER_DAYS} days: {ev.title}")
            alarm.add("trigger", dt.timedelta(days=-REMINDER_DAYS))
            vevent.add_component(alarm)
        chunks.append(vevent.to_ical())
    chunks.append(footer)
    return b"".join(chunks)
