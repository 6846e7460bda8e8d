"""Store: migrations, the audit chain, concurrent writers, backup and restore — on both kinds
of database."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, func, insert, select, table, text, update

from gpact.cli.main import main
from gpact.profile import parse_profile
from gpact.services import accounts, registry, server_documents
from gpact.services.assess import assess_profile
from gpact.services.server_errors import Conflict
from gpact.store import Database, audit, upgrade
from gpact.store.backup import backup, restore
from gpact.store.migrate import alembic_config, current_revision, head_revision
from gpact.store.models import (
    Assessment,
    AuditEvent,
    AuditHead,
    Base,
    CurrentDeadline,
    Document,
    Model,
    ObligationDue,
    Organisation,
    ProfileVersion,
    User,
)
from tests.server.conftest import PASSWORD, World, profile_text


def _actor(db: Database) -> accounts.Actor:
    with db.write() as s:
        org = accounts.create_organisation(s, "acme", "Acme", "test")
        user = accounts.create_user(s, "a@example.eu", PASSWORD, "test")
        accounts.set_role(s, org, user, "admin", "test")
        return accounts.actor_for(s, user, "acme")


def test_upgrade_from_an_empty_database_and_back(db_url: str) -> None:
    db = Database(db_url)
    assert current_revision(db) is None
    upgrade(db)
    assert current_revision(db) == head_revision()
    command.downgrade(alembic_config(db), "base")
    assert current_revision(db) is None
    upgrade(db)
    assert current_revision(db) == head_revision()
    db.dispose()


def test_migrated_schema_matches_the_models(db: Database) -> None:
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_from_a_populated_database_backfills_deadlines(db_url: str) -> None:
    db = Database(db_url)
    upgrade(db, "0001")
    loaded = parse_profile(profile_text("frontier-400b"), "p")
    result = assess_profile(loaded, dt.date(2026, 11, 1)).to_dict()
    with db.write() as s:  # rows as revision 0001 stored them (no summary, no deadline rows)
        s.execute(text("INSERT INTO organisations (id, slug, name, created_at) "
                       "VALUES (1, 'acme', 'Acme', CURRENT_TIMESTAMP)"))
        s.execute(text("INSERT INTO models (id, org_id, name, version, created_at, updated_at) "
                       "VALUES (1, 1, 'Frontier-400B', 1, CURRENT_TIMESTAMP, "
                       "CURRENT_TIMESTAMP)"))
        s.execute(text("INSERT INTO profile_versions (id, model_id, number, text, sha256, "
                       "created_by, created_at) VALUES (1, 1, 1, :t, 'x', 'me', "
                       "CURRENT_TIMESTAMP)"), {"t": profile_text("frontier-400b")})
        old = table("assessments", *(column(c) for c in (
            "id", "model_id", "profile_version_id", "as_of", "rulebook_version",
            "gpact_version", "result", "created_by", "created_at")))
        s.execute(insert(old).values(id=1, model_id=1, profile_version_id=1,
                                     as_of=dt.date(2026, 11, 1), rulebook_version="r",
                                     gpact_version="g", result=json.dumps(result),
                                     created_by="me", created_at=dt.datetime.now(dt.UTC)))
    assert current_revision(db) == "0001"
    upgrade(db)
    assert current_revision(db) == head_revision()
    with db.read() as s:
        model = s.get(Model, 1)
        assert model is not None and model.latest_assessment_id == 1
        assessment = s.get(Assessment, 1)
        assert assessment is not None and assessment.summary["systemic_risk"] is True
        dues = s.scalars(select(ObligationDue).where(ObligationDue.assessment_id == 1)).all()
        assert {d.obligation for d in dues} == {o["id"] for o in result["obligations"]}
        # the deadline rows (0006) name their assessment's rulebook version (0009)
        versions = s.scalars(select(CurrentDeadline.rulebook_version)).all()
        assert versions and set(versions) == {"r"}
    db.dispose()


def test_audit_verify_detects_edits_deletions_and_truncation(db: Database,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    actor = _actor(db)
    with db.write() as s:
        model = registry.create_model(s, actor, profile_text())
        registry.update_profile(s, actor, model.id, profile_text().replace('"1.0"', '"1.1"'), 1)
    url = db.engine.url.render_as_string(hide_password=False)
    assert main(["audit", "verify", "--db", url]) == 0
    head = capsys.readouterr().out.split("head ")[-1].strip()
    assert main(["audit", "verify", "--db", url, "--expect-head", head]) == 0

    with db.write() as s:  # edit one event's content
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="mallory"))
    assert main(["audit", "verify", "--db", url]) == 1
    assert "event 3: content does not match its hash" in capsys.readouterr().out
    with db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="test"))
    assert main(["audit", "verify", "--db", url]) == 0
    capsys.readouterr()

    with db.write() as s:  # delete one from the middle
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 4))
    assert main(["audit", "verify", "--db", url]) == 1
    out = capsys.readouterr().out
    assert "events 4..4 are missing" in out and "event 5: previous-hash link broken" in out

    with db.write() as s:  # cut the last events off
        last = s.scalar(select(func.max(AuditEvent.seq)))
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq >= (last or 0) - 1))
    with db.read() as s:
        result = audit.verify(s)
    assert any("cut off the end" in p for p in result.problems)
    assert main(["audit", "verify", "--db", url, "--expect-head", head]) == 1


def test_queued_writers_share_one_commit_and_a_failing_one_is_rolled_back_alone(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Group commit: four writers queued behind each other commit in one COMMIT; the third,
    which fails after writing, is rolled back alone (its savepoint); the chain verifies,
    every change is its own event, in the order the writers took their turn, and each
    head is anchored in the checkpoint file."""
    from sqlalchemy import event

    from gpact.store import db as store_db

    monkeypatch.setattr(store_db, "GROUP_MAX_SECONDS", 60.0)  # no commit on age here
    actor = _actor(db)
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda conn: commits.append(1))
    release = threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def work(name: str, fail: bool = False, first: bool = False) -> None:
        try:
            with db.write() as s:
                if first:
                    release.wait(30)
                registry.create_model(s, actor, profile_text().replace("Example-70B", name))
                order.append(name)
                if fail:
                    raise Conflict("changed my mind")
        except Conflict:
            pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    first = threading.Thread(target=work, args=("M-0",), kwargs={"first": True})
    first.start()
    while db._holder is None:  # the first writer holds the gate
        threading.Event().wait(0.01)
    others = [threading.Thread(target=work, args=(f"M-{n}",), kwargs={"fail": n == 2})
              for n in (1, 2, 3)]
    for n, t in enumerate(others, 1):
        t.start()
        while db._queued < n:  # queued in this order
            threading.Event().wait(0.01)
    release.set()
    for t in [first, *others]:
        t.join(60)
    assert errors == []
    assert len(commits) == 1  # one COMMIT (one fsync) for the three that succeeded
    with db.read() as s:
        names = set(s.scalars(select(Model.name)))
        assert {"M-0 1.0", "M-1 1.0", "M-3 1.0"} <= names and "M-2 1.0" not in names
        result = audit.verify(s, checkpoints=db.checkpoints)
        assert result.ok, result.problems
        created = [e.entity_id for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "model.create").order_by(AuditEvent.seq))]
        ids = {m.name: str(m.id) for m in s.scalars(select(Model))}
        assert created == [ids[f"{n} 1.0"] for n in order if n != "M-2"]
        head = s.scalar(select(func.max(AuditEvent.seq)))
    if db.checkpoints is not None:
        lines = [json.loads(x) for x in db.checkpoints.read_text().splitlines()]
        assert lines[-1]["seq"] == head


def test_concurrent_writers_keep_one_unbroken_chain(db: Database) -> None:
    actor = _actor(db)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(3):
                with db.write() as s:
                    registry.create_model(s, actor, profile_text().replace(
                        "Example-70B", f"M-{n}-{i}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.read() as s:
        result = audit.verify(s)
        assert result.ok, result.problems
        assert s.scalar(select(func.count()).select_from(Model)) == 18
        assert result.events == s.scalar(select(func.max(AuditEvent.seq)))


def test_stale_version_is_a_conflict_and_keeps_the_winner(db: Database) -> None:
    actor = _actor(db)
    with db.write() as s:
        model_id = registry.create_model(s, actor, profile_text()).id
    with db.write() as s:
        registry.update_profile(s, actor, model_id, profile_text().replace("Example AI SAS",
                                                                           "Winner SAS"), 1)
    with pytest.raises(Conflict), db.write() as s:
        registry.update_profile(s, actor, model_id, profile_text(), 1)
    with db.read() as s:
        texts = s.scalars(select(ProfileVersion.text).where(
            ProfileVersion.model_id == model_id).order_by(ProfileVersion.number)).all()
    assert len(texts) == 2 and "Winner SAS" in texts[-1]


def test_documents_refuse_to_serve_altered_content(db: Database) -> None:
    actor = _actor(db)
    with db.write() as s:
        model = registry.create_model(s, actor, profile_text())
        doc = server_documents.build(s, actor, model.id, "assessment_report", "md")
    with db.write() as s:
        s.execute(update(Document).where(Document.id == doc.id).values(content=b"forged"))
    with pytest.raises(RuntimeError, match="does not match its SHA-256"), db.read() as s:
        server_documents.get_document(s, actor, doc.id)


def test_backup_restores_into_the_other_kind_of_database(world: World, tmp_path: Path,
                                                         pg_admin_url: str) -> None:
    from tests.server import pg

    world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                      headers=world.auth("editor"))
    before = world.client.get("/api/orgs/acme/export", headers=world.auth("admin")).json()
    dump = tmp_path / "backup.jsonl.gz"
    backup(world.db, dump)
    target_url = (pg.fresh_database(pg_admin_url) if world.db.is_sqlite
                  else f"sqlite:///{tmp_path / 'restored.db'}")
    target = Database(target_url)
    counts = restore(target, dump)
    assert counts["audit_events"] > 0
    with target.read() as s:
        assert audit.verify(s).ok
        assert s.scalar(select(func.count()).select_from(User)) == 4
        head = s.get(AuditHead, 1)
        assert head is not None
    with target.write() as s:  # serial ids continue after the restored rows
        org = s.scalar(select(Organisation).where(Organisation.slug == "acme"))
        assert org is not None
        user = accounts.create_user(s, "after@example.eu", PASSWORD, "test")
        accounts.set_role(s, org, user, "editor", "test")
    from fastapi.testclient import TestClient

    from gpact.api.app import create_app
    with TestClient(create_app(target)) as client:
        after = client.get("/api/orgs/acme/export", headers=world.auth("admin")).json()
    assert after["models"] == before["models"]
    with pytest.raises(Exception, match="already holds users"):
        restore(target, dump)
    target.dispose()



def test_a_pooled_connection_closed_by_postgresql_is_replaced(
        pg_admin_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pooled PostgreSQL connections are pinged only after sitting idle (``db.
    PING_AFTER_IDLE_SECONDS``): one in steady use is handed out without the extra round trip;
    one whose backend was ended while it sat in the pool (a restart, an idle timeout) is
    replaced before a request gets it, so the read succeeds."""
    from gpact.store import db as db_module
    from tests.server import pg

    database = Database(pg.fresh_database(pg_admin_url))
    pings: list[object] = []
    ping = database.engine.dialect.do_ping
    monkeypatch.setattr(database.engine.dialect, "do_ping",
                        lambda conn: pings.append(conn) or ping(conn))
    backend = text("SELECT pg_backend_pid()")
    with database.connection() as conn:
        mine = conn.execute(backend).scalar()
    with database.connection() as conn:  # back from the pool at once: not pinged
        assert conn.execute(backend).scalar() == mine
    assert pings == []
    with Database(pg_admin_url + "/postgres").connection() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": mine}).scalar()
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    with database.connection() as conn:
        assert conn.execute(backend).scalar() != mine
    assert len(pings) == 1  # the dead one's, which failed; the new connection needs none
    database.dispose()
