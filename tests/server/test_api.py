"""REST API: every route's authorisation, lost-update protection, bad input, and the features."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import text

from gpact.services import server_documents
from gpact.store import audit
from tests.server.conftest import World, profile_text
from tests.server.workspace_fixtures import WORKSPACE_BODIES, workspace_ids

EXAMPLES = Path(__file__).parents[2] / "examples"

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/orgs/{org}/models"): {"json": {"profile": profile_text("frontier-400b")}},
    ("PUT", "/api/orgs/{org}/models/{model_id}/profile"): {
        "json": {"profile": profile_text(), "version": 1}},
    ("POST", "/api/orgs/{org}/models/{model_id}/assessments"): {"json": {}},
    ("PUT", "/api/orgs/{org}/models/{model_id}/record"): {
        "json": {"record": "gpact_record: 1\n", "version": 1}},
    ("POST", "/api/orgs/{org}/models/{model_id}/ledgers"): {
        "files": {"file": ("run.csv", b"run_id,phase,timestamp,seconds,flop\nr1,pretraining,"
                                      b"2026-01-01T00:00:00Z,3600,1e24\n", "text/csv")}},
    ("POST", "/api/orgs/{org}/models/{model_id}/documents"): {"json": {"format": "md"}},
    ("POST", "/api/orgs/{org}/import"): {"json": {"format": "gpact-organisation/1",
                                                   "models": []}},
    ("POST", "/api/orgs/{org}/tokens"): {"json": {"name": "x", "scopes": ["read"]}},
    ("DELETE", "/api/orgs/{org}/models/{model_id}"): {"params": {"version": 1}},
    ("PUT", "/api/orgs/{org}/members"): {"json": {"email": "viewer@example.eu",
                                                   "role": "viewer"}},
    **WORKSPACE_BODIES,
}


def create(world: World, who: str = "editor", name: str = "example-70b") -> dict[str, Any]:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text(name)},
                          headers=world.auth(who))
    assert r.status_code == 201, r.text
    return dict(r.json())


def acme_ids(world: World) -> dict[str, Any]:
    model = create(world)
    doc = world.client.post(f"/api/orgs/acme/models/{model['id']}/documents", json={},
                            headers=world.auth("editor")).json()
    token = world.client.get("/api/orgs/acme/tokens", headers=world.auth("admin")).json()[0]
    return {"org": "acme", "model_id": model["id"], "doc_id": doc["id"],
            "token_id": token["id"], "number": 1, **workspace_ids(world, model["id"])}


def api_routes(world: World) -> list[tuple[str, str]]:
    """Every organisation route, read from the published OpenAPI document."""
    spec = world.client.get("/api/openapi.json").json()
    return sorted((method.upper(), path) for path, ops in spec["paths"].items()
                  if path.startswith("/api/orgs") for method in ops)


def test_every_body_route_has_a_sample(world: World) -> None:
    needs_body = {(m, p) for m, p in api_routes(world) if m in ("POST", "PUT", "PATCH")}
    assert needs_body == {k for k in BODIES if k[0] != "DELETE"}, "add new routes to BODIES"


def test_anonymous_requests_get_401_on_every_route(world: World) -> None:
    ids = acme_ids(world)
    for method, path in api_routes(world):
        r = world.client.request(method, path.format(**ids), **BODIES.get((method, path), {}))
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["WWW-Authenticate"] == "Bearer"


def test_no_route_reaches_another_organisations_data(world: World) -> None:
    """Rival's admin token, against acme's paths and (via its own org) acme's object ids."""
    ids = acme_ids(world)
    before = world.client.get("/api/orgs/acme/export", headers=world.auth("admin")).json()
    for method, path in api_routes(world):
        kwargs = BODIES.get((method, path), {})
        r = world.client.request(method, path.format(**ids), headers=world.auth("rival"),
                                 **kwargs)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        if any(f"{{{key}}}" in path for key in ("model_id", "doc_id", "token_id",
                                                 "evidence_id")):
            own = path.format(**{**ids, "org": "rival"})
            r = world.client.request(method, own, headers=world.auth("rival"), **kwargs)
            assert r.status_code == 404, (method, own, r.status_code, r.text)
    after = world.client.get("/api/orgs/acme/export", headers=world.auth("admin")).json()
    assert before["models"] == after["models"]
    assert world.client.get("/api/orgs/acme/tokens",
                            headers=world.auth("admin")).json()[0]["revoked_at"] is None


@pytest.mark.parametrize(("who", "method", "path", "expected"), [
    ("viewer", "POST", "/api/orgs/acme/models", 403),
    ("viewer", "PUT", "/api/orgs/acme/models/{model_id}/profile", 403),
    ("viewer", "POST", "/api/orgs/acme/models/{model_id}/documents", 403),
    ("viewer", "POST", "/api/orgs/acme/models/{model_id}/assessments", 403),
    ("viewer", "POST", "/api/orgs/acme/models/{model_id}/ledgers", 403),
    ("editor", "DELETE", "/api/orgs/acme/models/{model_id}?version=1", 403),
    ("editor", "GET", "/api/orgs/acme/export", 403),
    ("editor", "PUT", "/api/orgs/acme/members", 403),
    ("viewer", "GET", "/api/orgs/acme/models/{model_id}", 200),
    ("viewer", "GET", "/api/orgs/acme/deadlines", 200),
    ("admin", "DELETE", "/api/orgs/acme/models/{model_id}?version=1", 204),
])
def test_roles(world: World, who: str, method: str, path: str, expected: int) -> None:
    model = create(world)
    key = (method, re.sub(r"\?.*", "", path).replace("/acme/", "/{org}/"))
    r = world.client.request(method, path.format(model_id=model["id"]),
                             headers=world.auth(who), **BODIES.get(key, {}))
    assert r.status_code == expected, r.text


def test_read_only_token_cannot_write_and_revoked_token_is_refused(world: World) -> None:
    r = world.client.post("/api/orgs/acme/tokens", json={"name": "ci", "scopes": ["read"]},
                          headers=world.auth("editor"))
    assert r.status_code == 201
    token = r.json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert world.client.get("/api/orgs/acme/models", headers=headers).status_code == 200
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=headers)
    assert r.status_code == 403
    assert world.client.post("/api/orgs/acme/tokens", json={"name": "up", "scopes": ["write"]},
                             headers=headers).status_code == 403
    assert world.client.delete(f"/api/orgs/acme/tokens/{token['id']}",
                               headers=world.auth("editor")).status_code == 204
    assert world.client.get("/api/orgs/acme/models", headers=headers).status_code == 401
    assert world.client.get("/api/me", headers={"Authorization": "Bearer gpact_x_y"}
                            ).status_code == 401


def test_create_assess_update_with_lost_update_protection(world: World) -> None:
    model = create(world)
    assert model["version"] == 1 and model["summary"]["gpai"] is True
    url = f"/api/orgs/acme/models/{model['id']}"
    r = world.client.get(url, headers=world.auth("viewer"))
    assert r.headers["ETag"] == '"1"'
    edited = profile_text().replace("8.0e24", "2.0e25")
    r = world.client.put(url + "/profile", json={"profile": edited},
                         headers={**world.auth("editor"), "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    assert r.json()["summary"]["systemic_risk"] is True
    stale = world.client.put(url + "/profile", json={"profile": profile_text(), "version": 1},
                             headers=world.auth("admin"))
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    missing = world.client.put(url + "/profile", json={"profile": profile_text()},
                               headers=world.auth("admin"))
    assert missing.status_code == 428
    versions = world.client.get(url + "/profiles", headers=world.auth("viewer")).json()
    assert [v["number"] for v in versions] == [1, 2]
    first = world.client.get(url + "/profiles/1", headers=world.auth("viewer")).json()
    assert first["text"] == profile_text()
    latest = world.client.get(url + "/assessments/latest", headers=world.auth("viewer")).json()
    assert latest["profile_version"] == 2 and latest["rulebook_version"]
    assert latest["result"]["systemic_risk"]["reasons"][0]["source"]
    history = world.client.get(url + "/assessments", headers=world.auth("viewer")).json()
    assert len(history) == 2


def test_duplicate_model_name_conflicts_but_versions_are_separate(world: World) -> None:
    create(world)
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("editor"))
    assert r.status_code == 409 and "Example-70B 1.0" in r.json()["detail"]
    r = world.client.post("/api/orgs/acme/models", headers=world.auth("editor"), json={
        "profile": profile_text().replace('version: "1.0"', 'version: "2.0"')})
    assert r.status_code == 201 and r.json()["name"] == "Example-70B 2.0"


def test_invalid_profile_gets_field_level_422(world: World) -> None:
    bad = profile_text().replace("training_compute_flop: 8.0e24", "training_compute_flop: lots"
                                 ).replace("  sme: false\n", "  smee: false\n")
    r = world.client.post("/api/orgs/acme/models", json={"profile": bad},
                          headers=world.auth("editor"))
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(p.startswith("model.training_compute_flop") for p in problems), problems
    assert any("provider.smee" in p and "did you mean 'sme'" in p for p in problems), problems
    r = world.client.post("/api/orgs/acme/models", json={"profile": "gpact: [unclosed"},
                          headers=world.auth("editor"))
    assert r.status_code == 422 and "invalid YAML" in r.json()["problems"][0]
    r = world.client.post("/api/orgs/acme/models", json={"profil": "x"},
                          headers=world.auth("editor"))
    assert r.status_code == 422 and any("profile" in p for p in r.json()["problems"])


def test_wrong_content_type_and_oversized_bodies(world: World) -> None:
    r = world.client.post("/api/orgs/acme/models", content=profile_text(),
                          headers={**world.auth("editor"), "Content-Type": "text/yaml"})
    assert r.status_code == 415
    model = create(world)
    big = b"run_id,phase,timestamp,seconds,flop\n" + b"r,pretraining,2026-01-01,1,1\n" * 400_000
    r = world.client.post(f"/api/orgs/acme/models/{model['id']}/ledgers",
                          files={"file": ("big.csv", big, "text/csv")},
                          headers=world.auth("editor"))
    assert r.status_code == 413
    r = world.client.post("/api/orgs/acme/models", headers=world.auth("editor"),
                          json={"profile": "x" * 300_000})
    assert r.status_code in (413, 422)


def test_pagination(world: World) -> None:
    base = profile_text()
    for i in range(5):
        r = world.client.post("/api/orgs/acme/models", headers=world.auth("editor"), json={
            "profile": base.replace("Example-70B", f"Model-{i}")})
        assert r.status_code == 201
    page = world.client.get("/api/orgs/acme/models?limit=2&offset=3",
                            headers=world.auth("viewer")).json()
    assert page["total"] == 5
    assert [m["name"] for m in page["items"]] == ["Model-3 1.0", "Model-4 1.0"]
    assert world.client.get("/api/orgs/acme/models?limit=0",
                            headers=world.auth("viewer")).status_code == 422


def test_deadlines_obligations_and_calendar(world: World) -> None:
    create(world)
    create(world, name="frontier-400b")
    rows = world.client.get("/api/orgs/acme/deadlines", headers=world.auth("viewer")).json()
    assert rows == sorted(rows, key=lambda d: d["due"])
    assert {"Example-70B 1.0", "Frontier-400B 2"} == {d["model"] for d in rows}
    notification = [d for d in rows if d["obligation"] == "notification"]
    assert notification and notification[0]["model"] == "Frontier-400B 2"
    obligations = world.client.get("/api/orgs/acme/obligations",
                                   headers=world.auth("viewer")).json()
    assert {o["status"] for o in obligations} >= {"applies", "not_applicable"}
    feed = world.client.get(f"/api/orgs/acme/calendar.ics?token={world.tokens['viewer']}")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == len(rows)
    assert world.client.get("/api/orgs/acme/calendar.ics?token=nope").status_code == 401


def test_documents_are_content_hashed_and_downloadable(world: World) -> None:
    model = create(world)
    for fmt in ("md", "json"):
        r = world.client.post(f"/api/orgs/acme/models/{model['id']}/documents",
                              json={"kind": "assessment_report", "format": fmt},
                              headers=world.auth("editor"))
        assert r.status_code == 201, r.text
        doc = r.json()
        got = world.client.get(f"/api/orgs/acme/documents/{doc['id']}",
                               headers=world.auth("viewer"))
        assert hashlib.sha256(got.content).hexdigest() == doc["sha256"]
        assert got.headers["ETag"] == f'"{doc["sha256"]}"'
        assert "attachment" in got.headers["Content-Disposition"]
        assert "not legal advice" in got.text
        assert 0 < doc["completeness"]["percent"] <= 100
    listed = world.client.get(f"/api/orgs/acme/models/{model['id']}/documents",
                              headers=world.auth("viewer")).json()
    assert len(listed) == 2
    r = world.client.post(f"/api/orgs/acme/models/{model['id']}/documents",
                          json={"format": "pdf"}, headers=world.auth("editor"))
    assert r.status_code == 422


def test_documentation_record_and_every_document_kind(world: World) -> None:
    model = create(world, name="frontier-400b")
    url = f"/api/orgs/acme/models/{model['id']}"
    assert world.client.get(url + "/record", headers=world.auth("viewer")).status_code == 404
    record = (EXAMPLES / "records" / "frontier_systemic.record.yaml").read_text()
    r = world.client.put(url + "/record", json={"record": "gpact_record: 1\nmodel: {nme: x}\n",
                                                "version": 1}, headers=world.auth("editor"))
    assert r.status_code == 422 and "nme" in r.json()["problems"][0]
    r = world.client.put(url + "/record", json={"record": record},
                         headers={**world.auth("editor"), "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["number"] == 1 and r.headers["ETag"] == '"2"'
    stale = world.client.put(url + "/record", json={"record": record, "version": 1},
                             headers=world.auth("editor"))
    assert stale.status_code == 409
    assert world.client.get(url + "/record", headers=world.auth("viewer")).json()["text"] == record
    sizes = {}
    for kind in ("mdf", "annex-xi", "annex-xii", "training-summary", "copyright-policy",
                 "notification", "downstream-package", "cop-checklist"):
        r = world.client.post(url + "/documents", json={"kind": kind, "format": "md"},
                              headers=world.auth("editor"))
        assert r.status_code == 201, (kind, r.text)
        doc = r.json()
        assert doc["completeness"]["basis"] == "document fields"
        assert doc["completeness"]["record_version"] == 1
        sizes[kind] = doc["completeness"]["percent"]
        body = world.client.get(f"/api/orgs/acme/documents/{doc['id']}",
                                headers=world.auth("viewer"))
        assert hashlib.sha256(body.content).hexdigest() == doc["sha256"]
    html = world.client.post(url + "/documents", json={"kind": "annex-xi", "format": "html"},
                             headers=world.auth("editor")).json()
    assert html["media_type"].startswith("text/html")
    if "pdf" in server_documents.formats("annex-xi"):  # WeasyPrint installed (gpact[pdf])
        pdf = world.client.post(url + "/documents", json={"kind": "annex-xi", "format": "pdf"},
                                headers=world.auth("editor")).json()
        got = world.client.get(f"/api/orgs/acme/documents/{pdf['id']}",
                               headers=world.auth("viewer"))
        assert got.content.startswith(b"%PDF") and got.headers["content-type"] == "application/pdf"
    empty = create(world)  # no record: the documents are built, with their gaps counted
    r = world.client.post(f"/api/orgs/acme/models/{empty['id']}/documents",
                          json={"kind": "annex-xi"}, headers=world.auth("editor")).json()
    assert r["completeness"]["percent"] < sizes["annex-xi"]
    assert r["completeness"]["missing"]


def test_ledger_upload_totals_and_bad_rows(world: World) -> None:
    model = create(world)
    url = f"/api/orgs/acme/models/{model['id']}/ledgers"
    csv = (b"run_id,phase,timestamp,seconds,flop\n"
           b"r1,pretraining,2026-01-01T01:00:00Z,3600,6e24\n"
           b"r1,pretraining,2026-01-02T01:00:00Z,3600,2e24\n"
           b"r2,finetuning,2026-02-01T01:00:00Z,3600,1e23\n")
    r = world.client.post(url, files={"file": ("run.csv", csv, "text/csv")},
                          headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["total_flop"] == pytest.approx(8.1e24)
    assert body["summary"]["flop_by_phase"]["finetuning"] == pytest.approx(1e23)
    jsonl = (b'{"run_id": "a", "phase": "warmup", "timestamp": "2026-01-01T00:00:00Z", '
             b'"seconds": 60, "flop": 1}\n')
    r = world.client.post(url, files={"file": ("run.jsonl", jsonl, "application/json")},
                          headers=world.auth("editor"))
    assert r.status_code == 422 and "phase" in r.json()["problems"][0]
    assert len(world.client.get(url, headers=world.auth("viewer")).json()) == 1


def _planner_rows(world: World) -> float:
    """The number of models PostgreSQL's planner believes in (set by ANALYZE)."""
    with world.db.read() as session:
        return float(session.execute(text(
            "SELECT reltuples FROM pg_class WHERE relname = 'models'")).scalar_one())


def test_export_import_round_trip(world: World) -> None:
    model = create(world)
    world.client.post(f"/api/orgs/acme/models/{model['id']}/documents", json={},
                      headers=world.auth("editor"))
    exported = world.client.get("/api/orgs/acme/export", headers=world.auth("admin"))
    assert exported.status_code == 200
    data = exported.json()
    data["authors"] = {"editor@example.eu": "rival@example.eu"}  # authors map to members
    if not world.db.is_sqlite:
        assert _planner_rows(world) != 2
    r = world.client.post("/api/orgs/rival/import", json=data, headers=world.auth("rival"))
    assert r.status_code == 201 and r.json() == {"models": 1}
    if not world.db.is_sqlite:  # a bulk load: the planner gets the new statistics at once
        assert _planner_rows(world) == 2
    again = world.client.get("/api/orgs/rival/export", headers=world.auth("rival")).json()
    strip = json.loads(json.dumps(data["models"]).replace(
        "editor@example.eu (token editor token)",
        "rival@example.eu (imported; was editor@example.eu)"))
    assert again["models"] == strip
    r = world.client.post("/api/orgs/rival/import", json=data, headers=world.auth("rival"))
    assert r.status_code == 409
    bad = {"format": "gpact-organisation/1", "models": [{"name": "x"}]}
    r = world.client.post("/api/orgs/acme/import", json=bad, headers=world.auth("admin"))
    assert r.status_code == 409
    world.client.delete(f"/api/orgs/acme/models/{model['id']}?version=1",
                        headers=world.auth("admin"))
    r = world.client.post("/api/orgs/acme/import", json=bad, headers=world.auth("admin"))
    assert r.status_code == 422


def test_members(world: World) -> None:
    r = world.client.put("/api/orgs/acme/members", headers=world.auth("admin"),
                         json={"email": "viewer@example.eu", "role": "editor"})
    assert r.status_code == 200 and r.json()["status"] == "member"  # a role change
    r = world.client.put("/api/orgs/acme/members", headers=world.auth("admin"),
                         json={"email": "new@example.eu", "role": "editor"})
    assert r.status_code == 200 and r.json()["status"] == "invited"  # others are invited
    emails = {m["email"]: m["role"] for m in world.client.get(
        "/api/orgs/acme/members", headers=world.auth("viewer")).json()}
    assert emails["viewer@example.eu"] == "editor" and "new@example.eu" not in emails
    r = world.client.put("/api/orgs/acme/members", headers=world.auth("admin"),
                         json={"email": "admin@example.eu", "role": "viewer"})
    assert r.status_code == 409


def test_every_change_is_in_the_audit_chain(world: World) -> None:
    model = create(world)
    world.client.put(f"/api/orgs/acme/models/{model['id']}/profile", headers=world.auth("editor"),
                     json={"profile": profile_text().replace("1.0", "1.1"), "version": 1})
    events = world.client.get("/api/orgs/acme/audit", headers=world.auth("viewer")).json()
    actions = [e["action"] for e in events]
    assert actions[:4] == ["assessment.run", "model.update_profile", "assessment.run",
                           "model.create"]
    assert events[1]["before_hash"] and events[1]["after_hash"] != events[1]["before_hash"]
    assert all(e["actor"].startswith("editor@example.eu") for e in events[:4])
    assert not [e for e in events if e["entity"] == "organisation" and e["entity_id"] != "1"]
    with world.db.read() as s:
        assert audit.verify(s).ok


def test_health_and_openapi_are_public(world: World) -> None:
    assert world.client.get("/api/health").json()["status"] == "ok"
    spec = world.client.get("/api/openapi.json").json()
    assert "/api/orgs/{org}/models" in spec["paths"]


def _count_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the portfolio reads built from the database (not kept), in order."""
    from gpact.services import portfolio_order, registry

    builds: list[str] = []
    for module, name, query in ((portfolio_order, "list_models", "model_page_query"),
                                (portfolio_order, "obligations", "obligations_query"),
                                (registry, "deadlines", "deadlines_query")):
        real = getattr(module, query)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            builds.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, query, counted)
    return builds


def test_kept_reads_move_only_with_changes_they_show(world: World,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept portfolio answers are keyed per organisation by ``views_version``: a change
    the lists do not show (an obligation's state of model A) and a change in another
    organisation rebuild nothing and B's reads are unchanged; a profile saved to model A
    shows at once in A's reads and in the lists (no stale read), and B's own reads stay."""
    builds = _count_builds(monkeypatch)
    a, b = create(world), create(world, name="frontier-400b")
    viewer = world.auth("viewer")
    lists = ("/api/orgs/acme/models", "/api/orgs/acme/obligations", "/api/orgs/acme/deadlines")

    def read_all() -> dict[str, Any]:
        got = {path: world.client.get(path, headers=viewer).json() for path in lists}
        for m in (a, b):
            got[f"model {m['id']}"] = world.client.get(
                f"/api/orgs/acme/models/{m['id']}", headers=viewer).json()
            got[f"assessment {m['id']}"] = world.client.get(
                f"/api/orgs/acme/models/{m['id']}/assessments/latest", headers=viewer).json()
        return got

    before = read_all()
    assert sorted(builds) == ["deadlines", "list_models", "obligations"]
    builds.clear()
    track = world.client.get(f"/api/orgs/acme/models/{a['id']}/obligations",
                             headers=viewer).json()[0]
    r = world.client.patch(f"/api/orgs/acme/models/{a['id']}/obligations/{track['obligation']}",
                           json={"state": "in_progress", "version": track["version"]},
                           headers=world.auth("editor"))
    assert r.status_code == 200, r.text
    rival = world.client.post("/api/orgs/rival/models", json={"profile": profile_text()},
                              headers=world.auth("rival"))
    assert rival.status_code == 201
    assert read_all() == before and builds == []  # every kept answer served as it was
    r = world.client.put(f"/api/orgs/acme/models/{a['id']}/profile",
                         json={"profile": profile_text().replace("Example-70B", "Renamed-70B"),
                               "version": a["version"]}, headers=world.auth("editor"))
    assert r.status_code == 200, r.text
    after = read_all()
    assert sorted(builds) == ["deadlines", "list_models", "obligations"]
    assert after[f"model {a['id']}"]["version"] == a["version"] + 1
    assert after[f"assessment {a['id']}"]["profile_version"] == 2
    page = {m["id"]: m for m in after["/api/orgs/acme/models"]["items"]}
    assert page[a["id"]]["name"] == "Renamed-70B 1.0"
    assert page[a["id"]]["version"] == a["version"] + 1
    assert {d["model"] for d in after["/api/orgs/acme/deadlines"]} >= {"Renamed-70B 1.0"}
    assert "Renamed-70B 1.0" in {o["model"] for o in after["/api/orgs/acme/obligations"]}
    for key in (f"model {b['id']}", f"assessment {b['id']}"):
        assert after[key] == before[key]
    assert page[b["id"]] == next(m for m in before["/api/orgs/acme/models"]["items"]
                                 if m["id"] == b["id"])


def test_kept_dues_move_only_when_dues_change(world: World,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The deadlines and obligations are kept under ``dues_version``: a profile saved without
    a change to the model's obligations rebuilds the model pages but not them; a save that
    changes them (here or in another server process) and a delete show at once, the same
    answers a server with nothing kept gives."""
    from fastapi.testclient import TestClient

    from gpact.api.app import create_app
    from gpact.services import registry

    builds = _count_builds(monkeypatch)
    a, b = create(world), create(world, name="frontier-400b")
    viewer, editor = world.auth("viewer"), world.auth("editor")
    dues = ("/api/orgs/acme/obligations", "/api/orgs/acme/deadlines")

    def read(client: TestClient) -> dict[str, Any]:
        return {path: client.get(path, headers=viewer).json()
                for path in (*dues, "/api/orgs/acme/models")}

    def save(client: TestClient, text: str) -> None:
        version = client.get(f"/api/orgs/acme/models/{a['id']}", headers=viewer).json()
        r = client.put(f"/api/orgs/acme/models/{a['id']}/profile",
                       json={"profile": text, "version": version["version"]}, headers=editor)
        assert r.status_code == 200, r.text

    def fresh() -> dict[str, Any]:
        """What a server with no kept answers says."""
        with TestClient(create_app(world.db)) as other:
            return read(other)

    before = read(world.client)
    save(world.client, profile_text())  # the same profile again: a new version, same dues
    builds.clear()
    same = read(world.client)
    assert builds == ["list_models"]  # the model pages show the new version; nothing else
    assert same == fresh()
    assert [same[p] for p in dues] == [before[p] for p in dues]
    unknown = profile_text().replace("  established_in_eu: true\n", "")
    assert unknown != profile_text()
    save(world.client, unknown)  # a status without a date: no deadline row changes
    builds.clear()
    undetermined = read(world.client)
    assert sorted(builds) == ["deadlines", "list_models", "obligations"]  # one version
    assert undetermined == fresh()
    assert {o["status"] for o in undetermined["/api/orgs/acme/obligations"]
            if o["obligation"] == "authorised_representative" and o["model_id"] == a["id"]} \
        == {"undetermined"}
    systemic = profile_text().replace("training_compute_flop: 8.0e24",
                                      "training_compute_flop: 3.0e25")
    assert systemic != profile_text()
    save(world.client, systemic)  # now above the systemic-risk threshold: new obligations
    builds.clear()
    changed = read(world.client)
    assert sorted(builds) == ["deadlines", "list_models", "obligations"]
    assert changed == fresh() and changed["/api/orgs/acme/obligations"] != \
        before["/api/orgs/acme/obligations"]
    with TestClient(create_app(world.db)) as other:  # a second server process changes back
        save(other, profile_text())
    assert read(world.client) == fresh()
    assert read(world.client)["/api/orgs/acme/obligations"] == before[dues[0]]
    with world.db.write() as s:  # straight in the store, as the CLI would
        model = registry.get_model(s, world.actors["admin"], a["id"])
        registry.delete_model(s, world.actors["admin"], a["id"], model.version)
    gone = read(world.client)
    assert gone == fresh()
    assert {o["model_id"] for o in gone["/api/orgs/acme/obligations"]} == {b["id"]}
    assert {d["model_id"] for d in gone["/api/orgs/acme/deadlines"]} <= {b["id"]}


def test_portfolio_reads_follow_every_change(world: World) -> None:
    """The model list and deadlines are kept between changes (``gpact.api.read_cache``):
    each change, through this app, another server process or the store, shows at once."""
    from fastapi.testclient import TestClient

    from gpact.api.app import create_app
    from gpact.services import registry

    def names(client: TestClient) -> list[str]:
        page = client.get("/api/orgs/acme/models", headers=world.auth("viewer")).json()
        return [m["name"] for m in page["items"]]

    def deadline_models(client: TestClient) -> set[str]:
        rows = client.get("/api/orgs/acme/deadlines", headers=world.auth("viewer")).json()
        return {d["model"] for d in rows}

    first = create(world)
    assert names(world.client) == ["Example-70B 1.0"] == names(world.client)
    assert deadline_models(world.client) == {"Example-70B 1.0"}
    with TestClient(create_app(world.db)) as other:  # a second server process
        assert names(other) == ["Example-70B 1.0"]
        r = other.post("/api/orgs/acme/models", json={"profile": profile_text("frontier-400b")},
                       headers=world.auth("editor"))
        assert r.status_code == 201
    assert names(world.client) == ["Example-70B 1.0", "Frontier-400B 2"]
    assert deadline_models(world.client) == {"Example-70B 1.0", "Frontier-400B 2"}
    with world.db.write() as s:  # straight in the store, as the CLI or an import would
        registry.delete_model(s, world.actors["admin"], first["id"], first["version"])
    assert names(world.client) == ["Frontier-400B 2"]
    assert deadline_models(world.client) == {"Frontier-400B 2"}
    # the organisation is part of the key: another organisation never sees these answers
    rival = world.client.get("/api/orgs/rival/models", headers=world.auth("rival")).json()
    assert rival["items"] == [] and rival["total"] == 0
