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
REMINDER_DAYS = 7            # longest reminder lead
REMINDER_SHARE = 4           # ... else a quarter of the clock's period
REMINDER_MIN = dt.timedelta(hours=2)


def reminder_lead(start: dt.date | None, due: dt.date) -> dt.timedelta:
    """How long before the due date to remind: a week, or a quarter of a shorter period.

    A 7-day reminder on a 2-day incident clock would fire before the incident happened; a
    quarter of the period (12 hours for 2 days, 3.5 days for 14) leaves time to act. Shared
    by the CLI's ``.ics`` export and the web calendar feed.
    """
    longest = dt.timedelta(days=REMINDER_DAYS)
    if start is None or start >= due:
        return longest
    return max(REMINDER_MIN, min(longest, (due - start) / REMINDER_SHARE))


def lead_text(lead: dt.timedelta) -> str:
    """``7 days``, ``12 hours``, ``3 days 12 hours``: for the reminder's text."""
    days, hours = lead.days, lead.seconds // 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or not parts:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    return " ".join(parts)


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
    start: dt.date | None = None  # when the clock's period began (sizes the reminder)

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
                          c.status(as_of), c.source, c.note, c.start)
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
    """An iCalendar (RFC 5545) file: one all-day event per deadline, with a reminder sized to
    the clock (:func:`reminder_lead`)."""
    stamp = dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC)
    writer = IcsWriter(f"-//gpact//gpact {__version__}//EN", "gpact compliance calendar")
    footer = f"gpact {__version__}, rulebook {rulebook_label}. {NOT_LEGAL_ADVICE}"
    for ev in events:
        lead = (reminder_lead(ev.start, ev.due)
                if ev.status not in ("done", "done_late", "in_force") else None)
        writer.event(ev.uid, stamp, ev.due, f"{ev.model}: {ev.title}", "\n".join(filter(None, [
            f"Status on {as_of}: {ev.status}", f"Source: {ev.source}", ev.note, footer])),
            [ev.kind], None if lead is None else (lead, f"Due in {lead_text(lead)}: {ev.title}"))
    return writer.finish()


class IcsWriter:
    """Writes RFC 5545 text directly: escaping (§3.3.11) and folding at 75 octets (§3.1).

    icalendar's object model (one ``Component.add`` per property, type inference, then
    serialisation) cost minutes for 20,000 clocks; the few property types a deadline
    calendar needs are written here, and the tests parse the result back with icalendar.
    """

    def __init__(self, prodid: str, name: str) -> None:
        self._lines = ["BEGIN:VCALENDAR", _prop("PRODID", prodid), "VERSION:2.0",
                       "CALSCALE:GREGORIAN", _prop("X-WR-CALNAME", name)]

    def event(self, uid: str, stamp: dt.datetime, due: dt.date, summary: str,
              description: str, categories: Sequence[str],
              alarm: tuple[dt.timedelta, str] | None) -> None:
        """One all-day event on ``due``; ``alarm``: (lead before the day starts, text)."""
        lines = self._lines
        lines += ["BEGIN:VEVENT", _prop("UID", uid),
                  f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{due + dt.timedelta(days=1):%Y%m%d}",
                  _prop("SUMMARY", summary), _prop("DESCRIPTION", description),
                  "CATEGORIES:" + ",".join(_escape(c) for c in categories),
                  "TRANSP:TRANSPARENT"]
        if alarm is not None:
            lead, text = alarm
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", _prop("DESCRIPTION", text),
                      f"TRIGGER:{_duration(-lead)}", "END:VALARM"]
        lines.append("END:VEVENT")

    def finish(self) -> bytes:
        self._lines.append("END:VCALENDAR")
        return ("\r\n".join(map(_fold, self._lines)) + "\r\n").encode("utf-8")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _prop(name: str, text: str) -> str:
    return f"{name}:{_escape(text)}"


def _duration(delta: dt.timedelta) -> str:
    """RFC 5545 §3.3.6 duration (``-P7D``, ``-PT12H``, ``-P3DT12H``)."""
    sign = "-" if delta < dt.timedelta(0) else ""
    delta = abs(delta)
    days, seconds = delta.days, delta.seconds
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if not days and not time:
        return "PT0S"
    return f"{sign}P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, never inside a UTF-8 sequence or
    between a backslash and the character it escapes."""
    if line.isascii():
        if len(line) <= 75:
            return line
        pieces = []
        start, limit = 0, 75
        while len(line) - start > limit:
            end = start + limit
            if line[end - 1] == "\\":
                end -= 1
            pieces.append(line[start:end])
            start, limit = end, 74
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    pieces = []
    current: list[str] = []
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width > limit:
            carry = current.pop() if len(current) > 1 and current[-1] == "\\" else None
            pieces.append("".join(current))
            current, size, limit = ([carry] if carry else []), (1 if carry else 0), 74
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)
