"""The workspace's pages: human labels, compute ledgers read by gpact.compute (both bundled
example files upload), delete confirmation, empty states, and the shared "next due" rule."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gpact.services import labels, server_ledgers
from gpact.store.models import ComputeLedger
from gpact.tracking import Due, classify, next_due
from tests.server.conftest import World, profile_text
from tests.server.test_web import add_model, login, page_csrf

COMPUTE = Path(__file__).parents[2] / "examples" / "compute"
RAW_IDS = ("technical_documentation", "downstream_information", "copyright_policy",
           "training_content_summary", "in_force", "not_applicable")


@pytest.fixture
def web(sqlite_world: World) -> World:
    status, _ = login(sqlite_world.client, "editor@example.eu")
    assert status == 200
    return sqlite_world


def visible(html: str) -> str:
    """The page's text without tags and attribute values (ids may live in form values)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_show_obligation_names_and_articles_not_ids(web: World) -> None:
    status, html = add_model(web, profile_text())
    assert status == 200
    assert "Technical documentation (Annex XI)" in html and "Art. 53(1)(a)" in html
    for page in ("/o/acme/", "/o/acme/models/1", "/o/acme/calendar", "/o/acme/audit"):
        text = visible(web.client.get(page).text)
        found = [raw for raw in RAW_IDS if raw in text]
        assert not found, (page, found)
    assert "Does not apply" in visible(web.client.get("/o/acme/models/1").text)


@pytest.mark.parametrize(("days_left", "words"), [
    (14, "in 14 days"), (1, "in 1 day"), (0, "today"), (-1, "1 day ago"),
    (-184, "184 days ago")])
def test_due_dates_read_as_words(days_left: int, words: str) -> None:
    assert labels.due_in(days_left) == words


def test_calendar_says_how_far_each_date_is(web: World) -> None:
    add_model(web, profile_text())
    text = visible(web.client.get("/o/acme/calendar").text)
    assert re.search(r"\d+ days? ago|in \d+ days?|today", text)
    assert "passed" not in text and "Days left" not in text and "overdue" not in text


def test_both_bundled_compute_files_upload_on_the_web(web: World) -> None:
    add_model(web, profile_text())
    csrf = page_csrf(web)
    files = [("file", ("ledger.yaml", (COMPUTE / "ledger.yaml").read_bytes(), "text/yaml")),
             ("file", ("pretraining.csv", (COMPUTE / "pretraining.csv").read_bytes(),
                       "text/csv"))]
    r = web.client.post("/o/acme/models/1/ledgers", data={"csrf_token": csrf}, files=files)
    assert r.status_code == 200, visible(r.text)[-800:]
    assert "Compute ledger uploaded." in r.text and "5.03e+24 FLOP" in r.text
    r = web.client.post("/o/acme/models/1/ledgers", data={"csrf_token": csrf}, files={
        "file": ("pretraining.csv", (COMPUTE / "pretraining.csv").read_bytes(), "text/csv")})
    assert r.status_code == 200 and "5.52e+24 FLOP" in r.text
    # a ledger naming a telemetry file uploaded earlier reads that one
    r = web.client.post("/o/acme/models/1/ledgers", data={"csrf_token": csrf}, files={
        "file": ("ledger.yaml", (COMPUTE / "ledger.yaml").read_bytes(), "text/yaml")})
    assert r.status_code == 200 and "5.03e+24 FLOP" in r.text


@pytest.mark.parametrize(("files", "problem"), [
    ([("x.yaml", b"gpact_ledger: 1\nentries:\n - id: a\n   telemetry: {files: [/etc/passwd]}\n")],
     "entries[0].telemetry.files[0]: '/etc/passwd' is not among the uploaded files"),
    ([("x.yaml", b"gpact_ledger: 1\nentries:\n - id: a\n   telemetry: {files: [../x.csv]}\n")],
     "'../x.csv' is not among the uploaded files"),
    ([("notes.txt", b"hello")], "notes.txt: not a compute ledger"),
    ([(".hidden.csv", b"run_id\n")], "is not a plain file name"),
    ([("run.csv", b"run_id,phase,timestamp,flop\nr,pretraining,2026-01-01,1\n")],
     "seconds: required column missing"),
    ([("a.yaml", b"gpact_ledger: 1\nentries: []\n"), ("b.yaml", b"gpact_ledger: 1\n")],
     "one ledger YAML at a time"),
    ([("a.yaml", b"just: text\n")], "not a compute ledger (no 'gpact_ledger: 1'"),
])
def test_bad_ledger_uploads_are_refused_and_nothing_is_stored(
        world: World, files: list[tuple[str, bytes]], problem: str) -> None:
    model = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                              headers=world.auth("editor")).json()
    r = world.client.post(f"/api/orgs/acme/models/{model['id']}/ledgers",
                          files=[("file", (n, c, "application/octet-stream")) for n, c in files],
                          headers=world.auth("editor"))
    assert r.status_code == 422, r.text
    assert problem in r.json()["problems"][0]
    with world.db.read() as s:
        assert s.query(ComputeLedger).count() == 0


def test_ledger_api_upload_of_the_bundled_pair(world: World) -> None:
    model = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                              headers=world.auth("editor")).json()
    url = f"/api/orgs/acme/models/{model['id']}/ledgers"
    r = world.client.post(url, headers=world.auth("editor"), files=[
        ("file", ("ledger.yaml", (COMPUTE / "ledger.yaml").read_bytes(), "text/yaml")),
        ("file", ("pretraining.csv", (COMPUTE / "pretraining.csv").read_bytes(), "text/csv"))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["total_flop"] == pytest.approx(5.03e24, rel=1e-2)
    assert body["summary"]["files"] == ["ledger.yaml", "pretraining.csv"]
    assert [x["filename"] for x in world.client.get(url, headers=world.auth("viewer")).json()
            ] == ["ledger.yaml"]


def test_delete_asks_for_confirmation_first(sqlite_world: World) -> None:
    login(sqlite_world.client, "admin@example.eu")
    add_model(sqlite_world, profile_text())
    html = sqlite_world.client.get("/o/acme/models/1").text
    assert 'href="/o/acme/models/1/delete"' in html and 'action="/o/acme/models/1/delete"' \
        not in html
    confirm = sqlite_world.client.get("/o/acme/models/1/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert "Cancel and keep it" in confirm.text
    login(sqlite_world.client, "editor@example.eu")
    assert sqlite_world.client.get("/o/acme/models/1/delete").status_code == 403


def test_empty_states_say_what_to_do_next(web: World) -> None:
    assert "paste or upload its profile</a>" in web.client.get("/o/acme/").text
    assert "Deadlines appear here once a model is added" in web.client.get(
        "/o/acme/calendar").text
    audit = web.client.get("/o/acme/audit").text
    assert "What the numbers (#) mean" in audit and "other organisations" in audit


D = dt.date
TODAY = D(2026, 6, 1)


@pytest.mark.parametrize(("items", "expected"), [
    ([], None),
    ([Due("a", None)], None),
    ([Due("a", D(2026, 7, 1)), Due("b", D(2026, 6, 10))], "b"),
    ([Due("a", D(2025, 1, 1)), Due("b", D(2026, 6, 1))], "b"),  # today counts as upcoming
    ([Due("a", D(2025, 1, 1)), Due("b", D(2025, 8, 2))], "b"),  # all passed: most recent
    ([Due("a", D(2026, 6, 10), "met"), Due("b", D(2026, 9, 1))], "b"),
    ([Due("a", D(2026, 6, 10), "not_applicable")], None),
    ([Due("a", D(2026, 6, 10), "in_progress")], "a"),
])
def test_next_due_rule(items: list[Due], expected: str | None) -> None:
    found = next_due(items, TODAY)
    assert (found.key if found else None) == expected


@pytest.mark.parametrize(("item", "bucket"), [
    (Due("a", D(2026, 5, 31)), "overdue"),
    (Due("a", D(2026, 5, 31), "in_progress"), "overdue"),
    (Due("a", D(2026, 5, 31), "met"), "met"),
    (Due("a", D(2026, 6, 1)), "due_soon"),
    (Due("a", D(2026, 7, 1)), "due_soon"),
    (Due("a", D(2026, 7, 2)), "open"),
    (Due("a", None), "open"),
    (Due("a", D(2020, 1, 1), "not_applicable"), "not_applicable"),
])
def test_classify(item: Due, bucket: str) -> None:
    assert classify(item, TODAY) == bucket


def test_labels() -> None:
    assert labels.obligation_label("training_content_summary") == (
        "Public summary of training content in the AI Office template (Art. 53(1)(d))")
    assert labels.obligation_title("made_up_thing") == "Made up thing"
    assert labels.status_label("not_applicable") == "Does not apply"
    assert server_ledgers.MAX_LEDGER_BYTES == 10 * 1024 * 1024


def test_track_an_obligation_to_met_on_the_web(sqlite_world: World) -> None:
    web = sqlite_world
    login(web.client, "editor@example.eu")
    add_model(web, profile_text())
    page = "/o/acme/models/1/obligations/technical_documentation"
    html = web.client.get("/o/acme/models/1").text
    assert f'href="{page}"' in html
    csrf = page_csrf(web)
    r = web.client.post(page, data={"csrf_token": csrf, "version": 1, "state": "met"})
    assert r.status_code == 422 and "Nothing was changed" in r.text
    assert "needs at least one piece of evidence" in r.text
    r = web.client.post(page + "/evidence", data={"csrf_token": csrf, "kind": "file",
                                                  "note": "Annex XI as filed"},
                        files={"file": ("annex-xi.md", b"# Annex XI\n", "text/markdown")})
    assert r.status_code == 200 and "Evidence added." in r.text and "annex-xi.md" in r.text
    r = web.client.post(page + "/evidence", data={"csrf_token": csrf, "kind": "file"},
                        files={"file": ("fake.pdf", b"hello", "application/pdf")})
    assert r.status_code == 422 and "is not a PDF file" in r.text
    r = web.client.post(page, data={"csrf_token": csrf, "version": 1, "state": "met",
                                    "owner": "editor@example.eu", "notes": "ready"})
    assert r.status_code == 200 and "Sign-off asked for" in r.text
    assert "Sign off as met" not in r.text  # not for the member who asked
    login(web.client, "admin@example.eu")
    html = web.client.get(page).text
    assert "Sign off as met" in html
    r = web.client.post(page + "/sign-off", data={"csrf_token": page_csrf(web), "version": 2})
    assert r.status_code == 200 and "Signed off by admin@example.eu" in r.text
    assert "Signed off as met" in r.text  # the history lists it
    tracking = web.client.get("/o/acme/obligations?bucket=met").text
    assert "Technical documentation (Annex XI)" in visible(tracking)
    assert "Copyright" not in visible(tracking).split("Obligation", 1)[-1]
    dashboard = visible(web.client.get("/o/acme/").text)
    assert "1  met" in dashboard.replace("\n", " ") or "1 met" in dashboard


def test_risk_workspace_on_the_web(web: World) -> None:
    examples = Path(__file__).parents[2] / "examples" / "systemic-risk"
    status, _ = add_model(web, (examples / "frontier.yaml").read_text())
    assert status == 200
    csrf = page_csrf(web)
    assert 'href="/o/acme/models/1/risk"' in web.client.get("/o/acme/models/1").text
    empty = web.client.get("/o/acme/models/1/risk").text
    assert "No incident recorded" in empty and "Upload the risk register" in empty
    r = web.client.post("/o/acme/models/1/risk/records/register", data={
        "csrf_token": csrf, "version": 1,
        "text": (examples / "risk" / "register.yaml").read_text()})
    assert r.status_code == 200 and "Saved a new version" in r.text, visible(r.text)[-500:]
    today = dt.date.today()
    r = web.client.post("/o/acme/models/1/risk/incidents", data={
        "csrf_token": csrf, "version": 2, "incident_id": "INC-7", "title": "Outage",
        "category": "critical_infrastructure", "aware_on": today.isoformat()})
    assert r.status_code == 200 and "Incident opened" in r.text
    fragment = web.client.get("/o/acme/models/1/risk/clocks").text
    assert "Initial report on incident INC-7" in fragment and "hours" in fragment
    r = web.client.post("/o/acme/models/1/risk/incidents", data={
        "csrf_token": csrf, "version": 2, "incident_id": "INC-8", "title": "Late",
        "category": "death", "aware_on": today.isoformat()})
    assert r.status_code == 409 and "Nothing was changed" in r.text
    r = web.client.post("/o/acme/models/1/risk/documents", data={
        "csrf_token": csrf, "what": "incident:INC-7:initial", "format": "md"})
    assert r.status_code == 200 and "Document built" in r.text
    r = web.client.post("/o/acme/models/1/risk/documents", data={
        "csrf_token": csrf, "what": "framework", "format": "html"})
    assert r.status_code == 200
    model_page = web.client.get("/o/acme/models/1").text
    assert "Serious incident: initial report" in model_page
    assert "Safety and Security Framework" in model_page
    assert "Initial report on incident INC-7" in web.client.get("/o/acme/calendar").text
    assert "Risk clocks running" in web.client.get("/o/acme/").text
    r = web.client.post("/o/acme/models/1/risk/requests", data={
        "csrf_token": csrf, "version": 3, "request_id": "AIO-4", "kind": "ai_office",
        "received_on": today.isoformat(), "deadline": "", "subject": "Art. 91"})
    assert r.status_code == 422 and "needs &#39;deadline&#39;" in r.text
    r = web.client.post("/o/acme/models/1/risk/requests", data={
        "csrf_token": csrf, "version": 3, "request_id": "AIO-4", "kind": "ai_office",
        "received_on": today.isoformat(), "deadline": (today + dt.timedelta(days=5))
        .isoformat(), "subject": "Art. 91"})
    assert r.status_code == 200 and "Answer AI Office request AIO-4" in r.text


def test_training_data_and_opt_out_summaries_feed_the_documents(world: World) -> None:
    examples = Path(__file__).parents[2] / "examples"
    r = world.client.post("/api/orgs/acme/models", headers=world.auth("editor"),
                          json={"profile": (examples / "frontier_systemic.yaml").read_text()})
    base = f"/api/orgs/acme/models/{r.json()['id']}"
    record = (examples / "records" / "frontier_systemic.record.yaml").read_text()
    world.client.put(f"{base}/record", json={"record": record, "version": 1},
                     headers=world.auth("editor"))

    def summary_doc() -> Any:
        r = world.client.post(f"{base}/documents", json={"kind": "training-summary"},
                              headers=world.auth("editor"))
        assert r.status_code == 201, r.text
        return r.json()["completeness"]

    before = summary_doc()
    data = (examples / "records" / "frontier_systemic.data-summary.json").read_bytes()
    r = world.client.post(f"{base}/inputs/data_summary", headers=world.auth("editor"),
                          files={"file": ("data-summary.json", data, "application/json")})
    assert r.status_code == 201 and r.json()["number"] == 1
    after = summary_doc()
    assert after["filled"] > before["filled"]
    for kind, content, problem in (
            ("data_summary", b'{"rows": 3}', "not a gpact data summary"),
            ("data_summary", b"[1]", "expected a JSON object"),
            ("rights_audit", b'{"x": 1}', "not the summary of gpact rights audit"),
            ("rights_audit", b"{nope", "not JSON")):
        r = world.client.post(f"{base}/inputs/{kind}", headers=world.auth("editor"),
                              files={"file": ("x.json", content, "application/json")})
        assert r.status_code == 422 and problem in r.json()["problems"][0], r.text
    r = world.client.post(f"{base}/inputs/data_summary", headers=world.auth("editor"),
                          files={"file": ("data-summary.json", data, "application/json")})
    assert r.json()["number"] == 2  # versioned


def test_record_form_round_trip_keeps_what_it_does_not_show(web: World) -> None:
    examples = Path(__file__).parents[2] / "examples"
    add_model(web, (examples / "frontier_systemic.yaml").read_text())
    record = (examples / "records" / "frontier_systemic.record.yaml").read_text()
    csrf = page_csrf(web)
    web.client.post("/o/acme/models/1/record", data={"csrf_token": csrf, "version": 1,
                                                     "record": record})
    page = web.client.get("/o/acme/models/1/record/form")
    assert page.status_code == 200 and "Training" in page.text
    fields = dict(re.findall(r'name="(f\.[^"]+)"[^>]*value="([^"]*)"', page.text))
    fields.update(re.findall(r'name="(f\.[^"]+)" rows="\d+">([^<]*)</textarea>', page.text))
    for name, value in re.findall(r'name="(f\.[^"]+)">(?:.*?)<option value="([^"]+)" '
                                  r'selected', page.text):
        fields[name] = value
    assert len(fields) > 40
    fields = {k: html.unescape(v) for k, v in fields.items()}
    key = next(k for k, v in fields.items() if k.startswith("f.model.") and v)
    fields[key] = "Changed in the form"
    r = web.client.post("/o/acme/models/1/record/form",
                        data={"csrf_token": csrf, "version": 2, **fields})
    assert r.status_code == 200 and "Saved a new documentation record version." in r.text
    saved = web.client.get("/api/orgs/acme/models/1/record",
                           headers=web.auth("viewer")).json()["text"]
    before, after = yaml.safe_load(record), yaml.safe_load(saved)
    section, leaf = key[2:].split(".", 1)
    assert after["model"][leaf.split(".")[0]] == "Changed in the form" or \
        "Changed in the form" in saved
    for name in before:
        if name != section:
            assert json.dumps(after.get(name), default=str) == json.dumps(before[name],
                                                                         default=str), name
    r = web.client.post("/o/acme/models/1/record/form",
                        data={"csrf_token": csrf, "version": 2, **fields})
    assert r.status_code == 409 and "Nothing was saved" in r.text
