"""Systemic-risk work in the server, computed by gpact.risk: records, incident clocks with
hours left, reports sent, incident reports, Framework and Model Report, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from gpact.tracking import hours_left
from tests.risk.test_importers import INSPECT_LOG, LM_EVAL_RESULTS
from tests.server.conftest import World

EXAMPLES = Path(__file__).parents[2] / "examples" / "systemic-risk"


def frontier(world: World) -> tuple[int, str]:
    r = world.client.post("/api/orgs/acme/models",
                          json={"profile": (EXAMPLES / "frontier.yaml").read_text()},
                          headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"]), f"/api/orgs/acme/models/{r.json()['id']}"


def version(world: World, base: str) -> int:
    return int(world.client.get(base, headers=world.auth("viewer")).json()["version"])


def put(world: World, base: str, kind: str, text: str, who: str = "editor") -> Any:
    return world.client.put(f"{base}/risk/{kind}", json={"text": text,
                                                         "version": version(world, base)},
                            headers=world.auth(who))


def test_records_clocks_and_documents_from_gpact_risk(world: World) -> None:
    _, base = frontier(world)
    for kind in ("register", "evaluations", "requests", "incidents"):
        r = put(world, base, kind, (EXAMPLES / "risk" / f"{kind}.yaml").read_text())
        assert r.status_code == 200, (kind, r.text)
    body = world.client.get(f"{base}/risk", headers=world.auth("viewer")).json()
    kinds = {c["kind"] for c in body["clocks"]}
    assert {"incident_initial_report"} <= kinds and any(k.startswith("framework") for k in kinds)
    assert any(c["id"].startswith("request:") or "request" in c["kind"] for c in body["clocks"])
    assert all(c["hours_left"] is not None for c in body["clocks"] if c["due"])
    for what in ("framework", "model_report", "incident:INC-2026-001:initial"):
        r = world.client.post(f"{base}/risk-documents", json={"what": what, "format": "md"},
                              headers=world.auth("editor"))
        assert r.status_code == 201, (what, r.text)
        doc = world.client.get(f"/api/orgs/acme/documents/{r.json()['id']}",
                               headers=world.auth("viewer"))
        assert doc.status_code == 200 and doc.text.startswith("# ")


def test_open_an_incident_and_watch_its_clocks(world: World) -> None:
    _, base = frontier(world)
    aware = dt.date.today() - dt.timedelta(days=1)
    r = world.client.post(f"{base}/incidents", headers=world.auth("editor"), json={
        "id": "INC-9", "title": "Grid operator outage", "category": "critical_infrastructure",
        "aware_on": aware.isoformat(), "version": version(world, base)})
    assert r.status_code == 201, r.text
    initial = next(c for c in r.json()["clocks"] if c["id"] == "incident:INC-9:initial")
    due = dt.date.fromisoformat(initial["due"])
    assert (due - aware).days == 2  # critical infrastructure: two days (rulebook)
    assert initial["status"] == "open" and 0 < initial["hours_left"] <= 48
    r = world.client.post(f"{base}/incidents/INC-9/reports", headers=world.auth("editor"),
                          json={"kind": "initial", "sent_on": dt.date.today().isoformat(),
                                "reference": "AIO-1", "version": version(world, base)})
    assert r.status_code == 200, r.text
    initial = next(c for c in r.json()["clocks"] if c["id"] == "incident:INC-9:initial")
    assert initial["status"] == "done"
    r = world.client.post(f"{base}/risk-documents", headers=world.auth("editor"),
                          json={"what": "incident:INC-9:final"})
    assert r.status_code == 422 and "resolved" in r.json()["problems"][0]
    r = world.client.post(f"{base}/incidents/INC-9/resolve", headers=world.auth("editor"),
                          json={"resolved_on": dt.date.today().isoformat(),
                                "version": version(world, base)})
    assert any(c["id"] == "incident:INC-9:final" for c in r.json()["clocks"])
    log = world.client.get("/api/orgs/acme/audit", headers=world.auth("viewer")).json()
    assert {"incident.open", "incident.report_sent", "incident.resolve"} <= {
        e["action"] for e in log}


@pytest.mark.parametrize(("kind", "text", "problem"), [
    ("incidents", "gpact_risk: 1\nincidents:\n  - {id: X, title: t, category: nope, "
     "aware_on: 2026-01-01}\n", "category"),
    ("register", "gpact_risk: 1\nrisks: 3\n", "risks"),
    ("requests", ": : :\n", "requests.yaml"),
])
def test_bad_records_are_refused_and_nothing_is_stored(world: World, kind: str, text: str,
                                                       problem: str) -> None:
    _, base = frontier(world)
    before = version(world, base)
    r = put(world, base, kind, text)
    assert r.status_code == 422 and problem in r.json()["problems"][0], r.text
    assert version(world, base) == before


def test_incident_bad_input_stale_version_and_roles(world: World) -> None:
    _, base = frontier(world)
    v = version(world, base)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = world.client.post(f"{base}/incidents", headers=world.auth("editor"), json={
        "id": "I1", "title": "t", "category": "death", "aware_on": future, "version": v})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("aware_on:")
    ok = {"id": "I1", "title": "t", "category": "death", "aware_on": "2026-01-01"}
    r = world.client.post(f"{base}/incidents", headers=world.auth("viewer"),
                          json={**ok, "version": v})
    assert r.status_code == 403
    assert world.client.post(f"{base}/incidents", headers=world.auth("editor"),
                             json={**ok, "version": v}).status_code == 201
    r = world.client.post(f"{base}/incidents", headers=world.auth("editor"),
                          json={**ok, "id": "I2", "version": v})
    assert r.status_code == 409
    r = world.client.post(f"{base}/incidents", headers=world.auth("editor"),
                          json={**ok, "version": v + 1})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("id:")
    r = world.client.post(f"{base}/incidents/NOPE/reports", headers=world.auth("editor"),
                          json={"kind": "initial", "sent_on": "2026-01-02", "version": v + 1})
    assert r.status_code == 404


def test_hours_left() -> None:
    now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert hours_left(dt.date(2026, 6, 2), now) == 36.0
    assert hours_left(dt.date(2026, 5, 31), now) == -12.0
    assert hours_left(None, now) is None


def test_requests_and_their_clocks(world: World) -> None:
    _, base = frontier(world)
    today = dt.date.today()
    r = world.client.post(f"{base}/requests", headers=world.auth("editor"), json={
        "id": "AIO-9", "kind": "ai_office", "received_on": today.isoformat(),
        "subject": "Art. 91 request", "version": version(world, base)})
    assert r.status_code == 422 and "deadline" in r.json()["problems"][0], r.text
    deadline = (today + dt.timedelta(days=10)).isoformat()
    r = world.client.post(f"{base}/requests", headers=world.auth("editor"), json={
        "id": "AIO-9", "kind": "ai_office", "received_on": today.isoformat(),
        "deadline": deadline, "version": version(world, base)})
    assert r.status_code == 201, r.text
    clock = next(c for c in r.json()["clocks"] if c["id"] == "request:AIO-9")
    assert clock["due"] == deadline and clock["status"] == "open"
    r = world.client.post(f"{base}/requests/AIO-9/answer", headers=world.auth("editor"),
                          json={"answered_on": today.isoformat(),
                                "version": version(world, base)})
    clock = next(c for c in r.json()["clocks"] if c["id"] == "request:AIO-9")
    assert clock["status"] == "done"


def test_evaluation_upload_in_the_import_eval_formats(world: World) -> None:
    _, base = frontier(world)
    for name, data in (("inspect.json", INSPECT_LOG), ("results.json", LM_EVAL_RESULTS)):
        r = world.client.post(f"{base}/evaluations", headers=world.auth("editor"),
                              data={"version": str(version(world, base))},
                              files={"file": (name, json.dumps(data).encode(),
                                              "application/json")})
        assert r.status_code == 201, r.text
    r = world.client.post(f"{base}/evaluations", headers=world.auth("editor"),
                          data={"version": str(version(world, base))},
                          files={"file": ("inspect.json", json.dumps(INSPECT_LOG).encode(),
                                          "application/json")})
    assert r.status_code == 422 and "already" in r.json()["problems"][0]
    r = world.client.post(f"{base}/evaluations", headers=world.auth("editor"),
                          data={"version": str(version(world, base))},
                          files={"file": ("x.json", b"[1, 2]", "application/json")})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("x.json")
    runs = world.client.get(f"{base}/risk", headers=world.auth("viewer")).json()
    assert runs["records"]["evaluations"] == {"present": True}


def test_calendar_feed_alarms_fit_the_clock(world: World) -> None:
    from icalendar import Calendar

    from gpact.risk.calendar import reminder_lead

    _, base = frontier(world)
    today = dt.date.today().isoformat()
    for incident_id, category in (("INC-A", "critical_infrastructure"), ("INC-B", "death")):
        r = world.client.post(f"{base}/incidents", headers=world.auth("editor"), json={
            "id": incident_id, "title": "t", "category": category, "aware_on": today,
            "version": version(world, base)})
        assert r.status_code == 201, r.text
    feed = world.client.get("/api/orgs/acme/calendar.ics", headers=world.auth("viewer"))
    assert feed.status_code == 200
    events = {str(e["summary"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    two_day = next(e for s, e in events.items() if "INC-A" in s and "Initial" in s)
    trigger = two_day.walk("VALARM")[0]["trigger"].dt
    assert trigger == -dt.timedelta(hours=12)  # not 7 days before a 2-day deadline
    ten_day = next(e for s, e in events.items() if "INC-B" in s and "Initial" in s)
    assert ten_day.walk("VALARM")[0]["trigger"].dt == -dt.timedelta(hours=60)
    # the same rule as the .ics export's (one implementation)
    due = dt.date(2026, 12, 10)
    assert reminder_lead(None, due) == dt.timedelta(days=7)
    assert reminder_lead(due - dt.timedelta(days=60), due) == dt.timedelta(days=7)
    assert reminder_lead(due - dt.timedelta(days=2), due) == dt.timedelta(hours=12)
