"""Adding someone to an organisation is an invitation: no user enumeration across tenants."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.server.conftest import PASSWORD, World
from tests.server.test_web import csrf_of, login


def invite(world: World, email: str, who: str = "admin", org: str = "acme",
           role: str = "editor") -> Any:
    return world.client.put(f"/api/orgs/{org}/members", headers=world.auth(who),
                            json={"email": email, "role": role})


def _shape(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: (type(v).__name__) for k, v in answer.items() if k != "email"}


def test_the_answer_does_not_tell_whether_an_account_exists(world: World) -> None:
    """rival@example.eu has an account (in rival); nobody@example.eu has none."""
    known, unknown = invite(world, "rival@example.eu"), invite(world, "nobody@example.eu")
    assert known.status_code == unknown.status_code == 200
    assert known.json()["status"] == unknown.json()["status"] == "invited"
    assert _shape(known.json()) == _shape(unknown.json())
    members = {m["email"] for m in world.client.get("/api/orgs/acme/members",
                                                    headers=world.auth("admin")).json()}
    assert "rival@example.eu" not in members  # not a member until accepted


def test_an_existing_account_accepts_with_its_own_token(world: World) -> None:
    secret = invite(world, "rival@example.eu", role="viewer").json()["invitation"]
    r = world.client.post("/api/invitations/accept", json={"invitation": secret},
                          headers=world.auth("admin"))  # someone else's token
    assert r.status_code == 403
    r = world.client.post("/api/invitations/accept", json={"invitation": secret},
                          headers=world.auth("rival"))
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    members = {m["email"]: m["role"] for m in world.client.get(
        "/api/orgs/acme/members", headers=world.auth("admin")).json()}
    assert members["rival@example.eu"] == "viewer"
    again = world.client.post("/api/invitations/accept", json={"invitation": secret},
                              headers=world.auth("rival"))
    assert again.status_code == 404  # used once


def test_a_new_address_creates_its_account_from_the_link(sqlite_world: World) -> None:
    secret = invite(sqlite_world, "new@example.eu").json()["invitation"]
    with TestClient(sqlite_world.client.app) as browser:
        page = browser.get(f"/invite/{secret}")
        assert page.status_code == 200 and "Join Acme AI" in page.text
        assert page.headers["cache-control"] == "no-store"
        r = browser.post(f"/invite/{secret}", data={"csrf_token": csrf_of(page.text),
                                                     "password": "password123"})
        assert r.status_code == 422 and "most common" in r.text
        r = browser.post(f"/invite/{secret}", data={"csrf_token": csrf_of(page.text),
                                                     "password": PASSWORD})
        assert r.status_code == 200 and r.url.path == "/o/acme/"  # logged in, a member
    assert login(TestClient(sqlite_world.client.app), "new@example.eu")[0] == 200


def test_a_logged_in_user_accepts_in_the_browser(sqlite_world: World) -> None:
    secret = invite(sqlite_world, "rival@example.eu").json()["invitation"]
    with TestClient(sqlite_world.client.app) as browser:
        login(browser, "rival@example.eu")
        page = browser.get(f"/invite/{secret}")
        assert "logged in as rival@example.eu" in page.text
        r = browser.post(f"/invite/{secret}", data={"csrf_token": csrf_of(page.text)})
        assert r.status_code == 200 and r.url.path == "/o/acme/"


def test_an_address_with_an_account_cannot_be_taken_over_by_the_link(
        sqlite_world: World) -> None:
    secret = invite(sqlite_world, "rival@example.eu").json()["invitation"]
    with TestClient(sqlite_world.client.app) as browser:  # not logged in: sets a password?
        page = browser.get(f"/invite/{secret}")
        r = browser.post(f"/invite/{secret}", data={"csrf_token": csrf_of(page.text),
                                                     "password": "another long secret"})
        assert r.status_code == 409 and "log in" in r.text
    assert login(TestClient(sqlite_world.client.app), "rival@example.eu",
                 "another long secret")[0] == 401  # the old password still holds


def test_role_changes_of_members_stay_direct_and_last_admin_is_kept(world: World) -> None:
    r = invite(world, "editor@example.eu", role="viewer")
    assert r.json() == {"email": "editor@example.eu", "role": "viewer", "status": "member",
                        "invitation": None, "expires_at": None}
    assert invite(world, "admin@example.eu", role="viewer").status_code == 409


def test_unknown_or_forged_invitations(world: World) -> None:
    assert world.client.get("/invite/not-a-real-secret-at-all").status_code == 404
    r = world.client.post("/api/invitations/accept", json={"invitation": "x" * 40},
                          headers=world.auth("rival"))
    assert r.status_code == 404
    assert invite(world, "x@example.eu", who="editor").status_code == 403
