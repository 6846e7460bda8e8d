"""Samples for the workspace routes, so the route-by-route checks of test_api (401 for
anonymous requests, 404 across organisations) cover them too."""

from __future__ import annotations

from typing import Any

from tests.server.conftest import World

OBLIGATION = "technical_documentation"
EVIDENCE_FILE = ("note.md", b"# Evidence\n", "text/markdown")

WORKSPACE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/orgs/{org}/models/{model_id}/obligations/{obligation}"): {
        "json": {"version": 1, "state": "in_progress"}},
    ("POST", "/api/orgs/{org}/models/{model_id}/obligations/{obligation}/sign-off"): {
        "json": {"version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/obligations/{obligation}/evidence"): {
        "json": {"kind": "publication", "url": "https://example.eu/x",
                 "published_on": "2026-01-01"}},
    ("POST", "/api/orgs/{org}/models/{model_id}/obligations/{obligation}/evidence/files"): {
        "files": {"file": EVIDENCE_FILE}},
    ("POST", "/api/orgs/{org}/reassess-outdated"): {"json": {}},
    ("PUT", "/api/orgs/{org}/models/{model_id}/risk/{record}"): {
        "json": {"text": "gpact_risk: 1\nrequests: []\n", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/incidents"): {
        "json": {"id": "INC-2", "title": "x", "category": "cybersecurity",
                 "aware_on": "2026-01-01", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/incidents/{incident_id}/reports"): {
        "json": {"kind": "initial", "sent_on": "2026-01-02", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/incidents/{incident_id}/resolve"): {
        "json": {"resolved_on": "2026-01-03", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/requests"): {
        "json": {"id": "AIO-1", "kind": "ai_office", "received_on": "2026-01-01",
                 "deadline": "2026-01-20", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/requests/{request_id}/answer"): {
        "json": {"answered_on": "2026-01-02", "version": 2}},
    ("POST", "/api/orgs/{org}/models/{model_id}/evaluations"): {
        "files": {"file": ("eval.json", b"{}", "application/json")}, "data": {"version": "2"}},
    ("POST", "/api/orgs/{org}/models/{model_id}/inputs/{kind}"): {
        "files": {"file": ("summary.json", b"{}", "application/json")}},
    ("POST", "/api/orgs/{org}/models/{model_id}/risk-documents"): {
        "json": {"what": "incident:INC-1:initial"}},
}


def workspace_ids(world: World, model_id: int) -> dict[str, Any]:
    """An obligation of acme's model with one evidence file."""
    r = world.client.post(
        f"/api/orgs/acme/models/{model_id}/obligations/{OBLIGATION}/evidence/files",
        files={"file": EVIDENCE_FILE}, headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    evidence_id = r.json()["id"]
    r = world.client.post(f"/api/orgs/acme/models/{model_id}/incidents", json={
        "id": "INC-1", "title": "Outage", "category": "critical_infrastructure",
        "aware_on": "2026-01-01", "version": 1}, headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    return {"obligation": OBLIGATION, "evidence_id": evidence_id, "record": "incidents",
            "incident_id": "INC-1", "request_id": "AIO-1", "kind": "data_summary"}
