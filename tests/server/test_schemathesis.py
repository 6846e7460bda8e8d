"""Property-based API testing with schemathesis, against the published OpenAPI document.

Each operation gets generated requests (valid and invalid) with an admin token of ``acme``; the
server must never answer 5xx, and every answer must match the documented status codes,
content types and response schemas.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gpact.api.app import create_app
from gpact.services import accounts
from gpact.store import Database, upgrade
from tests.server.conftest import populate, profile_text

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str, int]]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    saved = accounts.HASHER
    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db = Database(f"sqlite:///{tmp / 'gpact.db'}")
    upgrade(db)
    app = create_app(db)
    with TestClient(app) as client:
        world = populate(db, client)
        client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                    headers=world.auth("admin"))
        own = client.post("/api/orgs/acme/tokens", headers=world.auth("admin"), json={
            "name": "schemathesis", "scopes": ["read", "write", "admin"]}).json()
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app), own["token"], own["id"]
    accounts.HASHER = saved
    db.dispose()


def test_api_conforms_to_its_openapi_document(api: tuple[object, str, int]) -> None:
    """Every operation; schemathesis' own pytest plugin does not run under pytest 9 yet."""
    schema, token, token_id = api
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    for result in schema.get_all_operations():  # type: ignore[attr-defined]
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            if "org" in (case.path_parameters or {}):
                case.path_parameters["org"] = "acme"  # reach past the organisation check
            if case.path_parameters and case.path_parameters.get("token_id") == token_id:
                case.path_parameters["token_id"] = token_id + 1000  # keep our own token alive
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
