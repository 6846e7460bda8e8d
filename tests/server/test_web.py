"""Web pages: login, sessions, CSRF, rate limiting, escaping, in-place validation, isolation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from gpact.store.models import WebSession
from tests.server.conftest import PASSWORD, World, profile_text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD,
          next: str = "/") -> tuple[int, str]:
    form = client.get("/login")
    r = client.post("/login", data={"email": email, "password": password, "next": next,
                                    "csrf_token": csrf_of(form.text)})
    return r.status_code, r.text


@pytest.fixture
def web(sqlite_world: World) -> World:
    """Logged in as acme's editor."""
    status, _ = login(sqlite_world.client, "editor@example.eu")
    assert status == 200  # followed the redirect to the portfolio
    return sqlite_world


def page_csrf(world: World) -> str:
    return csrf_of(world.client.get("/o/acme/").text)


def add_model(world: World, text: str) -> tuple[int, str]:
    r = world.client.post("/o/acme/models", data={"profile": text,
                                                  "csrf_token": page_csrf(world)})
    return r.status_code, r.text


def test_pages_require_login_and_keep_the_target(sqlite_world: World) -> None:
    r = sqlite_world.client.get("/o/acme/calendar", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/o/acme/calendar"
    status, html = login(sqlite_world.client, "viewer@example.eu", next="/o/acme/calendar")
    assert status == 200 and "<h1>Deadlines</h1>" in html


def test_wrong_password_and_rate_limit(sqlite_world: World) -> None:
    for _ in range(3):  # the test app allows 3 failures
        status, html = login(sqlite_world.client, "viewer@example.eu", "wrong password!")
        assert status == 401 and "Wrong e-mail or password" in html
    status, html = login(sqlite_world.client, "viewer@example.eu", PASSWORD)
    assert status == 429 and "Too many failed attempts" in html


def test_guessing_many_accounts_from_one_address_is_limited(sqlite_world: World) -> None:
    for n in range(15):  # 3 per account, 15 per address in the test app
        status, _ = login(sqlite_world.client, f"nobody{n}@example.eu", "wrong password!")
        assert status == 401
    status, html = login(sqlite_world.client, "admin@example.eu", PASSWORD)
    assert status == 429 and "Too many failed attempts" in html


def test_login_form_needs_its_csrf_token(sqlite_world: World) -> None:
    sqlite_world.client.get("/login")
    r = sqlite_world.client.post("/login", data={"email": "viewer@example.eu",
                                                 "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_expired_session_is_sent_back_to_login(web: World) -> None:
    with web.db.write() as s:
        s.execute(update(WebSession).values(
            expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
    r = web.client.get("/o/acme/", follow_redirects=False)
    assert r.status_code == 303 and "expired=1" in r.headers["location"]
    assert "session has expired" in web.client.get(r.headers["location"]).text


def test_forms_without_the_csrf_token_are_refused(web: World) -> None:
    r = web.client.post("/o/acme/models", data={"profile": profile_text(),
                                                "csrf_token": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = web.client.post("/o/acme/validate", data={"profile": "gpact: 1"})
    assert r.status_code == 403


def test_create_model_shows_assessment_and_deadlines(web: World) -> None:
    status, html = add_model(web, profile_text("frontier-400b"))
    assert status == 200 and "Model added and assessed." in html
    assert "Systemic risk: <span class=\"yes\">yes</span>" in html
    assert "notification" in html and "Art. 52" in html
    dashboard = web.client.get("/o/acme/").text
    assert "Frontier-400B" in dashboard and "Next deadlines" in dashboard
    calendar = web.client.get("/o/acme/calendar").text
    assert "Frontier-400B" in calendar
    ics = web.client.get("/o/acme/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and b"VEVENT" in ics.content


def test_calendar_names_the_rulebook_of_its_dates(web: World) -> None:
    from gpact.rulebook import default_rulebook
    from gpact.store.models import CurrentDeadline

    add_model(web, profile_text("frontier-400b"))
    current = default_rulebook().version
    line = re.search(r'<p class="muted" id="rulebooks">(.*?)</p>',
                     web.client.get("/o/acme/calendar").text, re.S)
    assert line is not None
    assert f"Current rulebook {default_rulebook().label()}" in line[1]
    assert f"under rulebook {current}" in line[1] and "not the current" not in line[1]
    with web.db.write() as session:  # one date left from an older rulebook
        first = session.query(CurrentDeadline).order_by(CurrentDeadline.id).first()
        assert first is not None
        first.rulebook_version = "2025.8.1"
    line = re.search(r'id="rulebooks">(.*?)</p>', web.client.get("/o/acme/calendar").text, re.S)
    assert line is not None
    assert "1 date under rulebook 2025.8.1 (not the current rulebook" in line[1]
    assert line[1].count("under rulebook") == 2
    assert web.client.get("/o/acme/calendar").text.count(">rulebook 2025.8.1</span>") == 1
    deadlines = web.client.get("/api/orgs/acme/deadlines", headers=web.auth("admin")).json()
    assert {d["rulebook_version"] for d in deadlines} == {current, "2025.8.1"}


def test_invalid_profile_messages_appear_in_place(web: World) -> None:
    bad = profile_text().replace("8.0e24", "lots")
    status, html = add_model(web, bad)
    assert status == 422
    assert "model.training_compute_flop (line 13)" in html
    assert "lots" in html  # the text the user typed is kept in the editor
    r = web.client.post("/o/acme/validate", data={"profile": bad},
                        headers={"X-CSRF-Token": page_csrf(web)})
    assert r.status_code == 200 and "model.training_compute_flop" in r.text
    r = web.client.post("/o/acme/validate", data={"profile": profile_text()},
                        headers={"X-CSRF-Token": page_csrf(web)})
    assert "The profile is valid." in r.text


def test_html_and_sql_injection_are_inert(web: World) -> None:
    evil = "<script>alert(1)</script>'; DROP TABLE models; --"
    status, html = add_model(web, profile_text().replace("Example-70B", f'"{evil}"'))
    assert status == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert evil.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;") in html
    assert "&lt;script&gt;" in web.client.get("/o/acme/").text
    r = web.client.get("/api/orgs/acme/models", headers=web.auth("viewer")).json()
    assert r["items"][0]["name"] == f"{evil} 1.0"


def test_stale_edit_in_the_browser_keeps_the_text_and_explains(web: World) -> None:
    add_model(web, profile_text())
    page = web.client.get("/o/acme/models/1").text
    csrf = csrf_of(page)
    first = web.client.post("/o/acme/models/1/profile", data={
        "profile": profile_text().replace('"1.0"', '"1.1"'), "version": 1, "csrf_token": csrf})
    assert first.status_code == 200 and "Saved a new profile version" in first.text
    mine = profile_text().replace('"1.0"', '"my-edit"')
    second = web.client.post("/o/acme/models/1/profile", data={
        "profile": mine, "version": 1, "csrf_token": csrf})
    assert second.status_code == 409
    assert "reload and apply your change again" in second.text and "my-edit" in second.text


def test_documents_and_ledgers_from_the_model_page(web: World) -> None:
    add_model(web, profile_text())
    csrf = page_csrf(web)
    r = web.client.post("/o/acme/models/1/documents", data={"format": "md", "csrf_token": csrf})
    assert r.status_code == 200 and "Document built." in r.text
    href = re.search(r'href="(/o/acme/documents/\d+)"', r.text)
    assert href
    doc = web.client.get(href.group(1))
    assert doc.status_code == 200 and doc.text.startswith("# Assessment report: Example-70B")
    ledger = b"run_id,phase,timestamp,seconds,flop\nr1,pretraining,2026-01-01T01:00:00Z,3600,8e24\n"
    r = web.client.post("/o/acme/models/1/ledgers", data={"csrf_token": csrf},
                        files={"file": ("run.csv", ledger, "text/csv")})
    assert r.status_code == 200 and "8e+24 FLOP" in r.text and "<svg" in r.text
    big = b"x" * (11 * 1024 * 1024 + 10)
    r = web.client.post("/o/acme/models/1/ledgers", data={"csrf_token": csrf},
                        files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413


def test_documentation_record_and_document_kinds_in_the_browser(web: World) -> None:
    add_model(web, profile_text())
    csrf = page_csrf(web)
    r = web.client.post("/o/acme/models/1/record", data={
        "record": "gpact_record: 1\nprovider: {legal_name: [x}\n", "version": 1,
        "csrf_token": csrf})
    assert r.status_code == 422 and "The record was not saved" in r.text
    assert "invalid YAML" in r.text and "legal_name: [x}" in r.text
    r = web.client.post("/o/acme/models/1/record", data={
        "record": "gpact_record: 1\nprovider: {legal_name: Example AI SAS}\n", "version": 1,
        "csrf_token": csrf})
    assert r.status_code == 200 and "Version 1 by editor@example.eu" in r.text
    r = web.client.post("/o/acme/models/1/documents", data={
        "kind": "annex-xi", "format": "html", "csrf_token": csrf})
    assert r.status_code == 200 and "Document built." in r.text
    assert "document fields" in r.text and "missing</summary>" in r.text


def test_other_organisations_pages_are_not_found(web: World) -> None:
    add_model(web, profile_text())
    rival = TestClient(web.client.app)
    login(rival, "rival@example.eu")
    for path in ("/o/acme/", "/o/acme/models/1", "/o/acme/calendar", "/o/acme/audit",
                 "/o/acme/settings", "/o/acme/documents/1", "/o/acme/calendar.ics"):
        assert rival.get(path).status_code == 404, path
    assert rival.get("/o/rival/models/1").status_code == 404


def test_members_from_the_settings_page(web: World) -> None:
    admin = TestClient(web.client.app)
    login(admin, "admin@example.eu")
    csrf = csrf_of(admin.get("/o/acme/settings").text)
    r = admin.post("/o/acme/members", data={"email": "new@example.eu", "role": "viewer",
                                            "csrf_token": csrf})
    assert r.status_code == 200 and "Invitation for new@example.eu" in r.text
    assert "/invite/" in r.text
    r = admin.post("/o/acme/members", data={"email": "admin@example.eu", "role": "viewer",
                                            "csrf_token": csrf})
    assert r.status_code == 409 and "last admin" in r.text
    r = web.client.post("/o/acme/members", data={"email": "x@example.eu", "role": "admin",
                                                 "csrf_token": page_csrf(web)})
    assert r.status_code == 403  # the editor is not an admin


def test_viewer_cannot_change_anything(sqlite_world: World) -> None:
    login(sqlite_world.client, "viewer@example.eu")
    status, _ = add_model(sqlite_world, profile_text())
    assert status == 403
    assert "Add a model" not in sqlite_world.client.get("/o/acme/").text


def test_tokens_created_in_the_browser_work_on_the_api(web: World) -> None:
    r = web.client.post("/o/acme/tokens", data={"name": "ci", "scopes": ["read"],
                                                "csrf_token": page_csrf(web)})
    token = re.search(r'class="secret">([^<]+)<', r.text)
    assert token
    api = web.client.get("/api/orgs/acme/models",
                         headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 200
    r = web.client.post("/o/acme/tokens", data={"name": "root", "scopes": ["admin"],
                                                "csrf_token": page_csrf(web)})
    assert r.status_code == 422


def test_audit_log_page_and_logout(web: World) -> None:
    add_model(web, profile_text())
    audit = web.client.get("/o/acme/audit").text
    assert "Model added" in audit and "model.create" not in audit and "editor@example.eu" in audit
    r = web.client.post("/logout", data={"csrf_token": page_csrf(web)}, follow_redirects=False)
    assert r.status_code == 303
    assert web.client.get("/o/acme/", follow_redirects=False).status_code == 303


def test_security_headers(web: World) -> None:
    r = web.client.get("/o/acme/")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert web.client.get("/static/htmx.min.js").status_code == 200
