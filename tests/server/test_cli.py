"""`gpact serve` first run, `backup`/`restore` and `audit verify` on bad input."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from gpact.cli.main import main
from gpact.store import Database, upgrade
from gpact.store.models import Membership, User
from tests.server.conftest import PASSWORD


def test_first_run_without_terminal_needs_the_admin_from_the_environment(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GPACT_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("GPACT_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["serve", "--db", str(tmp_path / "g.db")]) == 2
    err = capsys.readouterr().err
    assert "GPACT_ADMIN_EMAIL/GPACT_ADMIN_PASSWORD" in err and "Traceback" not in err


def test_first_run_creates_admin_and_prints_the_url(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(kw))
    monkeypatch.setenv("GPACT_ADMIN_EMAIL", "Admin@Example.eu")
    monkeypatch.setenv("GPACT_ADMIN_PASSWORD", PASSWORD)
    db_file = tmp_path / "g.db"
    assert main(["serve", "--db", str(db_file), "--port", "8123", "--org", "lab"]) == 0
    out = capsys.readouterr().out
    assert "Created administrator admin@example.eu of organisation 'lab'" in out
    assert "http://localhost:8123/" in out
    assert served["host"] == "127.0.0.1" and served["port"] == 8123
    db = Database(str(db_file))
    with db.read() as s:
        user = s.scalar(select(User))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert s.scalar(select(Membership.role)) == "admin"
    db.dispose()
    monkeypatch.setenv("GPACT_ADMIN_PASSWORD", "short")  # second run: no new admin
    assert main(["serve", "--db", str(db_file)]) == 0
    assert "Created administrator" not in capsys.readouterr().out


def test_weak_admin_password_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setenv("GPACT_ADMIN_EMAIL", "a@example.eu")
    monkeypatch.setenv("GPACT_ADMIN_PASSWORD", "short")
    assert main(["serve", "--db", str(tmp_path / "g.db")]) == 2
    assert "at least 10 characters" in capsys.readouterr().err


def test_bad_databases_and_backups_are_one_line_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--db", str(tmp_path / "none.db")]) == 2
    assert "no such database file" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "none.gz"), "--db", str(tmp_path / "r.db")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write('{"format": "something else"}\n')
    assert main(["restore", str(bad), "--db", str(tmp_path / "r.db")]) == 2
    assert "not a gpact-backup/1 file" in capsys.readouterr().err
    assert main(["audit", "verify", "--db", "mysql://x@localhost/db"]) == 2
    assert "unsupported database" in capsys.readouterr().err


def test_backup_and_restore_commands(sqlite_db: Database, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from gpact.services import accounts

    with sqlite_db.write() as s:
        accounts.create_organisation(s, "acme", "Acme", "test")
    url = sqlite_db.engine.url.render_as_string()
    dump = tmp_path / "b.jsonl.gz"
    assert main(["backup", str(dump), "--db", url]) == 0
    assert main(["restore", str(dump), "--db", str(tmp_path / "r.db")]) == 0
    assert "audit chain intact (1 events)" in capsys.readouterr().out
    old = tmp_path / "old.db"
    old_db = Database(str(old))
    upgrade(old_db, "0002")
    old_db.dispose()
    assert main(["backup", str(tmp_path / "o.jsonl.gz"), "--db", str(old)]) == 2
    assert "upgrade it first" in capsys.readouterr().err
    truncated = tmp_path / "t.jsonl.gz"
    truncated.write_bytes(dump.read_bytes()[:-20])
    assert main(["restore", str(truncated), "--db", str(tmp_path / "r2.db")]) == 2
    assert "damaged backup, nothing restored" in capsys.readouterr().err
