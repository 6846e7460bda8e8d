"""Passwords, caching of private answers, HSTS, and an import that verifies what it imports."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gpact.api.app import create_app
from gpact.services import accounts, passwords
from gpact.services.server_errors import Invalid
from gpact.store import Database
from tests.server.conftest import World, profile_text
from tests.server.test_web import login

# --- passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "problem"), [
    ("short", "at least 10"),
    ("password1234", "most common"),
    ("  QWERTYUIOP ", "most common"),  # case and surrounding spaces do not help
    ("1q2w3e4r5t6y", "most common"),
    ("x" * 1025, "at most 1024"),
    ("aaaaaaaaaaaaaaaa", "different characters"),
    ("ana.lopez@example.eu", "e-mail"),
])
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    found = passwords.problems(password, "ana.lopez@example.eu")
    assert found and problem in found[0]


def test_the_shipped_list_is_the_one_documented() -> None:
    common = passwords.common_passwords()
    assert len(common) == 19_640 and "123456" in common
    assert not passwords.problems("correct horse battery staple")


def test_accounts_refuse_a_common_password(db: Database) -> None:
    with pytest.raises(Invalid, match="most common"), db.write() as s:
        accounts.create_user(s, "new@example.eu", "iloveyou12", "test")


# --- caching and transport ---------------------------------------------------------------

def test_authenticated_answers_are_not_stored(world: World) -> None:
    r = world.client.get("/api/orgs/acme/models", headers=world.auth("viewer"))
    assert r.headers["cache-control"] == "no-store"
    r = world.client.post("/api/orgs/acme/tokens", headers=world.auth("viewer"),
                          json={"name": "secret", "scopes": ["read"]})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    assert "cache-control" not in world.client.get("/api/health").headers
    assert "strict-transport-security" not in world.client.get("/api/health").headers


def test_pages_with_secrets_are_not_stored(sqlite_world: World) -> None:
    assert sqlite_world.client.get("/login").headers["cache-control"] == "no-store"
    login(sqlite_world.client, "admin@example.eu")
    for path in ("/o/acme/", "/o/acme/settings"):
        assert sqlite_world.client.get(path).headers["cache-control"] == "no-store", path


def test_hsts_with_secure_cookies(sqlite_db: Database) -> None:
    with TestClient(create_app(sqlite_db, secure_cookies=True)) as client:
        r = client.get("/api/health")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


# --- import ------------------------------------------------------------------------------

def _export(world: World) -> dict[str, Any]:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("editor"))
    model = r.json()["id"]
    world.client.post(f"/api/orgs/acme/models/{model}/documents", json={},
                      headers=world.auth("editor"))
    ledger = b"run_id,phase,timestamp,flop\nr1,pretraining,2026-01-01T00:00:00Z,1e24\n"
    world.client.post(f"/api/orgs/acme/models/{model}/ledgers", headers=world.auth("editor"),
                      files={"file": ("run.csv", ledger, "text/csv")})
    data: dict[str, Any] = world.client.get("/api/orgs/acme/export",
                                            headers=world.auth("admin")).json()
    data["authors"] = {"editor@example.eu": "rival@example.eu"}
    return data


def _import(world: World, data: dict[str, Any]) -> Any:
    return world.client.post("/api/orgs/rival/import", json=data, headers=world.auth("rival"))


def _set_file(entry: dict[str, Any], content: bytes, name: str | None = None) -> None:
    entry["content_base64"] = base64.b64encode(content).decode()
    entry["sha256"] = hashlib.sha256(content).hexdigest()
    if name is not None:
        entry["filename"] = name


TAMPERED = {
    "profile text changed": lambda m: m["profiles"][0].update(text="gpact: 1\n"),
    "record hash": lambda m: m["records"].append({"number": 1, "text": "gpact_record: 1\n",
                                                  "sha256": "0" * 64, "created_by": "x",
                                                  "created_at": "2026-01-01T00:00:00Z"}),
    "document bytes": lambda m: m["documents"][0].update(content_base64="aGVsbG8="),
    "document kind": lambda m: m["documents"][0].update(kind="../../evil"),
    "assessment index": lambda m: m["documents"][0].update(assessment=99),
    "profile number": lambda m: m["assessments"][0].update(profile=7),
    "version overflow": lambda m: m.update(version=2**64),
    "impossible date": lambda m: m.update(created_at="2025-02-30T00:00:00"),
    "name with newline": lambda m: m.update(name="a\r\nb"),
    "not base64": lambda m: m["ledgers"][0].update(content_base64="***"),
    "bad ledger": lambda m: _set_file(m["ledgers"][0], b"no,header\n1,2\n"),
}


@pytest.mark.parametrize("change", list(TAMPERED), ids=list(TAMPERED))
def test_import_refuses_what_does_not_verify(world: World, change: str) -> None:
    data = _export(world)
    TAMPERED[change](data["models"][0])
    r = _import(world, data)
    assert r.status_code == 422, r.text
    assert world.client.get("/api/orgs/rival/models",
                            headers=world.auth("rival")).json()["total"] == 0


def test_import_maps_authors_or_refuses(world: World) -> None:
    data = _export(world)
    unmapped = copy.deepcopy(data)
    del unmapped["authors"]
    r = _import(world, unmapped)
    assert r.status_code == 422 and "editor@example.eu" in r.text  # not a member of rival
    assert _import(world, data).status_code == 201
    profiles = world.client.get("/api/orgs/rival/models/"
                                f"{_rival_model(world)}/profiles",
                                headers=world.auth("rival")).json()
    assert profiles[0]["created_by"] == "rival@example.eu (imported; was editor@example.eu)"


def _rival_model(world: World) -> int:
    page = world.client.get("/api/orgs/rival/models", headers=world.auth("rival")).json()
    return int(page["items"][0]["id"])


def test_import_sanitises_file_names_and_recomputes_ledgers(world: World) -> None:
    data = _export(world)
    model = data["models"][0]
    model["documents"][0]["filename"] = 'x"\r\nSet-Cookie: a=b; ../../report.md'
    model["ledgers"][0]["total_flop"] = 1e30  # a claim; the content says 1e24
    model["ledgers"][0]["filename"] = "../../run.csv"
    assert _import(world, data).status_code == 201, _import(world, data).text
    mid = _rival_model(world)
    docs = world.client.get(f"/api/orgs/rival/models/{mid}/documents",
                            headers=world.auth("rival")).json()
    assert "\r" not in docs[0]["filename"] and "/" not in docs[0]["filename"]
    r = world.client.get(f"/api/orgs/rival/documents/{docs[0]['id']}",
                         headers=world.auth("rival"))
    assert r.status_code == 200 and "set-cookie" not in r.headers
    ledgers = world.client.get(f"/api/orgs/rival/models/{mid}/ledgers",
                               headers=world.auth("rival")).json()
    assert ledgers[0]["total_flop"] == 1e24 and ledgers[0]["filename"] == "run.csv"
