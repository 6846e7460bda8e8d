"""The audit head anchored outside the table, and stored content checked against the events."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from gpact.cli.main import main
from gpact.errors import InputError
from gpact.services import accounts, registry, server_documents
from gpact.services.server_errors import Conflict
from gpact.store import Database, audit
from gpact.store.backup import backup, restore
from gpact.store.models import (
    AuditEvent,
    AuditHead,
    Document,
    ProfileVersion,
    RecordVersion,
)
from tests.server.conftest import World, profile_text


def _actor(db: Database) -> accounts.Actor:
    with db.write() as s:
        org = accounts.create_organisation(s, "acme", "Acme", "test")
        user = accounts.create_user(s, "ana@example.eu", "correct horse battery", "test")
        accounts.set_role(s, org, user, "admin", "test")
        return accounts.actor_for(s, user, "acme")


def _filled(db: Database) -> tuple[accounts.Actor, int, int]:
    actor = _actor(db)
    with db.write() as s:
        model = registry.create_model(s, actor, profile_text())
        registry.update_profile(s, actor, model.id, profile_text().replace('"1.0"', '"1.1"'), 1)
        server_documents.save_record(s, actor, model.id, "gpact_record: 1\n", 2)
        doc = server_documents.build(s, actor, model.id, "assessment_report", "md")
    return actor, model.id, doc.id


def _verify(db: Database, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", db.engine.url.render_as_string(hide_password=False)])
    return code, capsys.readouterr().out


def test_every_commit_appends_its_head_to_the_checkpoint_file(db: Database) -> None:
    assert db.checkpoints is not None
    _filled(db)
    lines = [json.loads(x) for x in db.checkpoints.read_text().splitlines()]
    with db.read() as s:
        head = s.get(AuditHead, 1)
        assert head is not None
    assert lines[-1]["seq"] == head.seq and lines[-1]["hash"] == head.hash
    assert [x["seq"] for x in lines] == sorted(x["seq"] for x in lines)


def test_a_rolled_back_change_leaves_no_checkpoint(db: Database) -> None:
    actor, model_id, _ = _filled(db)
    assert db.checkpoints is not None
    before = db.checkpoints.read_text()
    with pytest.raises(Conflict), db.write() as s:
        registry.update_profile(s, actor, model_id, profile_text(), 1)  # stale version
    assert db.checkpoints.read_text() == before


def test_a_cut_tail_is_found_without_flags(db: Database,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _filled(db)
    assert _verify(db, capsys)[0] == 0
    with db.write() as s:  # cut the last two events and move the head back to match
        last = s.scalar(select(func.max(AuditEvent.seq))) or 0
        s.execute(delete(AuditEvent).where(AuditEvent.seq > last - 2))
        kept = s.get(AuditEvent, last - 2)
        assert kept is not None
        s.execute(update(AuditHead).values(seq=kept.seq, hash=kept.hash))
    code, out = _verify(db, capsys)
    assert code == 1 and f"checkpoint file records event {last}" in out
    assert "cut off the end" in out


def test_a_wiped_log_is_found_without_flags(db: Database,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _filled(db)
    with db.write() as s:
        s.execute(delete(AuditEvent))
        s.execute(delete(AuditHead))
    code, out = _verify(db, capsys)
    assert code == 1 and "the audit log was wiped" in out
    assert "no audit event records it" in out  # and the content has no events either


def test_a_rewritten_chain_differs_from_the_checkpoints(db: Database,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """Rebuilding every hash after an edit keeps the chain consistent, not the checkpoints."""
    _filled(db)
    with db.write() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev = audit.GENESIS
        for event in events:
            if event.seq == 3:
                event.actor = "mallory"
            event.prev_hash = prev
            event.hash = prev = audit.event_hash(event)
        s.execute(update(AuditHead).values(hash=prev))
    code, out = _verify(db, capsys)
    assert code == 1 and "event 3: differs from the checkpoint file" in out


@pytest.mark.parametrize("table", ["profile", "record", "document"])
def test_content_changed_with_its_hash_column_is_found(
        db: Database, capsys: pytest.CaptureFixture[str], table: str) -> None:
    _, model_id, doc_id = _filled(db)
    forged = "gpact: 1\nforged: true\n"
    import hashlib
    sha = hashlib.sha256(forged.encode()).hexdigest()
    with db.write() as s:
        if table == "profile":
            s.execute(update(ProfileVersion).where(ProfileVersion.model_id == model_id,
                                                   ProfileVersion.number == 1)
                      .values(text=forged, sha256=sha))
        elif table == "record":
            s.execute(update(RecordVersion).values(text=forged, sha256=sha))
        else:
            s.execute(update(Document).where(Document.id == doc_id)
                      .values(content=forged.encode(), sha256=sha))
    code, out = _verify(db, capsys)
    assert code == 1
    assert {"profile": "profile version 1: differs from the SHA-256 its audit event",
            "record": "record version 1: no audit event recorded this content",
            "document": f"document {doc_id}: no audit event recorded this content"}[table] in out


def test_intact_database_reports_what_it_checked(db: Database,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _filled(db)
    code, out = _verify(db, capsys)
    assert code == 0, out
    assert "2 profiles, 1 records, 1 documents" in out and "checkpoints in" in out


def test_a_torn_last_checkpoint_line_is_tolerated(db: Database,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _filled(db)
    assert db.checkpoints is not None
    with db.checkpoints.open("a") as fh:
        fh.write('{"seq": 99, "ha')  # a crash in the middle of a write
    assert _verify(db, capsys)[0] == 0


def test_imported_content_is_checked_too(world: World,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                      headers=world.auth("editor"))
    data = world.client.get("/api/orgs/acme/export", headers=world.auth("admin")).json()
    assert data["audit_head"]["seq"] > 0
    data["authors"] = {"editor@example.eu": "rival@example.eu"}
    assert world.client.post("/api/orgs/rival/import", json=data,
                             headers=world.auth("rival")).status_code == 201
    assert _verify(world.db, capsys)[0] == 0


def test_backups_carry_the_head_and_restore_checks_it(db: Database, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    _filled(db)
    dump = tmp_path / "backup.jsonl.gz"
    backup(db, dump)
    with gzip.open(dump, "rt") as fh:
        lines = fh.read().splitlines()
    header = json.loads(lines[0])
    with db.read() as s:
        assert header["audit_head"]["hash"] == audit.anchor(s)["hash"]
    # a restore writes the head to the new database's checkpoint file
    target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(target, dump)
    assert target.checkpoints is not None
    assert json.loads(target.checkpoints.read_text())["hash"] == header["audit_head"]["hash"]
    assert _verify(target, capsys)[0] == 0
    # a backup whose last events were cut (header left as it was) is refused
    cut = [line for line in lines if not (json.loads(line).get("t") == "audit_events"
                                          and json.loads(line)["r"]["seq"] == header[
                                              "audit_head"]["seq"])]
    altered = tmp_path / "altered.jsonl.gz"
    with gzip.open(altered, "wt") as fh:
        fh.write("\n".join(cut) + "\n")
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    with pytest.raises(InputError, match="the file was altered; nothing restored"):
        restore(other, altered)
    with other.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
    target.dispose()
    other.dispose()
