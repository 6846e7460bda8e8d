"""`gpact reminders send`: e-mail each member what is coming up (run it daily from cron)."""

from __future__ import annotations

import datetime as dt
import smtplib

import typer

from gpact.cli.server import DB_OPTION, _open
from gpact.errors import InputError

app = typer.Typer(help="E-mail reminders of deadlines and incident clocks.",
                  no_args_is_help=True)


@app.command("send")
def send(
    db_url: str | None = DB_OPTION,
    smtp_host: str | None = typer.Option(None, "--smtp-host", help="SMTP server (default "
                                         "$GPACT_SMTP_HOST, else localhost)."),
    smtp_port: int | None = typer.Option(None, "--smtp-port", min=1, max=65535,
                                         help="Port (default $GPACT_SMTP_PORT, else 25)."),
    sender: str | None = typer.Option(None, "--from", help="Sender address (default "
                                      "$GPACT_SMTP_FROM)."),
    days: int = typer.Option(14, "--days", min=1, max=366, help="Obligations due within "
                             "this many days (and overdue ones)."),
    clock_hours: int = typer.Option(72, "--clock-hours", min=1, max=24 * 60,
                                    help="Incident and request clocks due within this many "
                                    "hours (and passed ones)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print who would get what; send "
                                 "nothing."),
) -> None:
    """Send each member one e-mail with the obligations they own that come due, and the
    running incident and request clocks; login (user/password) and STARTTLS from
    GPACT_SMTP_USER, GPACT_SMTP_PASSWORD, GPACT_SMTP_STARTTLS=1."""
    from gpact.services import reminders

    db = _open(db_url, migrate=False)
    with db.read() as session:
        found = reminders.collect(session, dt.date.today(), days, clock_hours)
    if dry_run:
        for email, items in found.items():
            typer.echo(f"{email}: {len(items)} items")
            for i in items:
                typer.echo(f"  {i.due} ({i.left}) {i.organisation} · {i.model}: {i.what}")
        return
    smtp = reminders.Smtp.from_env(smtp_host, smtp_port, sender)
    try:
        sent = reminders.send(found, smtp)
    except (OSError, smtplib.SMTPException, UnicodeError) as exc:  # not an SMTP server
        raise InputError(None, "--smtp-host", f"cannot send through {smtp.host}:{smtp.port}: "
                         f"{exc}") from None
    typer.echo(f"sent {sent} reminder e-mails through {smtp.host}:{smtp.port}")
