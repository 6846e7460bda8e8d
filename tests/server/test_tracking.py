"""Obligation tracking over the API, on SQLite and PostgreSQL: states, evidence, four-eyes
sign-off, reopening on a changed assessment, the portfolio, and bad input leaving no trace."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import func, select

from gpact.services import accounts
from gpact.store import audit
from gpact.store.models import Assessment, AuditEvent, Evidence, Organisation
from tests.server.conftest import PASSWORD, World, profile_text

TD = "technical_documentation"


def create(world: World) -> int:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def url(model_id: int, obligation: str = TD, tail: str = "") -> str:
    return f"/api/orgs/acme/models/{model_id}/obligations/{obligation}{tail}"


def track(world: World, model_id: int, obligation: str = TD) -> dict[str, Any]:
    r = world.client.get(url(model_id, obligation), headers=world.auth("viewer"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def events(world: World) -> int:
    with world.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def add_file(world: World, model_id: int, obligation: str = TD, who: str = "editor",
             name: str = "policy.md", content: bytes = b"# Policy\n") -> Any:
    return world.client.post(url(model_id, obligation, "/evidence/files"),
                             files={"file": (name, content, "application/octet-stream")},
                             data={"note": "signed PDF in the DMS"}, headers=world.auth(who))


def patch(world: World, model_id: int, who: str = "editor", obligation: str = TD,
          **body: Any) -> Any:
    return world.client.patch(url(model_id, obligation), json=body, headers=world.auth(who))


def test_assessment_creates_tracks_with_names_and_due_dates(world: World) -> None:
    model_id = create(world)
    rows = world.client.get(f"/api/orgs/acme/models/{model_id}/obligations",
                            headers=world.auth("viewer")).json()
    assert {r["obligation"] for r in rows} == {TD, "downstream_information",
                                               "copyright_policy", "training_content_summary"}
    first = next(r for r in rows if r["obligation"] == TD)
    assert first["state"] == "open" and first["due"] == "2025-09-15"
    assert first["label"].startswith("Technical documentation (Annex XI)")
    assert first["label"].endswith("(Art. 53(1)(a), Annex XI)")
    assert first["bucket"] == "overdue"
    summary = next(r for r in rows if r["obligation"] == "training_content_summary")
    assert summary["must_be_published"] is True


def test_met_needs_evidence_and_a_second_member_who_reviews(world: World) -> None:
    model_id = create(world)
    before = events(world)
    r = patch(world, model_id, state="met", version=1)
    assert r.status_code == 422 and r.json()["problems"][0].startswith("evidence:")
    assert track(world, model_id)["version"] == 1 and events(world) == before

    assert add_file(world, model_id).status_code == 201
    r = patch(world, model_id, state="met", version=1, owner="editor@example.eu")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"] == "open" and body["sign_off_requested_by"] == "editor@example.eu"
    assert body["owner"] == "editor@example.eu" and body["version"] == 2
    # the editor who asked has no reviewer role; the admin is a reviewer
    r = world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                          headers=world.auth("editor"))
    assert r.status_code == 403 and "reviewer" in r.json()["detail"]
    r = world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                          headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "met" and r.json()["signed_off_by"] == "admin@example.eu"
    assert r.json()["bucket"] == "met"


def test_the_member_who_asked_cannot_sign_off(world: World) -> None:
    model_id = create(world)
    add_file(world, model_id)
    assert patch(world, model_id, who="admin", state="met", version=1).status_code == 200
    before = events(world)
    r = world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                          headers=world.auth("admin"))
    assert r.status_code == 403 and "four eyes" in r.json()["detail"]
    assert track(world, model_id)["state"] == "open" and events(world) == before
    with world.db.write() as s:  # a second reviewer signs
        user = accounts.create_user(s, "reviewer@example.eu", PASSWORD, "test")
        org = s.scalar(select(Organisation).where(Organisation.slug == "acme"))
        assert org is not None
        accounts.set_role(s, org, user, "reviewer", "test")
        actor = accounts.actor_for(s, user, "acme")
        token, _ = accounts.create_token(s, actor, "t", ["read", "write"])
    r = world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                          headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["state"] == "met"


def test_sign_off_without_a_request_and_stale_versions(world: World) -> None:
    model_id = create(world)
    r = world.client.post(url(model_id, tail="/sign-off"), json={"version": 1},
                          headers=world.auth("admin"))
    assert r.status_code == 422 and r.json()["problems"][0].startswith("state:")
    assert patch(world, model_id, state="in_progress", version=1).status_code == 200
    before = events(world)
    r = patch(world, model_id, notes="late edit", version=1)
    assert r.status_code == 409 and "version" in r.json()["detail"]
    assert track(world, model_id)["notes"] == "" and events(world) == before
    r = world.client.patch(url(model_id), json={"notes": "x"}, headers=world.auth("editor"))
    assert r.status_code == 428
    r = world.client.patch(url(model_id), json={"notes": "x"},
                           headers={**world.auth("editor"), "If-Match": '"2"'})
    assert r.status_code == 200 and r.json()["notes"] == "x"


@pytest.mark.parametrize(("body", "problem"), [
    ({"state": "not_applicable"}, "justification:"),
    ({"state": "not_applicable", "justification": "n/a"}, "justification:"),
    ({"owner": "stranger@example.eu"}, "owner:"),
    ({"owner": "rival@example.eu"}, "owner:"),
])
def test_bad_changes_name_the_field_and_change_nothing(world: World, body: dict[str, Any],
                                                       problem: str) -> None:
    model_id = create(world)
    before = events(world)
    r = patch(world, model_id, version=1, **body)
    assert r.status_code == 422 and r.json()["problems"][0].startswith(problem), r.text
    assert track(world, model_id)["version"] == 1 and events(world) == before


def test_not_applicable_with_a_justification(world: World) -> None:
    model_id = create(world)
    r = patch(world, model_id, version=1, state="not_applicable",
              justification="The model is only used internally; see legal memo 2026-04.")
    assert r.status_code == 200 and r.json()["state"] == "not_applicable"
    assert r.json()["bucket"] == "not_applicable"


def test_the_training_summary_must_be_published_before_it_is_met(world: World) -> None:
    model_id = create(world)
    ob = "training_content_summary"
    doc = world.client.post(f"/api/orgs/acme/models/{model_id}/documents",
                            json={"kind": "training-summary"}, headers=world.auth("editor"))
    assert doc.status_code == 201
    r = world.client.post(url(model_id, ob, "/evidence"), headers=world.auth("editor"),
                          json={"kind": "document", "document_id": doc.json()["id"]})
    assert r.status_code == 201 and r.json()["sha256"] == doc.json()["sha256"]
    r = patch(world, model_id, obligation=ob, state="met", version=1)
    assert r.status_code == 422 and "must be published" in r.json()["problems"][0]
    for bad, field in (({"url": "ftp://x", "published_on": "2026-01-01"}, "url:"),
                       ({"url": "https://example.eu/s", "published_on": "2999-01-01"},
                        "published_on:"),
                       ({"url": "https://example.eu/s"}, "url, published_on")):
        r = world.client.post(url(model_id, ob, "/evidence"), headers=world.auth("editor"),
                              json={"kind": "publication", **bad})
        assert r.status_code == 422 and r.json()["problems"][0].startswith(field), r.text
    r = world.client.post(url(model_id, ob, "/evidence"), headers=world.auth("editor"), json={
        "kind": "publication", "url": "https://example.eu/training-summary",
        "published_on": "2025-09-15"})
    assert r.status_code == 201
    assert patch(world, model_id, obligation=ob, state="met", version=1).status_code == 200


def test_evidence_of_another_model_or_organisation_is_refused(world: World) -> None:
    model_id = create(world)
    rival = world.client.post("/api/orgs/rival/models", json={"profile": profile_text()},
                              headers=world.auth("rival")).json()
    doc = world.client.post(f"/api/orgs/rival/models/{rival['id']}/documents", json={},
                            headers=world.auth("rival")).json()
    r = world.client.post(url(model_id, tail="/evidence"), headers=world.auth("editor"),
                          json={"kind": "document", "document_id": doc["id"]})
    assert r.status_code == 422 and r.json()["problems"][0].startswith("document_id:")
    ev = add_file(world, model_id).json()
    r = world.client.get(f"/api/orgs/rival/evidence/{ev['id']}", headers=world.auth("rival"))
    assert r.status_code == 404
    r = world.client.get(f"/api/orgs/acme/evidence/{ev['id']}", headers=world.auth("viewer"))
    assert r.status_code == 200 and r.content == b"# Policy\n"
    assert r.headers["ETag"] == f'"{ev["sha256"]}"'
    assert ev["size"] == 9 and ev["created_by"].startswith("editor@example.eu")


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "x")
    return buf.getvalue()


@pytest.mark.parametrize(("name", "content", "status", "problem"), [
    ("report.pdf", b"just text", 422, "is not a PDF file"),
    ("scan.png", b"%PDF-1.7", 422, "is not a PNG file"),
    ("data.json", b"{nope", 422, "is not JSON"),
    ("notes.md", b"\xff\xfe\x00bad", 422, "is not UTF-8 text"),
    ("tool.exe", b"MZ", 422, "is not accepted"),
    ("empty.txt", b"", 422, "is empty"),
    ("pack.zip", _zip(["ok.txt", "../../etc/cron.d/evil"]), 422, "points outside the archive"),
    ("pack.zip", _zip(["/abs/path.txt"]), 422, "points outside the archive"),
    ("pack.zip", b"PK\x03\x04broken", 422, "not a readable zip"),
    ("big.txt", b"a" * (10 * 1024 * 1024 + 1), 413, "larger than 10 MiB"),
])
def test_bad_evidence_files_are_refused_and_not_stored(world: World, name: str, content: bytes,
                                                       status: int, problem: str) -> None:
    model_id = create(world)
    before = events(world)
    r = add_file(world, model_id, name=name, content=content)
    assert r.status_code == status, r.text
    body = r.json()
    assert problem in (body["problems"][0] if body["problems"] else body["detail"])
    assert (body["problems"] or [body["detail"]])[0].startswith("file:") or status == 413
    with world.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 0
    assert events(world) == before


def test_a_changed_assessment_reopens_a_met_obligation_with_the_reason(world: World) -> None:
    model_id = create(world)
    add_file(world, model_id)
    patch(world, model_id, state="met", version=1)
    world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                      headers=world.auth("admin"))
    assert track(world, model_id)["state"] == "met"
    # the same assessment again changes nothing
    world.client.post(f"/api/orgs/acme/models/{model_id}/assessments", json={},
                      headers=world.auth("editor"))
    assert track(world, model_id)["state"] == "met"
    changed = profile_text().replace("placed_on_market_on: 2025-09-15",
                                     "placed_on_market_on: 2025-10-01")
    r = world.client.put(f"/api/orgs/acme/models/{model_id}/profile",
                         json={"profile": changed, "version": 1}, headers=world.auth("editor"))
    assert r.status_code == 200, r.text
    t = track(world, model_id)
    assert t["state"] == "open" and t["signed_off_by"] is None
    assert "due date 2025-09-15 → 2025-10-01" in t["reopened_reason"]
    log = world.client.get("/api/orgs/acme/audit", headers=world.auth("viewer")).json()
    reopen = next(e for e in log if e["action"] == "obligation.reopen")
    assert reopen["detail"]["obligation"] == TD and "2025-10-01" in reopen["detail"]["reason"]
    actions = [e["action"] for e in log]
    for action in ("evidence.add", "obligation.request_met", "obligation.sign_off"):
        assert action in actions
    with world.db.read() as s:
        assert audit.verify(s).ok


def test_reassess_outdated_only_touches_models_of_an_older_rulebook(world: World) -> None:
    model_id = create(world)
    r = world.client.post("/api/orgs/acme/reassess-outdated", json={},
                          headers=world.auth("editor"))
    assert r.status_code == 200 and r.json() == {"reassessed": []}
    with world.db.write() as s:
        for a in s.scalars(select(Assessment)):
            a.rulebook_version = "2000.1.1"
    r = world.client.post("/api/orgs/acme/reassess-outdated", json={},
                          headers=world.auth("editor"))
    assert r.json() == {"reassessed": [model_id]}
    assert world.client.post("/api/orgs/acme/reassess-outdated", json={},
                             headers=world.auth("viewer")).status_code == 403


def test_tracking_portfolio_counts_filters_and_pages(world: World) -> None:
    model_id = create(world)
    add_file(world, model_id)
    patch(world, model_id, state="met", version=1)
    world.client.post(url(model_id, tail="/sign-off"), json={"version": 2},
                      headers=world.auth("admin"))
    r = world.client.get("/api/orgs/acme/tracking", headers=world.auth("viewer"))
    body = r.json()
    assert body["counts"]["met"] == 1 and body["counts"]["overdue"] == 3
    assert body["total"] == 4
    assert body["models"][0]["met"] == 1 and body["models"][0]["overdue"] == 3
    assert body["models"][0]["next_obligation"] != TD  # met obligations are never next due
    r = world.client.get("/api/orgs/acme/tracking?bucket=met", headers=world.auth("viewer"))
    assert [i["obligation"] for i in r.json()["items"]] == [TD]
    r = world.client.get("/api/orgs/acme/tracking?limit=2&offset=2",
                         headers=world.auth("viewer"))
    assert r.json()["total"] == 4 and len(r.json()["items"]) == 2
    assert world.client.get("/api/orgs/acme/tracking?bucket=nope",
                            headers=world.auth("viewer")).status_code == 422
    assert world.client.get("/api/orgs/rival/tracking",
                            headers=world.auth("rival")).json()["total"] == 0


def test_viewers_cannot_change_or_add(world: World) -> None:
    model_id = create(world)
    assert patch(world, model_id, who="viewer", state="in_progress", version=1
                 ).status_code == 403
    assert add_file(world, model_id, who="viewer").status_code == 403
