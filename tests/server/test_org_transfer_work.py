"""An organisation export carries the work on each model (obligation states, sign-offs,
evidence, risk records, data inputs), and an import checks all of it before taking it."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest

from gpact.store import audit
from tests.server.conftest import World, profile_text
from tests.server.workspace_fixtures import EVIDENCE_FILE, workspace_ids

MAPPING = {"editor@example.eu": "rival@example.eu", "admin@example.eu": "rival@example.eu"}
RIGHTS_SUMMARY = b'{"gpact_version": "0", "rulebook_version": "2026.1", "rows": 3}\n'


def _api(world: World, method: str, path: str, who: str = "editor", **kw: Any) -> Any:
    r = world.client.request(method, f"/api/orgs/{path}", headers=world.auth(who), **kw)
    assert r.status_code in (200, 201), (path, r.text)
    return r.json()


def _worked_on(world: World) -> dict[str, Any]:
    """acme's model with a met (signed-off) obligation, one not applicable, one in progress,
    an incident and a data input; returns the export, authors mapped to rival's admin."""
    mid = _api(world, "POST", "acme/models", json={"profile": profile_text()})["id"]
    workspace_ids(world, mid)  # an evidence file on technical_documentation and an incident
    doc = _api(world, "POST", f"acme/models/{mid}/documents", json={})
    doc_id = (doc[0] if isinstance(doc, list) else doc)["id"]
    base = f"acme/models/{mid}/obligations"
    _api(world, "POST", f"{base}/technical_documentation/evidence",
         json={"kind": "document", "document_id": doc_id})
    v = _api(world, "PATCH", f"{base}/technical_documentation", json={"state": "met",
             "version": _api(world, "GET", f"{base}/technical_documentation")["version"]})
    _api(world, "POST", f"{base}/technical_documentation/sign-off", who="admin",
         json={"version": v["version"]})
    _api(world, "PATCH", f"{base}/copyright_policy", json={
        "state": "not_applicable", "justification": "Open-source model: Art. 53(2) applies.",
        "version": 1})
    _api(world, "PATCH", f"{base}/downstream_information", json={
        "state": "in_progress", "owner": "editor@example.eu", "notes": "draft with legal",
        "version": 1})
    _api(world, "POST", f"{base}/training_content_summary/evidence", json={
        "kind": "publication", "url": "https://example.eu/summary", "published_on": "2026-01-05"})
    _api(world, "POST", f"acme/models/{mid}/inputs/rights_audit",
         files={"file": ("audit.json", RIGHTS_SUMMARY, "application/json")})
    data: dict[str, Any] = _api(world, "GET", "acme/export", who="admin")
    data["authors"] = dict(MAPPING)
    return data


def _rival_model(world: World) -> int:
    return int(_api(world, "GET", "rival/models", who="rival")["items"][0]["id"])


def _import(world: World, data: dict[str, Any]) -> Any:
    return world.client.post("/api/orgs/rival/import", json=data, headers=world.auth("rival"))


def test_the_work_on_a_model_moves_with_it(world: World) -> None:
    data = _worked_on(world)
    assert data["format"] == "gpact-organisation/2"
    r = _import(world, data)
    assert r.status_code == 201, r.text
    mid = _rival_model(world)
    tracks = {t["obligation"]: t for t in _api(world, "GET", f"rival/models/{mid}/obligations",
                                                who="rival")}
    met = _api(world, "GET", f"rival/models/{mid}/obligations/technical_documentation",
               who="rival")
    assert met["state"] == "met" and met["signed_off_by"].startswith("rival@example.eu")
    assert sorted(e["kind"] for e in met["evidence"]) == ["document", "file"]
    file = next(e for e in met["evidence"] if e["kind"] == "file")
    assert file["sha256"] == hashlib.sha256(EVIDENCE_FILE[1]).hexdigest()
    body = world.client.get(f"/api/orgs/rival/evidence/{file['id']}",
                            headers=world.auth("rival"))
    assert body.status_code == 200 and body.content == EVIDENCE_FILE[1]
    published = _api(world, "GET", f"rival/models/{mid}/obligations/training_content_summary",
                     who="rival")["evidence"]
    assert [(e["url"], e["published_on"]) for e in published] == [
        ("https://example.eu/summary", "2026-01-05")]
    assert tracks["copyright_policy"]["state"] == "not_applicable"
    assert tracks["downstream_information"]["state"] == "in_progress"
    assert tracks["downstream_information"]["owner"] == "rival@example.eu"
    risk = _api(world, "GET", f"rival/models/{mid}/risk", who="rival")
    assert "INC-1" in str(risk)
    with world.db.read() as s:
        checked = audit.verify(s)
    assert checked.ok, checked.problems


def _track(data: dict[str, Any], obligation: str) -> dict[str, Any]:
    return next(t for t in data["models"][0]["tracks"] if t["obligation"] == obligation)


def _replace_file(t: dict[str, Any], content: bytes) -> None:
    e = next(e for e in t["evidence"] if e["kind"] == "file")
    e["content_base64"] = base64.b64encode(content).decode()
    e["sha256"] = hashlib.sha256(content).hexdigest()
    e["filename"] = "report.pdf"  # a PDF by its name, not by its content


TAMPERED = {
    "evidence bytes": lambda d: next(e for e in _track(d, "technical_documentation")["evidence"]
                                     if e["kind"] == "file").update(content_base64="aGk="),
    "evidence not what it says": lambda d: _replace_file(_track(d, "technical_documentation"),
                                                         b"plain text"),
    "met without evidence": lambda d: _track(d, "technical_documentation").update(evidence=[]),
    "met without sign-off": lambda d: _track(d, "technical_documentation").update(
        signed_off_by=None),
    "not applicable without reason": lambda d: _track(d, "copyright_policy").update(
        justification="no"),
    "unknown state": lambda d: _track(d, "copyright_policy").update(state="done"),
    "owner not a member": lambda d: _track(d, "downstream_information").update(
        owner="stranger@example.eu"),
    "document evidence of another file": lambda d: next(
        e for e in _track(d, "technical_documentation")["evidence"]
        if e["kind"] == "document").update(sha256="0" * 64),
    "publication address": lambda d: _track(d, "training_content_summary")["evidence"][0]
    .update(url="ftp://example.eu/summary"),
    "publication in the future": lambda d: _track(d, "training_content_summary")["evidence"][0]
    .update(published_on="2999-01-01"),
    "risk record hash": lambda d: d["models"][0]["risk_records"][0].update(sha256="0" * 64),
    "risk record invalid": lambda d: d["models"][0]["risk_records"][0].update(
        text="gpact_risk: 1\nincidents: 7\n",
        sha256=hashlib.sha256(b"gpact_risk: 1\nincidents: 7\n").hexdigest()),
    "data input not a summary": lambda d: d["models"][0]["data_inputs"][0].update(
        text="[]", sha256=hashlib.sha256(b"[]").hexdigest()),
}


@pytest.mark.parametrize("change", list(TAMPERED), ids=list(TAMPERED))
def test_an_import_refuses_work_that_does_not_check(world: World, change: str) -> None:
    data = _worked_on(world)
    TAMPERED[change](data)
    r = _import(world, data)
    assert r.status_code == 422, r.text
    assert _api(world, "GET", "rival/models", who="rival")["total"] == 0


def test_a_decision_on_another_assessment_is_reopened(world: World) -> None:
    data = _worked_on(world)
    _track(data, "technical_documentation")["fingerprint"] = "f" * 64
    assert _import(world, data).status_code == 201
    mid = _rival_model(world)
    t = _api(world, "GET", f"rival/models/{mid}/obligations/technical_documentation",
             who="rival")
    assert t["state"] == "open" and "check it again" in t["reopened_reason"]
    assert len(t["evidence"]) == 2  # the evidence stays


def test_files_of_the_first_format_still_import(world: World) -> None:
    data = _worked_on(world)
    old = copy.deepcopy(data)
    old["format"] = "gpact-organisation/1"
    for m in old["models"]:
        for key in ("tracks", "risk_records", "data_inputs"):
            del m[key]
    assert _import(world, old).status_code == 201
    mid = _rival_model(world)
    states = {t["state"] for t in _api(world, "GET", f"rival/models/{mid}/obligations",
                                       who="rival")}
    assert states == {"open"}  # the tracks come from the assessment, with nothing laid over
