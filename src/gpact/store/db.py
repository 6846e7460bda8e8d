"""Connecting to the database: one SQLite file by default, PostgreSQL for a team.

Writes go through :meth:`Database.write`. On SQLite it opens the transaction with
``BEGIN IMMEDIATE`` so two writers queue for the lock instead of one failing half-way; on
PostgreSQL the audit chain takes a transaction-scoped advisory lock (see ``audit.append``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from gpact.errors import InputError
from gpact.store import audit

DEFAULT_DB_FILE = "gpact.db"
ENV_URL = "GPACT_DATABASE_URL"
ENV_CHECKPOINTS = "GPACT_AUDIT_CHECKPOINTS"  # the audit checkpoint file, if not the default
ENV_STATE = "GPACT_STATE_DIR"  # where PostgreSQL databases' checkpoint files go by default
# What a read query runs on: a session, or the bare connection of ``Database.connection``.
Reader = Session | Connection


def resolve_url(value: str | None) -> str:
    """A database URL from ``--db``, ``GPACT_DATABASE_URL`` or ``./gpact.db``.

    A plain path means a SQLite file; ``postgresql://`` URLs use the psycopg 3 driver.
    """
    raw = value or os.environ.get(ENV_URL) or DEFAULT_DB_FILE
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InputError(None, "--db", f"not a database URL: {raw!r}") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(None, "--db", f"unsupported database {url.get_backend_name()!r}; "
                         "use a SQLite file or a postgresql:// URL")
    return raw


class Database:
    """An engine plus the two kinds of session the services use (read and write)."""

    def __init__(self, url: str | None, *, echo: bool = False,
                 checkpoints: str | Path | None = None) -> None:
        self.url = resolve_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self.checkpoints = checkpoint_path(self.url, checkpoints)
        # a kept connection for each of the server's worker threads (20) and the event loop,
        # so none is opened and closed per request under load; overflow for bursts
        kwargs: dict[str, Any] = {"echo": echo, "pool_size": 24, "max_overflow": 16}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        self._autocommit = self.engine
        # re-entrant, so a write opened inside another fails on SQLite's busy timeout as
        # before instead of waiting for itself
        self._writers: AbstractContextManager[Any] = (
            threading.RLock() if self.is_sqlite else nullcontext())
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        else:
            self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def read(self, *, autocommit: bool = False) -> Iterator[Session]:
        """A read-only session. ``autocommit`` (for the short reads of every API request):
        on PostgreSQL no transaction around the statements, which saves the BEGIN and
        ROLLBACK round trips and changes nothing else, as under its default READ COMMITTED
        each statement has its own snapshot anyway; not for server-side cursors
        (``yield_per``), which need a transaction. SQLite ignores it (one snapshot per read).
        """
        with Session(self._autocommit if autocommit else self.engine,
                     expire_on_commit=False) as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A pooled connection for the short reads of the hot API routes, as ``read(
        autocommit=True)`` but without a session: columns-only queries then skip the ORM's
        per-statement work (about a third of such a request's time)."""
        with self._autocommit.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits when the block ends and rolls back on an exception.

        On SQLite the writers of this process first queue on a lock of their own: SQLite's
        busy handler polls a held write lock with sleeps of up to 100 ms, so writers
        queued on it alone wait long after it was released; other processes still wait
        through the busy timeout."""
        with self._writers, Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={"gpact_write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            head = session.info.pop(audit.HEAD_KEY, None)
            if head is not None:  # committed: anchor the new head outside the database
                audit.write_checkpoint(self.checkpoints, *head)

    def dispose(self) -> None:
        self.engine.dispose()


def checkpoint_path(url: str, given: str | Path | None = None) -> Path | None:
    """Where the audit head is anchored: ``given``, else ``$GPACT_AUDIT_CHECKPOINTS``, else
    ``<file>.audit-checkpoints`` next to a SQLite file, else (PostgreSQL)
    ``$GPACT_STATE_DIR`` (default ``~/.local/state/gpact``)``/<host>_<port>_<db>.audit-
    checkpoints``. None for an in-memory SQLite database."""
    chosen = given or os.environ.get(ENV_CHECKPOINTS)
    if chosen:
        return Path(chosen).expanduser()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        return Path(f"{name}.audit-checkpoints") if name and name != ":memory:" else None
    state = Path(os.environ.get(ENV_STATE) or Path.home() / ".local" / "state" / "gpact")
    state.mkdir(parents=True, exist_ok=True)
    return state / f"{parsed.host or 'local'}_{parsed.port or 5432}_{parsed.database}" \
        ".audit-checkpoints"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun explicitly below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get("gpact_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
