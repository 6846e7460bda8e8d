"""The compliance calendar: events from clocks and assessments, valid iCalendar, stable UIDs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

from gpact.risk.calendar import event_uid, events_from_assessment, model_identity, to_ics
from gpact.services.risk import calendar_events
from tests.risk.conftest import write_yaml

AS_OF = dt.date(2026, 11, 22)


def _incidents(model_dir: Path) -> None:
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "INC-1", "title": "Outage", "category": "critical_infrastructure",
         "aware_on": "2026-11-19"},
        {"id": "INC-2", "title": "Similar outage", "category": "critical_infrastructure",
         "aware_on": "2026-11-20", "bundled_with": "INC-1"}]})
    write_yaml(model_dir / "risk" / "requests.yaml", {"requests": [
        {"id": "DP-1", "kind": "downstream_provider", "received_on": "2026-11-10"},
        {"id": "RH-1", "kind": "rightsholder_complaint", "received_on": "2026-11-10"}]})


def test_calendar_combines_assessment_and_risk_clocks(model_dir: Path) -> None:
    _incidents(model_dir)
    events, warnings = calendar_events([model_dir / "model.yaml"], AS_OF)
    assert warnings == []
    keys = {e.key for e in events}
    assert {"incident:INC-1:initial", "incident:INC-1:update:1", "framework:confirmation",
            "model_report:first", "request:DP-1", "obligation:notification"} <= keys
    assert not any("INC-2" in k for k in keys)          # bundled into INC-1's timeline
    assert "request:RH-1" not in keys                   # no fixed period: not dated
    initial = next(e for e in events if e.key == "incident:INC-1:initial")
    assert initial.due == dt.date(2026, 11, 21) and initial.status == "overdue"
    assert [e.due for e in events] == sorted(e.due for e in events)
    without = {e.key for e in calendar_events([model_dir / "model.yaml"], AS_OF,
                                              include_assessment=False)[0]}
    assert not any(k.startswith("obligation:") for k in without)


def test_ics_parses_back_with_stable_unique_uids(model_dir: Path) -> None:
    _incidents(model_dir)
    events, _ = calendar_events([model_dir / "model.yaml"], AS_OF)
    data = to_ics(events, AS_OF, "test")
    cal = Calendar.from_ical(data)
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(events)
    uids = [str(v["UID"]) for v in vevents]
    assert len(set(uids)) == len(uids)
    assert all(u.endswith("@gpact") for u in uids)
    first = vevents[0]
    assert first.decoded("DTSTART") == events[0].due
    assert first.decoded("DTEND") == events[0].due + dt.timedelta(days=1)
    assert "not legal advice" in str(first["DESCRIPTION"])
    # a later run (another as-of, a report sent) keeps the UIDs of the same obligations
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "INC-1", "title": "Outage", "category": "critical_infrastructure",
         "aware_on": "2026-11-19", "reports": [{"kind": "initial", "sent_on": "2026-11-21"}]}]})
    later, _ = calendar_events([model_dir / "model.yaml"], AS_OF + dt.timedelta(days=3))
    before, after = {e.key: e.uid for e in events}, {e.key: e.uid for e in later}
    common = before.keys() & after.keys()
    assert "incident:INC-1:initial" in common and len(common) >= 10
    assert all(before[k] == after[k] for k in common)
    assert next(e for e in later if e.key == "incident:INC-1:initial").status == "done"
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0" in data


def test_uid_depends_on_model_version_and_obligation() -> None:
    a = model_identity("P", "M", "1.0")[1]
    b = model_identity("P", "M", "2.0")[1]
    c = model_identity("Q", "M", "1.0")[1]
    assert event_uid(a, "x") == event_uid(a, "x")
    assert len({event_uid(a, "x"), event_uid(b, "x"), event_uid(c, "x"),
                event_uid(a, "y")}) == 4
    assert model_identity("P", "M", "1.0")[0] == "M 1.0"


def test_same_model_name_different_versions_get_distinct_uids(model_dir: Path) -> None:
    (model_dir / "v2.yaml").write_text((model_dir / "model.yaml").read_text()
                                       .replace('version: \'1.0\'', 'version: \'2.0\''))
    events, _ = calendar_events([model_dir], AS_OF)
    uids = [e.uid for e in events]
    assert {e.model for e in events} == {"Example-400B 1.0", "Example-400B 2.0"}
    assert len(uids) == len(set(uids))


def test_only_applicable_dated_obligations_from_assessment() -> None:
    assessment = {"model": "M", "obligations": [
        {"id": "copyright_policy", "title": "Copyright policy", "source": "Art. 53(1)(c)",
         "status": "applies", "due": "2026-12-01"},
        {"id": "technical_documentation", "source": "Art. 53(1)(a)", "status": "waived",
         "due": "2026-12-01"},
        {"id": "cybersecurity", "source": "Art. 55(1)(d)", "status": "applies", "due": None}]}
    [ev] = events_from_assessment(assessment, AS_OF)
    assert (ev.key, ev.due, ev.status) == ("obligation:copyright_policy",
                                           dt.date(2026, 12, 1), "upcoming")


def test_models_sharing_a_risk_folder_are_flagged(model_dir: Path) -> None:
    (model_dir / "other.yaml").write_text((model_dir / "model.yaml").read_text()
                                          .replace("Example-400B", "Other-7B"))
    _, warnings = calendar_events([model_dir], AS_OF, include_assessment=False)
    assert len(warnings) == 1 and "risk/<profile name>/" in warnings[0]


def test_framework_clocks_only_with_a_register(model_dir: Path) -> None:
    (model_dir / "risk" / "register.yaml").unlink()
    events, warnings = calendar_events([model_dir / "model.yaml"], AS_OF)
    keys = {e.key for e in events}
    assert not any(k.startswith(("framework:", "model_report:")) for k in keys)
    assert "obligation:systemic_risk_management" in keys
    assert len(warnings) == 1 and "without a risk register" in warnings[0]


def test_reminder_fits_the_clock() -> None:
    from gpact.risk.calendar import reminder_lead

    day = dt.date(2026, 3, 1)
    assert reminder_lead(day, day + dt.timedelta(days=2)) == dt.timedelta(hours=12)
    assert reminder_lead(day, day + dt.timedelta(days=14)) == dt.timedelta(days=3.5)
    assert reminder_lead(day, day + dt.timedelta(days=60)) == dt.timedelta(days=7)
    assert reminder_lead(None, day) == dt.timedelta(days=7)
    assert reminder_lead(day, day) == dt.timedelta(days=7)  # no period known: the default


def test_ics_alarm_of_a_two_day_incident_clock_is_hours(model_dir: Path) -> None:
    write_yaml(model_dir / "risk" / "incidents.yaml", {"incidents": [
        {"id": "INC-9", "title": "Outage", "category": "critical_infrastructure",
         "aware_on": "2026-11-21"}]})
    events, _ = calendar_events([model_dir / "model.yaml"], AS_OF)
    cal = Calendar.from_ical(to_ics(events, AS_OF, "test"))
    by_uid = {str(v["UID"]): v for v in cal.walk("VEVENT")}
    initial = next(e for e in events if e.key == "incident:INC-9:initial")
    assert initial.start is not None and initial.due - initial.start == dt.timedelta(days=2)
    alarm = by_uid[initial.uid].walk("VALARM")[0]
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=12)
    assert "Due in 12 hours" in str(alarm["DESCRIPTION"])


def test_ics_text_is_escaped_and_folded() -> None:
    from gpact.risk.calendar import CalendarEvent

    note = "Commas, semicolons; back\\slash and\nnew lines — " + "ünïcödé " * 30
    ev = CalendarEvent("u1@gpact", "Model, 1", "k", "incident_initial_report",
                       "Report; now", dt.date(2026, 12, 1), "open", "Art. 55(1)(c)", note,
                       dt.date(2026, 11, 20))
    data = to_ics([ev], AS_OF, "test")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    vevent = Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Model, 1: Report; now"
    assert note in str(vevent["DESCRIPTION"])
    assert vevent.decoded("DTSTART") == dt.date(2026, 12, 1)
    assert vevent.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=2.75)


def test_web_feed_uses_the_same_writer_and_reminders() -> None:
    from gpact.services.calendar import ical
    from gpact.services.registry import Deadline

    rows = [Deadline(1, "M 1", "incident_initial_report", "S&S 9.3", dt.date(2026, 11, 28),
                     dt.date(2026, 11, 30), dt.date(2026, 11, 28), "2026.12.2"),
            Deadline(1, "M 1", "notification", "Art. 52(1)", dt.date(2025, 8, 2),
                     dt.date(2025, 8, 16), dt.date(2026, 11, 28), "2025.8.1")]
    cal = Calendar.from_ical(ical("acme", rows, today=dt.date(2026, 11, 28)))
    soon, past = cal.walk("VEVENT")
    assert soon.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(hours=12)
    assert past.walk("VALARM") == []  # already due: no reminder
    assert str(soon["UID"]) == "acme-1-incident_initial_report@gpact"
    assert "under rulebook 2026.12.2" in str(soon["DESCRIPTION"])
    assert "under rulebook 2025.8.1" in str(past["DESCRIPTION"])
