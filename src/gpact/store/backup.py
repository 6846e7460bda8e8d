"""Backups as a logical dump: gzip'd JSON Lines, one row per line, any database to any other.

A dump from SQLite restores into PostgreSQL and back. The restore refuses a database that
already holds data, and checks the audit chain of what it restored. The header carries the
audit head at the time of the backup (an anchor outside the database); a restore checks the
rows end there and writes it to the new database's checkpoint file.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, LargeBinary, Table, func, insert, select, text
from sqlalchemy.orm import Session

from gpact import __version__
from gpact.errors import InputError
from gpact.store import audit, deadline_rows
from gpact.store.db import Database
from gpact.store.migrate import current_revision, head_revision, upgrade
from gpact.store.models import AuditEvent, Base, User, UTCDateTime

FORMAT = "gpact-backup/1"
BATCH = 500


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        column = table.c[name]
        if value is None:
            out[name] = None
        elif isinstance(column.type, LargeBinary):
            out[name] = base64.b64decode(value["$b64"])
        elif isinstance(column.type, UTCDateTime | DateTime):
            parsed = dt.datetime.fromisoformat(value)
            out[name] = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        elif isinstance(column.type, Date):
            out[name] = dt.date.fromisoformat(value)
        else:
            out[name] = value
    return out


Progress = Callable[[int], None]


def _quiet(rows: int) -> None:
    return None


def row_count(db: Database) -> int:
    """Rows in all tables (for a progress bar)."""
    with db.read() as session:
        return sum(session.scalar(select(func.count()).select_from(t)) or 0
                   for t in Base.metadata.sorted_tables)


def backup(db: Database, out: Path, progress: Progress = _quiet) -> dict[str, int]:
    """Write every table to ``out``; returns the row count per table. ``progress`` is told
    how many rows were written, every ``BATCH`` rows."""
    counts: dict[str, int] = {}
    with db.read() as session, gzip.open(out, "wt", encoding="utf-8") as fh:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"}
                           if not db.is_sqlite else {})
        header = {"format": FORMAT, "gpact_version": __version__,
                  "revision": current_revision(db),
                  "created_at": dt.datetime.now(dt.UTC).isoformat(),
                  "audit_head": audit.anchor(session)}  # an anchor kept with the copy
        fh.write(json.dumps(header) + "\n")
        for table in Base.metadata.sorted_tables:
            counts[table.name] = 0
            rows = session.execute(select(table).order_by(*table.primary_key.columns)
                                   .execution_options(yield_per=BATCH))
            for row in rows.mappings():
                fh.write(json.dumps({"t": table.name,
                                     "r": {k: _encode(v) for k, v in row.items()}}) + "\n")
                counts[table.name] += 1
                if counts[table.name] % BATCH == 0:
                    progress(BATCH)
            progress(counts[table.name] % BATCH)
    return counts


def _lines(fh: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(fh, 1):
        try:
            yield json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(name, f"line {n}", f"not a gpact backup: {exc.msg}") from None


def restore(db: Database, source: Path, progress: Progress = _quiet) -> dict[str, int]:
    """Load a backup into an empty database (migrated to the backup's schema first)."""
    upgrade(db)
    with db.read() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise InputError(str(db.url), None, "the database already holds users; restore "
                             "into an empty database")
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    counts: dict[str, int] = {}
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        lines = _lines(fh, str(source))
        try:
            header = next(lines, None)
        except (OSError, EOFError) as exc:
            raise InputError(str(source), None, f"cannot read backup: {exc}") from None
        if not header or header.get("format") != FORMAT:
            raise InputError(str(source), "line 1", f"not a {FORMAT} file")
        if header.get("revision") != head_revision():
            raise InputError(str(source), "revision", f"backup schema {header.get('revision')}"
                             f" differs from this gpact's {head_revision()}; restore with the "
                             "gpact version that made it, then upgrade")
        try:
            _load(db, tables, lines, counts, str(source), progress, header.get("audit_head"))
        except (OSError, EOFError, KeyError, TypeError, ValueError) as exc:
            raise InputError(str(source), None, f"damaged backup, nothing restored: "
                             f"{type(exc).__name__}: {exc}") from None
    with db.read() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
                               ).first()
    if last is not None:
        audit.write_checkpoints(db.checkpoints, [(last.seq, last.hash)])
    db.analyze()
    return counts


def _load(db: Database, tables: dict[str, Table], lines: Iterator[dict[str, Any]],
          counts: dict[str, int], name: str, progress: Progress,
          recorded: Any = None) -> None:
    """Insert every row in one transaction: a damaged file leaves the database empty.
    ``recorded`` is the header's audit head: the rows must end at that event."""
    last: tuple[Any, Any] = (0, audit.GENESIS)
    with db.write() as session:
        batch: list[dict[str, Any]] = []
        current: str | None = None
        for item in lines:
            if item["t"] not in tables:
                raise InputError(name, "table", f"unknown table {item['t']!r}")
            if item["t"] != current or len(batch) >= BATCH:
                _flush(session, tables, current, batch)
                progress(len(batch))
                batch, current = [], item["t"]
            batch.append(_decode(tables[item["t"]], item["r"]))
            counts[item["t"]] = counts.get(item["t"], 0) + 1
            if item["t"] == "audit_events":
                last = (item["r"]["seq"], item["r"]["hash"])
        _flush(session, tables, current, batch)
        if "current_deadlines" not in counts:  # a backup made before the table existed
            deadline_rows.rebuild(session)
        if isinstance(recorded, dict) and (recorded.get("seq"), recorded.get("hash")) != last:
            raise InputError(name, "audit_head", f"the header records audit event "
                             f"{recorded.get('seq')} as the head but the rows end at event "
                             f"{last[0]}: the file was altered; nothing restored")
        if not db.is_sqlite:
            _reset_sequences(session)


def _flush(session: Session, tables: dict[str, Table], name: str | None,
           batch: list[dict[str, Any]]) -> None:
    if name and batch:
        session.execute(insert(tables[name]), batch)


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move each serial id past the restored rows."""
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto"
                                                 and column.type.python_type is int):
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))
