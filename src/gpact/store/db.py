"""Connecting to the database: one SQLite file by default, PostgreSQL for a team.

Writes go through :meth:`Database.write`, with **group commit**: the writers of a process
take turns on one gate, and a writer that finds others queued behind it leaves its
transaction open for them instead of committing; the last of the group (or the one that
finds the group full or old enough) commits them all, with one fsync. Each writer's work runs
in a savepoint of the shared transaction, so one that fails is rolled back alone, and no
writer returns before the commit that made its change durable. The audit chain is appended
in gate order, so it stays one exact chain. On SQLite the transaction is opened with
``BEGIN IMMEDIATE`` (writers of other processes queue on SQLite's lock); on PostgreSQL the
audit chain takes a transaction-scoped advisory lock (see ``audit.append``), once per group.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError
from sqlalchemy.orm import Session

from gpact.errors import InputError
from gpact.store import audit

DEFAULT_DB_FILE = "gpact.db"
ENV_URL = "GPACT_DATABASE_URL"
ENV_CHECKPOINTS = "GPACT_AUDIT_CHECKPOINTS"  # the audit checkpoint file, if not the default
ENV_STATE = "GPACT_STATE_DIR"  # where PostgreSQL databases' checkpoint files go by default
# What a read query runs on: a session, or the bare connection of ``Database.connection``.
Reader = Session | Connection
# A group commits when nobody is queued behind it, or once it holds this many writers or
# its first writer has waited this long (so it, and other processes' writers waiting on the
# database's lock, do not wait long).
GROUP_MAX_WRITERS = 32
GROUP_MAX_SECONDS = 0.025
# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out
# (one round trip); one in steady use is not (``pool_pre_ping`` pinged on every checkout,
# a third of a short read's round trips).
PING_AFTER_IDLE_SECONDS = 2.0


class WriteGroupFailed(RuntimeError):
    """The shared transaction failed (commit, or a rollback of the whole transaction by the
    database): no writer of the group was committed."""


class _Group:
    """One write transaction shared by writers that queued behind each other."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        try:
            self.transaction = conn.begin()
        except BaseException:
            conn.close()
            raise
        self.started = time.monotonic()  # reset when its first writer is done
        self.writers = 0
        self.heads: list[tuple[int, str]] = []  # the audit head after each writer
        self.chain: tuple[int, str] | None = None  # the audit head, once locked and read
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.discard = False  # its first writer failed: rolled back, nobody else in it


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
        self.engine: Engine = create_engine(self.url, **kwargs)
        self._autocommit = self.engine
        self._gate = threading.Lock()  # one writer of this process at a time
        self._queued = 0  # writers waiting for the gate (changed under _count)
        self._count = threading.Lock()
        self._group: _Group | None = None  # the open transaction, while writers queue
        self._holder: int | None = None  # the thread in the gate
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        else:
            _ping_when_idle(self.engine)
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
        """A transaction that commits when the block ends (rolls back on an exception), in a
        group commit with the writers queued behind it (see the module's docstring). Returns
        once the change is committed. A write opened inside another (same thread) gets a
        transaction of its own, as before: on SQLite it fails on the busy timeout."""
        if self._holder == threading.get_ident():
            with self._write_alone() as session:
                yield session
            return
        with self._count:
            self._queued += 1
        self._gate.acquire()
        with self._count:
            self._queued -= 1
        self._holder = threading.get_ident()
        group: _Group | None = None
        ok = False
        try:
            group = self._group or _Group(self._write_connection())
            self._group = group
            chain_before = group.chain
            # the group's first writer needs no savepoint: if it fails, the whole (so far
            # empty) transaction is rolled back
            first = group.writers == 0
            session = Session(bind=group.conn, expire_on_commit=False,
                              join_transaction_mode="rollback_only" if first
                              else "create_savepoint")
            session.info[audit.GROUP_KEY] = group
            try:
                yield session
                session.commit()  # releases this writer's savepoint, if it has one
                ok = True
            except BaseException:
                # to this writer's savepoint; for the first writer ("rollback_only") the
                # whole transaction, which then leaves the group's connection
                session.rollback()
                group.chain = chain_before
                if first:
                    group.discard = True
                raise
            finally:
                session.close()
                if not group.discard and not self._in_transaction(group.conn):
                    group.error = WriteGroupFailed("the database rolled the write "
                                                   "transaction back")
            if group.error is not None:
                raise group.error
            group.writers += 1
            if group.writers == 1:  # the bound is on how long the first one waits
                group.started = time.monotonic()
            head = session.info.get(audit.HEAD_KEY)
            if head is not None:
                group.heads.append(head)
        finally:
            if group is not None and (group.discard or group.error is not None
                                      or not self._keep_open(group)):
                self._group = None
                self._commit(group)
            self._holder = None
            self._gate.release()
        if ok:
            group.done.wait()
            if group.error is not None:
                raise group.error

    def _keep_open(self, group: _Group) -> bool:
        with self._count:
            queued = self._queued
        return bool(queued) and group.writers < GROUP_MAX_WRITERS and \
            time.monotonic() - group.started < GROUP_MAX_SECONDS

    def _commit(self, group: _Group) -> None:
        """Commit (or, after a failure, roll back) the group and wake its writers; then
        anchor the new heads outside the database, in one append."""
        try:
            if group.error is None and group.writers:
                group.transaction.commit()
            elif group.transaction.is_active:
                group.transaction.rollback()
        except BaseException as exc:
            group.error = WriteGroupFailed(f"commit failed: {exc}")
        finally:
            group.conn.close()
            group.done.set()
        if group.error is None and group.heads:
            audit.write_checkpoints(self.checkpoints, group.heads)

    def _write_connection(self) -> Connection:
        return self.engine.connect().execution_options(gpact_write=True)

    def _in_transaction(self, conn: Connection) -> bool:
        """Whether the shared transaction is still open in the database (SQLite rolls a
        whole transaction back on some errors, e.g. a full disk)."""
        if not conn.in_transaction() or conn.closed:
            return False
        raw = conn.connection.dbapi_connection
        return bool(raw.in_transaction) if self.is_sqlite and raw is not None else True

    @contextmanager
    def _write_alone(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={"gpact_write": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            head = session.info.pop(audit.HEAD_KEY, None)
            if head is not None:  # committed: anchor the new head outside the database
                audit.write_checkpoints(self.checkpoints, [head])

    def analyze(self) -> None:
        """Refresh PostgreSQL's table statistics after a bulk load: until autovacuum comes
        by, its planner takes the loaded tables for nearly empty (a deep obligations page
        then hash-joins and sorts every row: 80 ms instead of 5). SQLite plans without
        statistics; nothing to do there."""
        if not self.is_sqlite:
            with self._autocommit.connect() as conn:
                conn.exec_driver_sql("ANALYZE")

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


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection on checkout only if it sat in the pool for a while (a server
    restart or an idle timeout may have closed it); if the ping fails the pool replaces it
    (SQLAlchemy's recipe for pessimistic disconnect handling). A connection closed while
    in steady use fails its next statement instead; SQLAlchemy then drops every connection
    of the pool, so only the requests already running see the error."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["gpact_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("gpact_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("pooled connection is gone") from exc
