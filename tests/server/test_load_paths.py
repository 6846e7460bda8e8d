"""The paths made fast for load: kept counts and pages, deferred-join pages, the deadline rows,
saves prepared outside the write lock. Each must give what the plain queries give."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from gpact.services import registry
from gpact.services.server_errors import Conflict
from gpact.store import audit, deadline_rows
from gpact.store.models import Assessment, CurrentDeadline, Model, ObligationDue
from tests.server.conftest import World, profile_text


def _make(world: World, n: int) -> list[int]:
    actor = world.actors["editor"]
    with world.db.write() as s:
        return [registry.create_model(s, actor, profile_text().replace(
            "Example-70B", f"Model-{i:02d}")).id for i in range(n)]


def _page(world: World, limit: int, offset: int) -> dict[str, Any]:
    r = world.client.get(f"/api/orgs/acme/models?limit={limit}&offset={offset}",
                         headers=world.auth("viewer"))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_pages_agree_with_one_ordered_list_and_follow_changes(world: World) -> None:
    _make(world, 7)
    whole = _page(world, 200, 0)
    names = [m["name"] for m in whole["items"]]
    assert names == sorted(names) and whole["total"] == 7
    paged = [m for offset in range(0, 9, 3) for m in _page(world, 3, offset)["items"]]
    assert paged == whole["items"]
    assert _page(world, 3, 6)["total"] == 7  # the kept count
    created = world.client.post("/api/orgs/acme/models", headers=world.auth("editor"), json={
        "profile": profile_text().replace("Example-70B", "Model-00a")})
    assert created.status_code == 201
    after = _page(world, 3, 0)  # a page read before the change is not served again
    assert after["total"] == 8
    assert [m["name"] for m in after["items"]] == ["Model-00 1.0", "Model-00a 1.0",
                                                   "Model-01 1.0"]
    model = created.json()
    gone = world.client.delete(f"/api/orgs/acme/models/{model['id']}?version=1",
                               headers=world.auth("admin"))
    assert gone.status_code == 204
    assert _page(world, 3, 6)["total"] == 7
    assert [m["name"] for m in _page(world, 200, 0)["items"]] == names


def _joined_deadlines(world: World) -> list[tuple[Any, ...]]:
    """The deadlines as the join over each model's latest assessment gives them."""
    with world.db.read() as s:
        rows = s.execute(
            select(Model.org_id, Model.id, Model.name, ObligationDue.obligation,
                   ObligationDue.source, ObligationDue.applies_from, ObligationDue.due,
                   Assessment.as_of)
            .join(Assessment, Assessment.id == Model.latest_assessment_id)
            .join(ObligationDue, ObligationDue.assessment_id == Assessment.id)
            .where(ObligationDue.status == "applies", ObligationDue.due.is_not(None)))
        return sorted(tuple(r) for r in rows)


def _kept_deadlines(world: World) -> list[tuple[Any, ...]]:
    row = CurrentDeadline
    with world.db.read() as s:
        return sorted(tuple(r) for r in s.execute(select(
            row.org_id, row.model_id, row.model_name, row.obligation, row.source,
            row.applies_from, row.due, row.as_of)))


def test_deadline_rows_follow_every_assessment_rename_and_delete(world: World) -> None:
    first, second = _make(world, 2)
    assert _kept_deadlines(world) == _joined_deadlines(world) != []
    renamed = profile_text().replace("Example-70B", "Renamed")
    r = world.client.put(f"/api/orgs/acme/models/{first}/profile", headers={
        **world.auth("editor"), "If-Match": '"1"'}, json={"profile": renamed,
                                                          "as_of": "2027-03-01"})
    assert r.status_code == 200, r.text
    kept = _kept_deadlines(world)
    assert kept == _joined_deadlines(world)
    assert {name for _, m, name, *_ in kept if m == first} == {"Renamed 1.0"}
    api = world.client.get("/api/orgs/acme/deadlines", headers=world.auth("viewer")).json()
    assert [(d["due"], d["model"], d["obligation"]) for d in api] == sorted(
        (d["due"], d["model"], d["obligation"]) for d in api)
    assert len(api) == len(kept)
    gone = world.client.delete(f"/api/orgs/acme/models/{second}?version=1",
                               headers=world.auth("admin"))
    assert gone.status_code == 204
    assert _kept_deadlines(world) == _joined_deadlines(world)
    assert {m for _, m, *_ in _kept_deadlines(world)} == {first}
    with world.db.write() as s:  # a restored backup older than the table rebuilds them
        deadline_rows.rebuild(s)
    assert _kept_deadlines(world) == _joined_deadlines(world)


def test_kept_obligations_change_with_the_assessment(world: World) -> None:
    (model,) = _make(world, 1)
    url = "/api/orgs/acme/obligations?limit=200"
    before = world.client.get(url, headers=world.auth("viewer")).json()
    assert before and all(o["model_id"] == model for o in before)
    r = world.client.put(f"/api/orgs/acme/models/{model}/profile", headers={
        **world.auth("editor"), "If-Match": '"1"'}, json={
            "profile": profile_text().replace("Example-70B", "Other")})
    assert r.status_code == 200, r.text
    after = world.client.get(url, headers=world.auth("viewer")).json()
    assert {o["model"] for o in after} == {"Other 1.0"}


def test_concurrent_saves_all_land_once_each_with_a_valid_chain(world: World) -> None:
    models = _make(world, 4)
    actor = world.actors["editor"]
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(model_id: int, n: int) -> None:
        text = profile_text().replace("Example-70B", f"Model-{models.index(model_id):02d}")
        ready = registry.prepare(actor, text + f"\n# save {n}\n")
        try:
            with world.db.write() as s:
                registry.update_profile(s, actor, model_id, ready, 1)
            outcome = "saved"
        except Conflict:
            outcome = "stale"
        with lock:
            outcomes.append(outcome)

    # three writers per model, all having edited version 1: one each wins, the others are
    # told their version is stale
    threads = [threading.Thread(target=save, args=(m, n)) for m in models for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved"] * 4 + ["stale"] * 8
    with world.db.read() as s:
        assert {m.id: m.version for m in s.scalars(select(Model))} == dict.fromkeys(models, 2)
        result = audit.verify(s, checkpoints=world.db.checkpoints)
    assert result.ok, result.problems
