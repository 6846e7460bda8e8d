"""Fixtures for the server tests: databases (SQLite and PostgreSQL), an app and its users."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gpact.api.app import create_app
from gpact.services import accounts
from gpact.store import Database, upgrade
from tests.server import pg

PROFILES = Path(__file__).parent / "profiles"
PASSWORD = "correct horse battery"


def profile_text(name: str = "example-70b") -> str:
    return (PROFILES / f"{name}.yaml").read_text()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    if os.environ.get("GPACT_TEST_POSTGRES") == "skip":
        pytest.skip("GPACT_TEST_POSTGRES=skip")
    if os.environ.get("GPACT_TEST_POSTGRES_URL"):
        yield os.environ["GPACT_TEST_POSTGRES_URL"].rstrip("/")
        return
    try:
        with pg.cluster() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(autouse=True, scope="session")
def _checkpoints_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """PostgreSQL databases' audit checkpoint files go under the state folder: a temporary
    one, not ~/.local/state (SQLite files keep theirs next to the database)."""
    os.environ["GPACT_STATE_DIR"] = str(tmp_path_factory.mktemp("state"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests hash many passwords: use argon2id with minimal cost (production keeps the default)."""
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                           parallelism=1))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind (every test using it runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gpact.db'}"
    return pg.fresh_database(request.getfixturevalue("pg_admin_url"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "gpact.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> str:
    url = pg.fresh_database(pg_admin_url)
    database = Database(url)
    upgrade(database)
    database.dispose()
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database of each kind (every test using it runs on both)."""
    if request.param == "sqlite":
        url = _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        url = pg.fresh_database(request.getfixturevalue("pg_admin_url"),
                                request.getfixturevalue("pg_template"))
    database = Database(url)
    yield database
    database.dispose()


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    target = tmp_path / "gpact.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    database = Database(_sqlite_copy(sqlite_template, tmp_path))
    yield database
    database.dispose()


@dataclass
class World:
    """Two organisations: ``acme`` (admin, editor, viewer) and ``rival`` (its own admin)."""

    db: Database
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    actors: dict[str, accounts.Actor] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def populate(db: Database, client: TestClient) -> World:
    world = World(db, client)
    with db.write() as s:
        acme = accounts.create_organisation(s, "acme", "Acme AI", "test")
        rival = accounts.create_organisation(s, "rival", "Rival AI", "test")
        for who, org, role in (("admin", acme, "admin"), ("editor", acme, "editor"),
                               ("viewer", acme, "viewer"), ("rival", rival, "admin")):
            user = accounts.create_user(s, f"{who}@example.eu", PASSWORD, "test")
            accounts.set_role(s, org, user, role, "test")
            actor = accounts.actor_for(s, user, org.slug)
            world.tokens[who], _ = accounts.create_token(s, actor, f"{who} token",
                                                         ["read", "write", "admin"])
            world.actors[who] = actor
    return world


def make_world(db: Database) -> Iterator[World]:
    with TestClient(create_app(db, login_attempts=3)) as client:
        yield populate(db, client)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    yield from make_world(db)


@pytest.fixture
def sqlite_world(sqlite_db: Database) -> Iterator[World]:
    yield from make_world(sqlite_db)
