"""The web app and the API answer for any as-of date the CLI answers for (issue #11).

A date before the Commission Guidelines is answered with the Guidelines' tests marked as not
yet published; a date before the AI Act, or profile facts that contradict each other, are bad
input (4xx with the problem named), never a server error.
"""

from __future__ import annotations

import re

import pytest

from tests.server.conftest import World, profile_text
from tests.server.test_web import add_model, login, page_csrf

CONTRADICTION = """
  licence: {free_and_open_source: true, monetised: false, monetisation: {price: true}}
"""


@pytest.fixture
def api_model(sqlite_world: World) -> tuple[World, str]:
    r = sqlite_world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                                 headers=sqlite_world.auth("editor"))
    assert r.status_code == 201, r.text
    return sqlite_world, f"/api/orgs/acme/models/{r.json()['id']}"


def test_api_assesses_before_the_guidelines(api_model: tuple[World, str]) -> None:
    world, url = api_model
    r = world.client.post(url + "/assessments", json={"as_of": "2025-01-01"},
                          headers=world.auth("editor"))
    assert r.status_code in (200, 201), r.text
    latest = world.client.get(url + "/assessments/latest", headers=world.auth("viewer")).json()
    result = latest["result"]
    assert result["as_of"] == "2025-01-01"
    assert any(v["key"] == "guidelines.document" for v in result["not_yet_published"])


def test_api_date_before_the_act_is_bad_input(api_model: tuple[World, str]) -> None:
    world, url = api_model
    r = world.client.post(url + "/assessments", json={"as_of": "2024-07-31"},
                          headers=world.auth("editor"))
    assert 400 <= r.status_code < 500, r.text
    assert "before the AI Act entered into force" in r.text


def test_api_contradicting_facts_are_bad_input(sqlite_world: World) -> None:
    # the profile's own licence line replaced: a second `licence:` key is refused (#14)
    text = re.sub(r"^  licence: .*$", CONTRADICTION.strip("\n"), profile_text(), count=1,
                  flags=re.M)
    assert text != profile_text()
    r = sqlite_world.client.post("/api/orgs/acme/models", json={"profile": text},
                                 headers=sqlite_world.auth("editor"))
    assert 400 <= r.status_code < 500, r.text
    assert "model.licence.monetised" in r.text


def test_web_assess_before_the_guidelines(sqlite_world: World) -> None:
    status, _ = login(sqlite_world.client, "editor@example.eu")
    assert status == 200
    status, html = add_model(sqlite_world, profile_text())
    assert status == 200, html[:300]
    models = sqlite_world.client.get("/api/orgs/acme/models",
                                     headers=sqlite_world.auth("viewer")).json()
    model_id = models[0]["id"] if isinstance(models, list) else models["items"][0]["id"]
    for day, ok in (("2025-01-01", True), ("2024-07-31", False)):
        r = sqlite_world.client.post(f"/o/acme/models/{model_id}/assess",
                                     data={"as_of": day, "csrf_token": page_csrf(sqlite_world)})
        assert r.status_code < 500, r.text[:300]
        if not ok:
            assert "before the AI Act entered into force" in r.text
