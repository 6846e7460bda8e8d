"""`gpact serve`, `gpact audit verify`, `gpact backup`, `gpact restore`: running the server."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gpact.cli.common import FORMAT_OPTION, Format, print_json
from gpact.errors import InputError

if TYPE_CHECKING:
    from gpact.store import Database

DB_OPTION = typer.Option(None, "--db", help="Database: a SQLite file or a postgresql:// URL "
                         "(default: $GPACT_DATABASE_URL, else ./gpact.db).")
CHECKPOINTS_OPTION = typer.Option(
    None, "--audit-checkpoints", help="The audit checkpoint file (default: "
    "$GPACT_AUDIT_CHECKPOINTS, else next to a SQLite file, else under $GPACT_STATE_DIR).")
audit_app = typer.Typer(help="Check the tamper-evident audit trail.", no_args_is_help=True)


def _open(db_url: str | None, *, migrate: bool = True,
          checkpoints: Path | None = None) -> Database:
    try:
        from gpact.store import Database, upgrade
    except ImportError:
        raise InputError(None, None, "the server is an optional part: "
                         "pip install 'gpact[server]'") from None
    from sqlalchemy.exc import OperationalError

    from gpact.store.migrate import current_revision

    db = Database(db_url, checkpoints=checkpoints)
    where = db.engine.url.render_as_string()
    if db.is_sqlite and not migrate and not Path(db.engine.url.database or "").is_file():
        raise InputError(where, None, "no such database file")
    try:
        if migrate:
            upgrade(db)
        elif current_revision(db) is None:
            raise InputError(where, None, "not a gpact database (no gpact schema); "
                             "`gpact serve` or `gpact restore` creates one")
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0]
        raise InputError(where, None, f"cannot open the database: {reason}") from None
    return db


def _bootstrap(db: Database, org: str) -> None:
    """First run: create an admin (prompted, or from GPACT_ADMIN_EMAIL/PASSWORD) and an org."""
    from sqlalchemy import func, select

    from gpact.services import accounts
    from gpact.services.server_errors import ServiceError
    from gpact.store.models import User

    with db.read() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return
    email = os.environ.get("GPACT_ADMIN_EMAIL")
    password = os.environ.get("GPACT_ADMIN_PASSWORD")
    if not (email and password):
        if not sys.stdin.isatty():
            raise InputError(None, "GPACT_ADMIN_EMAIL/GPACT_ADMIN_PASSWORD", "first run without a "
                             "terminal: set both to create the administrator")
        typer.echo("First run: create the administrator account.")
        email = typer.prompt("Admin e-mail")
        password = typer.prompt("Password (10+ characters)", hide_input=True,
                                confirmation_prompt=True)
    try:
        with db.write() as session:
            organisation = accounts.create_organisation(session, org, org, "gpact serve")
            user = accounts.create_user(session, email, password, "gpact serve")
            accounts.set_role(session, organisation, user, "admin", "gpact serve")
    except ServiceError as exc:
        raise InputError(None, "administrator", exc.message) from None
    typer.echo(f"Created administrator {user.email} of organisation '{org}'.")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    db_url: str | None = DB_OPTION,
    org: str = typer.Option("default", "--org", help="Organisation created on the first run."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies",
                                        help="Mark session cookies Secure (behind HTTPS)."),
    workers: int = typer.Option(1, "--workers", min=1, max=64,
                                help="Server processes (each with its own login rate limit)."),
    checkpoints: Path | None = CHECKPOINTS_OPTION,
    forwarded_allow_ips: str | None = typer.Option(
        None, "--forwarded-allow-ips",
        help="Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed; default: none, the connecting address counts."),
) -> None:
    """Run the web app and REST API (creates and migrates the database when needed)."""
    import uvicorn

    from gpact.api.app import create_app

    db = _open(db_url, checkpoints=checkpoints)
    _bootstrap(db, org)
    from gpact.api.logs import configure_logging

    configure_logging()
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    typer.echo(f"gpact serving on http://{shown}:{port}/ (API: /api, OpenAPI: "
               f"/api/openapi.json; database {db.engine.url.render_as_string()})")
    # uvicorn's own proxy-header handling is off: it would believe X-Forwarded-For from
    # 127.0.0.1 by default; the app applies --forwarded-allow-ips itself (tested there).
    if workers == 1:
        uvicorn.run(create_app(db, secure_cookies=secure_cookies,
                               forwarded_allow_ips=forwarded_allow_ips), host=host, port=port,
                    log_config=None, access_log=False, timeout_keep_alive=30,
                    proxy_headers=False)
        return
    os.environ["GPACT_DATABASE_URL"] = db.engine.url.render_as_string(hide_password=False)
    os.environ["GPACT_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    os.environ["GPACT_FORWARDED_ALLOW_IPS"] = forwarded_allow_ips or ""
    if db.checkpoints is not None:
        os.environ["GPACT_AUDIT_CHECKPOINTS"] = str(db.checkpoints)
    db.dispose()
    uvicorn.run("gpact.api.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_config=None, access_log=False, timeout_keep_alive=30,
                proxy_headers=False)


@audit_app.command("verify")
def verify(
    db_url: str | None = DB_OPTION,
    expect_head: str | None = typer.Option(None, "--expect-head",
                                           help="Head hash recorded earlier, to anchor the "
                                           "chain."),
    checkpoints: Path | None = CHECKPOINTS_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Check every audit event against its hash, its predecessor and the checkpoint file,
    and the stored profiles, records and documents against their events; exit 1 on any
    break."""
    from gpact.store import audit

    db = _open(db_url, migrate=False, checkpoints=checkpoints)
    with db.read() as session:
        result = audit.verify(session, expect_head, db.checkpoints)
    where = str(db.checkpoints) if db.checkpoints else None
    if fmt is Format.json:
        print_json({"ok": result.ok, "events": result.events, "head": result.head_hash,
                    "checkpoint_file": where, "checkpoints": result.checkpoints,
                    "checked": result.checked, "unrecorded": result.unrecorded,
                    "problems": result.problems})
    else:
        for problem in result.problems:
            typer.echo(f"BROKEN: {problem}")
        if not result.checkpoints:
            typer.echo(f"note: no checkpoints in {where or 'any file'}: a cut tail or a wiped "
                       "log cannot be told from a new database", err=True)
        checked = ", ".join(f"{n} {kind}" for kind, n in result.checked.items())
        typer.echo(f"content checked against the audit events: {checked}"
                   + (f" ({result.unrecorded} older profile versions have no recorded hash)"
                      if result.unrecorded else ""))
        state = "intact" if result.ok else "BROKEN"
        typer.echo(f"audit chain {state}: {result.events} events, {result.checkpoints} "
                   f"checkpoints in {where}, head {result.head_hash}")
    if not result.ok:
        raise typer.Exit(1)


def backup(out: Path = typer.Argument(..., help="Backup file to write (.jsonl.gz)."),
           db_url: str | None = DB_OPTION) -> None:
    """Write the whole database to one file (restorable into SQLite or PostgreSQL)."""
    from gpact.store.backup import backup as run
    from gpact.store.backup import row_count
    from gpact.store.migrate import current_revision, head_revision

    db = _open(db_url, migrate=False)
    if current_revision(db) != head_revision():
        raise InputError(db.engine.url.render_as_string(), None, f"schema revision "
                         f"{current_revision(db)} is older than this gpact's {head_revision()}: "
                         "upgrade it first (`gpact serve` upgrades on start)")
    with _progress("backing up", row_count(db) if sys.stderr.isatty() else None) as step:
        counts = run(db, out, step)
    typer.echo(f"backed up {sum(counts.values())} rows to {out}")


def restore(source: Path = typer.Argument(..., help="Backup file made by `gpact backup`."),
            db_url: str | None = DB_OPTION) -> None:
    """Load a backup into an empty database and check its audit chain."""
    from gpact.store import audit
    from gpact.store.backup import restore as run

    if not source.is_file():
        raise InputError(str(source), None, "no such file")
    db = _open(db_url)  # creates the schema in a new database
    with _progress("restoring", None) as step:
        counts = run(db, source, step)
    with db.read() as session:
        result = audit.verify(session, checkpoints=db.checkpoints)
    for problem in result.problems:
        typer.echo(f"BROKEN: {problem}")
    typer.echo(f"restored {sum(counts.values())} rows; audit chain "
               f"{'intact' if result.ok else 'BROKEN'} ({result.events} events)")
    if not result.ok:
        raise typer.Exit(1)


@contextmanager
def _progress(what: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal (rows done, of ``total`` if known); silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda rows: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda rows: bar.advance(task, rows)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(audit_app, name="audit")
    app.command("backup")(backup)
    app.command("restore")(restore)
