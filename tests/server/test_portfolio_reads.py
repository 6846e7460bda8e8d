"""Builds of the portfolio reads that are not kept: shared by concurrent misses, and on
PostgreSQL run on an asyncio connection, so a slow one does not hold the event loop."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update

from gpact.api import portfolio_reads
from gpact.api import schemas as s
from gpact.api.app import create_app
from gpact.api.read_cache import ReadCache
from gpact.api.routes import _model_out as model_out
from gpact.services import portfolio_order, registry
from gpact.store import Database
from gpact.store.models import Model, ObligationDue
from gpact.store.query import Query
from tests.server.conftest import World, populate, profile_text


@pytest.mark.parametrize("leaving", [0, 1])
def test_concurrent_misses_share_one_build_and_a_leaving_client_loses_nothing(
        leaving: int) -> None:
    """Five requests miss one answer: one build serves them all. A waiter that goes away
    (1) cancels nothing; if the builder goes away (0), one waiter builds it again."""
    cache = ReadCache()
    builds: list[int] = []
    release = asyncio.Event()

    async def build() -> str:
        builds.append(1)
        await release.wait()
        return "page"

    async def scenario() -> tuple[list[str], str]:
        requests = [asyncio.create_task(cache.get(1, ("models",), build)) for _ in range(5)]
        await asyncio.sleep(0)
        requests[leaving].cancel()  # a client that went away
        await asyncio.sleep(0)
        release.set()
        got = await asyncio.gather(*(r for n, r in enumerate(requests) if n != leaving))
        kept = await cache.get(1, ("models",), build)  # now kept: no build
        return list(got), kept

    got, kept = asyncio.run(scenario())
    assert got == ["page"] * 4 and kept == "page"
    assert builds == [1] if leaving else builds == [1, 1]


def test_a_failed_build_reaches_every_waiter_and_is_not_kept() -> None:
    cache = ReadCache()
    calls: list[int] = []

    async def failing() -> str:
        calls.append(1)
        await asyncio.sleep(0)
        raise RuntimeError("database gone")

    async def ok() -> str:
        return "page"

    async def scenario() -> tuple[list[Any], str]:
        results = await asyncio.gather(*(cache.get(1, ("k",), failing) for _ in range(3)),
                                       return_exceptions=True)
        return results, await cache.get(1, ("k",), ok)

    results, after = asyncio.run(scenario())
    assert [str(r) for r in results] == ["database gone"] * 3 and calls == [1]
    assert after == "page"  # the next read builds again


def test_answers_are_kept_per_version() -> None:
    cache = ReadCache(size=2)
    built: list[str] = []

    def builder(value: str) -> Any:
        async def build() -> str:
            built.append(value)
            return value
        return build

    async def scenario() -> list[str]:
        return [await cache.get(1, ("a",), builder("v1")),
                await cache.get(1, ("a",), builder("again")),  # kept
                await cache.get(2, ("a",), builder("v2")),     # a new version: built
                await cache.get(3, ("a",), builder("v3")),     # beyond the size: v1 dropped
                await cache.get(1, ("a",), builder("v1 rebuilt"))]

    assert asyncio.run(scenario()) == ["v1", "v1", "v2", "v3", "v1 rebuilt"]
    assert built == ["v1", "v2", "v3", "v1 rebuilt"]


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_slow_order_build_on_postgresql_leaves_the_event_loop_free(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model order, read whole once per version, taking a second: the health endpoint
    and other reads are answered meanwhile (on a blocking connection they waited for it)."""
    app = create_app(db)
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        world = populate(db, client)
    slow = Query(text("SELECT pg_sleep(1)"), {},
                 lambda rows: portfolio_order.PortfolioOrder((), (0,)))
    monkeypatch.setattr(portfolio_order, "order_query", lambda *a, **k: slow)
    viewer = world.auth("viewer")

    async def scenario() -> tuple[bool, list[int], int, list[Any]]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                page = asyncio.create_task(c.get("/api/orgs/acme/obligations", headers=viewer))
                await asyncio.sleep(0.2)  # the order's build is waiting for PostgreSQL
                others = [(await c.get("/api/health")).status_code,
                          (await c.get("/api/orgs/acme/deadlines", headers=viewer)).status_code]
                during = not page.done()
                answer = await page
                return during, others, answer.status_code, answer.json()

    during, others, status, body = asyncio.run(scenario())
    assert during and others == [200, 200]
    assert (status, body) == (200, [])


def test_pages_by_the_kept_order_equal_pages_by_offset(world: World) -> None:
    """Every model page equals ``registry.list_models``'s; every obligations page equals the
    slice of all rows, sorted by model name and row, for any limit and offset."""
    editor = world.actors["editor"]
    with world.db.write() as s:  # two kinds of model (different obligations), names unsorted
        for i in (7, 2, 9, 0, 5, 3):
            base, old = (("frontier-400b", "Frontier-400B") if i % 2
                         else ("example-70b", "Example-70B"))
            model = registry.create_model(s, editor, profile_text(base).replace(old, f"M{i} {old}"))
            # assessments of other rulebooks have other numbers of rows; one has none here
            s.execute(delete(ObligationDue).where(
                ObligationDue.assessment_id == model.latest_assessment_id,
                ObligationDue.id % 7 < (7 if i == 5 else i % 7)))
    with world.db.connection() as conn:
        order = portfolio_order.order_query(editor).run(conn)
        names = portfolio_order.names_query(editor).run(conn)
        rows = conn.execute(
            select(Model.name, ObligationDue.id, Model.id, ObligationDue.obligation)
            .join(ObligationDue, ObligationDue.assessment_id == Model.latest_assessment_id)
            .where(Model.org_id == editor.org_id)).all()
    every = [(r[2], r[3]) for r in sorted(rows, key=lambda r: (r[0], r[1]))]
    counts = [b - a for a, b in zip(order.starts, order.starts[1:], strict=False)]
    assert 0 in counts and len(set(counts)) >= 4 and order.starts[-1] == len(every)
    assert names == order.names

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(limit=st.integers(0, 40), offset=st.integers(0, 120))
    def pages_agree(limit: int, offset: int) -> None:
        with world.db.connection() as conn:
            kept = portfolio_order.model_page_query(editor, names, limit, offset).run(conn)
            plain = registry.list_models(conn, editor, limit, offset)
            page = portfolio_order.obligations_query(editor, order, limit, offset).run(conn)
        assert (kept.total, kept.limit, kept.offset) == (plain.total, plain.limit, plain.offset)
        assert [(m, json.loads(text) if text else None, as_of)
                for m, text, as_of in kept.items] == plain.items
        assert [(r["model_id"], r["obligation"]) for r in page] == every[offset:offset + limit]

    pages_agree()


def test_a_model_page_sent_from_stored_summaries_is_the_schemas_page(world: World) -> None:
    """``model_page_json`` (stored summary text, no validation) answers what ``ModelPage``
    would: the same JSON, valid against the schema, with a model never assessed as null."""
    editor = world.actors["editor"]
    with world.db.write() as s_:
        for base, old in (("frontier-400b", "Frontier-400B"), ("example-70b", "Example-70B")):
            registry.create_model(s_, editor, profile_text(base).replace(old, f"Ünïcode “{old}”"))
        bare = registry.create_model(s_, editor, profile_text("example-70b"))
        s_.execute(update(Model).where(Model.id == bare.id).values(latest_assessment_id=None))
    with world.db.connection() as conn:
        names = portfolio_order.names_query(editor).run(conn)
        page = portfolio_order.model_page_query(editor, names, 10, 0).run(conn)
        plain = registry.list_models(conn, editor, 10, 0)
    sent = s.model_page_json(page.items, page.total, page.limit, page.offset)
    schema = s.ModelPage(items=[model_out(*item) for item in plain.items], total=plain.total,
                         limit=plain.limit, offset=plain.offset)  # as one model's answer
    assert json.loads(sent) == json.loads(schema.model_dump_json())
    assert s.ModelPage.model_validate_json(sent) == schema
    assert [item.summary is None for item in schema.items].count(True) == 1
    assert len(schema.items) == 3 and schema.total == 3


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_the_asyncio_connection_is_opened_at_start_and_an_unreachable_database_waits(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Started, the app holds one asyncio connection (the first whole-portfolio read, which
    every request after a start waits on, does not connect); a database not reachable at
    start does not stop the app from starting."""
    async def pooled(app_db: Database) -> int:
        app = create_app(app_db)
        async with app.router.lifespan_context(app):
            engine = app.state.portfolio_reads._engine
            return int(engine.pool.checkedin())

    assert asyncio.run(pooled(db)) == 1
    unreachable = Database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    assert asyncio.run(pooled(unreachable)) == 0
    # a server that takes the connection and never answers: the start waits START_TIMEOUT
    monkeypatch.setattr(portfolio_reads, "START_TIMEOUT", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        assert asyncio.run(pooled(Database(f"postgresql://nobody@127.0.0.1:{port}/none"))) == 0
