"""Server hardening: no 500 for any input, bounded validation work, trusted proxies only."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.api import app as app_module
from gpact.api.app import create_app
from gpact.api.logs import JsonLines
from gpact.services import input_limits
from gpact.services.server_errors import Invalid, TooLarge
from gpact.store import Database
from tests.server.conftest import PASSWORD, World, populate, profile_text
from tests.server.test_web import csrf_of, login, page_csrf

BIG = 2**64


def model_id(world: World) -> int:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("admin"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


BAD_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/orgs/acme/models/{big}", {}),
    ("GET", "/api/orgs/acme/models?limit={big}&offset={big}", {}),
    ("GET", "/api/orgs/acme/deadlines?offset=-{big}", {}),
    ("PUT", "/api/orgs/acme/models/{id}/profile",
     {"json": {"profile": "PROFILE"}, "headers": {"If-Match": '"{big}"'}}),
    ("PUT", "/api/orgs/acme/models/{id}/profile",
     {"json": {"profile": "PROFILE"}, "headers": {"If-Match": '"\u00b2"'}}),  # "²".isdigit()
    ("PUT", "/api/orgs/acme/models/{id}/profile", {"json": {"profile": "PROFILE",
                                                            "version": BIG}}),
    ("DELETE", "/api/orgs/acme/models/{id}", {"headers": {"If-Match": '"{big}"'}}),
    ("PUT", "/api/orgs/acme/models/{id}/record", {"json": {"record": "gpact_record: 1\n",
                                                           "version": BIG}}),
    ("POST", "/api/orgs/acme/models/{id}/assessments", {"json": {"as_of": "2025-02-30"}}),
    ("POST", "/api/orgs/acme/models/{id}/assessments", {"json": {"as_of": "0001-01-01"}}),
    ("POST", "/api/orgs/acme/models/{id}/assessments", {"json": {"as_of": "1990-01-01"}}),
    ("POST", "/api/orgs/acme/models", {"json": {"profile": "PROFILE", "as_of": "1000-01-01"}}),
    ("POST", "/api/orgs/acme/models", {"json": {"profile": "a: " + "[" * 5000}}),
    ("POST", "/api/orgs/acme/models", {"json": {"profile": "a:\n" + "  - " * 3000 + "x\n"}}),
    ("POST", "/api/orgs/acme/models", {"json": {"profile": "model:\n  x: 2025-02-30\n"}}),
    ("POST", "/api/orgs/acme/models", {"content": '{"profile": "a: \\ud800"}'}),
    ("PUT", "/api/orgs/acme/models/{id}/record", {"json": {"record": "a: 2025-02-30\n",
                                                           "version": 1}}),
    ("PUT", "/api/orgs/acme/models/{id}/record", {"json": {"record": "[" * 3000,
                                                           "version": 1}}),
    ("POST", "/api/orgs/acme/tokens", {"json": {"name": "nul\x00", "scopes": ["read"]}}),
    ("PUT", "/api/orgs/acme/members", {"json": {"email": "x\x00@example.eu",
                                                "role": "viewer", "password": "x" * 20}}),
    ("POST", "/api/orgs/acme/import", {"content": '{"a": ' + "[" * 100_000 + "]" * 100_000
                                       + "}"}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), BAD_REQUESTS,
                         ids=[f"{m} {p} {i}" for i, (m, p, _) in enumerate(BAD_REQUESTS)])
def test_bad_input_gets_4xx_never_500(world: World, method: str, path: str,
                                      kwargs: dict[str, Any]) -> None:
    mid = model_id(world)
    raw = json.dumps(kwargs).replace("PROFILE", json.dumps(profile_text())[1:-1])
    sent = json.loads(raw.replace("{big}", str(BIG)))
    headers: dict[str, Any] = {**world.auth("admin"),
                               **{k: v.encode("latin-1") for k, v in sent.pop("headers",
                                                                            {}).items()}}
    if "content" in sent:
        headers["content-type"] = "application/json"
    r = world.client.request(method, path.format(id=mid, big=BIG), headers=headers, **sent)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["detail"]


def test_as_of_before_the_first_rule_names_the_field(world: World) -> None:
    r = world.client.post(f"/api/orgs/acme/models/{model_id(world)}/assessments",
                          json={"as_of": "1990-01-01"}, headers=world.auth("editor"))
    assert r.status_code == 422 and "1990-01-01" in r.json()["detail"]
    assert r.json()["detail"].split(":")[0].strip("-").replace("-", "_") == "as_of"


@pytest.fixture
def web_admin(sqlite_world: World) -> World:
    status, _ = login(sqlite_world.client, "admin@example.eu")
    assert status == 200
    return sqlite_world


@pytest.mark.parametrize("path", [f"/o/acme/models/{BIG}", f"/o/acme/?offset={BIG}",
                                  f"/o/acme/audit?offset={BIG}",
                                  f"/o/acme/documents/{BIG}"])
def test_pages_answer_huge_numbers_with_4xx(web_admin: World, path: str) -> None:
    r = web_admin.client.get(path)
    assert 400 <= r.status_code < 500, r.text[:300]
    assert "text/html" in r.headers["content-type"]


def test_page_forms_with_huge_numbers(web_admin: World) -> None:
    mid = model_id(web_admin)
    csrf = page_csrf(web_admin)
    r = web_admin.client.post(f"/o/acme/models/{mid}/profile", data={
        "profile": profile_text(), "version": str(BIG), "csrf_token": csrf})
    assert 400 <= r.status_code < 500
    r = web_admin.client.post(f"/o/acme/models/{mid}/assess",
                              data={"as_of": "1990-01-01", "csrf_token": csrf})
    assert 400 <= r.status_code < 500


class Boom(Exception):
    pass


def test_a_500_is_logged_with_its_traceback_and_request_id(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    app: FastAPI = world.client.app  # type: ignore[assignment]

    @app.get("/api/boom")
    def boom() -> None:
        raise Boom("deliberate")

    with caplog.at_level(logging.ERROR, logger="gpact.server"):
        r = world.client.get("/api/boom")
    assert r.status_code == 500
    request_id = r.headers["x-request-id"]
    assert request_id in r.json()["detail"]
    errors = [rec for rec in caplog.records if rec.levelno == logging.ERROR]
    assert errors, caplog.text
    line = json.loads(JsonLines().format(errors[-1]))
    assert line["id"] == request_id and line["path"] == "/api/boom"
    assert "Traceback" in line["traceback"] and "Boom: deliberate" in line["traceback"]


def test_json_log_lines_keep_tracebacks_of_any_logger() -> None:
    try:
        raise ValueError("in uvicorn")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "Exception in ASGI application", None,
                                   exc_info=__import__("sys").exc_info())
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "Exception in ASGI application"
    assert "ValueError: in uvicorn" in line["traceback"]


def test_json_log_lines_follow_stderr_as_it_is_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Configured while one stream is stderr, logged after it was closed and replaced."""
    import io
    import sys

    from gpact.api.logs import configure_logging

    for name in ("gpact", "uvicorn", "uvicorn.error"):  # put back afterwards
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", list(logger.handlers))  # changed in place
        monkeypatch.setattr(logger, "level", logger.level)
        monkeypatch.setattr(logger, "propagate", logger.propagate)
    first, now = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging()
    first.close()
    monkeypatch.setattr(sys, "stderr", now)
    logging.getLogger("gpact.test").info("after the switch")
    assert json.loads(now.getvalue())["message"] == "after the switch"


# --- bounded validation work -------------------------------------------------------------

@pytest.mark.parametrize(("text", "error", "needle"), [
    ("a:\n" + "".join(f"  k{i}: 1\n" for i in range(3000)), Invalid, "more than 2000 keys"),
    ("- " * 40 + "x", Invalid, "nested deeper than 32"),
    ("a: &x [1, 2]\nb: *x\n", Invalid, "aliases"),
    ("x" * (300 * 1024), TooLarge, "larger than 256 KiB"),
    ("a: [1, 2\n", Invalid, "invalid YAML"),
])
def test_profile_text_bounds(text: str, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        input_limits.check(text, "profile", input_limits.PROFILE)


def test_example_profiles_are_well_inside_the_bounds() -> None:
    input_limits.check(profile_text("frontier-400b"), "profile", input_limits.PROFILE)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(max_size=400))
def test_bounds_never_raise_anything_else(text: str) -> None:
    try:
        input_limits.check(text, "profile", input_limits.PROFILE)
    except (Invalid, TooLarge) as exc:
        assert exc.message.startswith("profile")


def test_many_unknown_keys_are_refused_before_the_loader(world: World) -> None:
    """40,000 unknown keys took the loader ~30 s of CPU; now one quick 422."""
    text = profile_text() + "".join(f"k{i}: 1\n" for i in range(40_000))
    r = world.client.post("/o/acme/validate", data={"profile": text})
    assert r.status_code in (303, 200)  # anonymous: sent to the login page
    r = world.client.post("/api/orgs/acme/models", json={"profile": text[:250_000]},
                          headers=world.auth("editor"))
    assert r.status_code == 422 and "more than 2000 keys" in r.text


def test_as_you_type_validation_is_bounded_for_viewers(sqlite_world: World) -> None:
    login(sqlite_world.client, "viewer@example.eu")
    csrf = page_csrf(sqlite_world)
    text = profile_text() + "".join(f"k{i}: 1\n" for i in range(5_000))
    r = sqlite_world.client.post("/o/acme/validate", data={"profile": text},
                                 headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert r.status_code == 200 and "more than 2000 keys" in r.text


def test_body_limits_per_route(world: World) -> None:
    big = "x" * (5 * 1024 * 1024)
    r = world.client.post("/api/orgs/acme/tokens", content=big, headers={
        **world.auth("admin"), "content-type": "application/json"})
    assert r.status_code == 413 and "4 MiB" in r.json()["detail"]
    assert app_module.body_limit("/api/orgs/acme/import", app_module.MAX_BODY_BYTES) \
        == app_module.MAX_BODY_BYTES
    assert app_module.body_limit("/o/acme/models/3/ledgers", app_module.MAX_BODY_BYTES) \
        == app_module.MAX_BODY_BYTES


def test_validation_gate_answers_429_when_full() -> None:
    anyio.run(_gate)


async def _gate() -> None:
    entered: list[str] = []

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        entered.append(scope["path"])

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    gate = app_module.ValidationGate(slow, at_once=0)
    scope = {"type": "http", "method": "POST", "path": "/o/acme/validate", "headers": []}
    await gate(scope, None, send)  # type: ignore[arg-type]
    assert not entered and sent[0]["status"] == 429
    await app_module.ValidationGate(slow, at_once=1)(scope, None, send)  # type: ignore[arg-type]
    assert entered == ["/o/acme/validate"]


# --- login limit and forwarded headers ---------------------------------------------------

def _client(db: Database, client: tuple[str, int], **kwargs: Any) -> Iterator[TestClient]:
    with TestClient(create_app(db, login_attempts=3, **kwargs), client=client) as c:
        yield c


def _fail_logins(client: TestClient, forwarded: list[str]) -> list[int]:
    statuses = []
    for address in forwarded:
        form = client.get("/login")
        r = client.post("/login", headers={"X-Forwarded-For": address}, data={
            "email": "viewer@example.eu", "password": "wrong password!",
            "csrf_token": csrf_of(form.text)})
        statuses.append(r.status_code)
    return statuses


def test_forwarded_for_from_an_untrusted_client_does_not_reset_the_limit(
        sqlite_db: Database) -> None:
    for c in _client(sqlite_db, ("203.0.113.9", 4000)):
        populate(sqlite_db, c)
        statuses = _fail_logins(c, [f"198.51.100.{i}" for i in range(6)])
    assert statuses == [401, 401, 401, 429, 429, 429]


def test_forwarded_for_from_a_configured_proxy_names_the_client(sqlite_db: Database) -> None:
    for c in _client(sqlite_db, ("10.0.0.2", 4000), forwarded_allow_ips="10.0.0.0/24"):
        populate(sqlite_db, c)
        # each client behind the proxy has its own count ...
        assert _fail_logins(c, ["198.51.100.1"] * 4) == [401, 401, 401, 429]
        assert _fail_logins(c, ["198.51.100.2"]) == [401]
        # ... and a client cannot forge its way past the proxy's own entry
        spoofed = [f"192.0.2.{i}, 198.51.100.1" for i in range(3)]
        assert _fail_logins(c, spoofed) == [429, 429, 429]
        ok = c.get("/login")
        r = c.post("/login", headers={"X-Forwarded-For": "198.51.100.3"}, data={
            "email": "viewer@example.eu", "password": PASSWORD,
            "csrf_token": csrf_of(ok.text)})
        assert r.status_code == 200


def test_serve_passes_the_trusted_proxies(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Any) -> None:
    import uvicorn

    from gpact.cli.main import main

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.setenv("GPACT_ADMIN_EMAIL", "admin@example.eu")
    monkeypatch.setenv("GPACT_ADMIN_PASSWORD", PASSWORD)
    assert main(["serve", "--db", str(tmp_path / "g.db"),
                 "--forwarded-allow-ips", "10.0.0.1"]) == 0
    assert seen["proxy_headers"] is False  # uvicorn's default would trust 127.0.0.1
    assert any(m.cls.__name__ == "ProxyHeadersMiddleware" for m in seen["app"].user_middleware)


# --- the web pages under random input ----------------------------------------------------

WEB_FORMS = [
    ("POST", "/o/acme/models/{id}/profile", ("profile", "version")),
    ("POST", "/o/acme/models/{id}/assess", ("as_of",)),
    ("POST", "/o/acme/models/{id}/record", ("record", "version")),
    ("POST", "/o/acme/models/{id}/documents", ("kind", "format")),
    ("POST", "/o/acme/members", ("email", "role")),
    ("POST", "/o/acme/tokens", ("name",)),
    ("POST", "/o/acme/validate", ("profile",)),
    ("GET", "/o/acme/?offset={value}", ()),
    ("GET", "/o/acme/audit?offset={value}", ()),
]
VALUES = st.one_of(st.text(max_size=60), st.integers(min_value=-2**70, max_value=2**70)
                   .map(str), st.sampled_from(["2025-02-30", "0000-01-01", "1990-01-01",
                                               "9999-12-31", "\x00", "a: [" * 50]))


def test_web_forms_never_answer_500(web_admin: World) -> None:
    mid = model_id(web_admin)
    csrf = page_csrf(web_admin)

    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(WEB_FORMS), st.lists(VALUES, min_size=2, max_size=2))
    def check(form: tuple[str, str, tuple[str, ...]], values: list[str]) -> None:
        method, path, fields = form
        data = {name: value for name, value in zip(fields, values, strict=False)}
        url = path.format(id=mid, value=quote(values[0]))
        r = web_admin.client.request(method, url, data={**data, "csrf_token": csrf}
                                     if method == "POST" else None,
                                     headers={"X-CSRF-Token": csrf})
        assert r.status_code < 500, (method, url, data, r.text[:300])

    check()
