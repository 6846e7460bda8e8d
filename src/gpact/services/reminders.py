"""E-mail reminders: each member gets one message with what is coming up for them.

A member is reminded of the obligations they own that are not met and are due within
``days`` (or already overdue); administrators also of those nobody owns. Every editor,
reviewer and administrator is reminded of the running systemic-risk clocks (incident reports,
requests) due within ``clock_hours`` or passed: an incident clock is two to fifteen days
long, so it is everyone's business. The SMTP server comes from flags or the environment
(``GPACT_SMTP_HOST``, ``GPACT_SMTP_PORT``, ``GPACT_SMTP_FROM``, ``GPACT_SMTP_USER``,
``GPACT_SMTP_PASSWORD``, ``GPACT_SMTP_STARTTLS=1``); run it from cron.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpact import NOT_LEGAL_ADVICE
from gpact.services import accounts, obligations, server_risk
from gpact.services.accounts import Actor
from gpact.store.models import Organisation
from gpact.tracking import hours_left

DEFAULT_DAYS = 14
DEFAULT_CLOCK_HOURS = 72
RISK_KINDS = ("incident_initial_report", "incident_intermediate_report",
              "incident_final_report", "ai_office_request", "downstream_request")


@dataclass(frozen=True)
class Item:
    organisation: str
    model: str
    what: str
    due: dt.date
    left: str


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 25
    sender: str = "gpact@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_env(cls, host: str | None = None, port: int | None = None,
                 sender: str | None = None) -> Smtp:
        env = os.environ
        return cls(host=host or env.get("GPACT_SMTP_HOST", "localhost"),
                   port=port or int(env.get("GPACT_SMTP_PORT", "25")),
                   sender=sender or env.get("GPACT_SMTP_FROM", "gpact@localhost"),
                   user=env.get("GPACT_SMTP_USER"), password=env.get("GPACT_SMTP_PASSWORD"),
                   starttls=env.get("GPACT_SMTP_STARTTLS") == "1")


def _left(due: dt.date, now: dt.datetime) -> str:
    hours = hours_left(due, now) or 0.0
    if hours < 0:
        return f"passed {-hours / 24:.0f} days ago" if hours < -72 else \
            f"passed {-hours:.0f} hours ago"
    return f"{hours:.0f} hours left" if hours < 72 else f"{hours / 24:.0f} days left"


def collect(session: Session, today: dt.date, days: int = DEFAULT_DAYS,
            clock_hours: int = DEFAULT_CLOCK_HOURS,
            now: dt.datetime | None = None) -> dict[str, list[Item]]:
    """E-mail address → the items to remind them of, soonest first."""
    now = now or dt.datetime.now(dt.UTC)
    out: dict[str, list[Item]] = defaultdict(list)
    for org in session.scalars(select(Organisation).order_by(Organisation.slug)):
        reader = Actor(user_id=0, email="gpact reminders", org_id=org.id, org_slug=org.slug,
                       role="admin", scopes=("read",))
        members = accounts.members(session, reader)
        admins = [e for e, r in members if r == "admin"]
        workers = [e for e, r in members if r != "viewer"]
        p = obligations.portfolio(session, reader, today, limit=10_000)
        for row in p.rows:
            t = row.track
            if t.due is None or row.bucket not in ("overdue", "due_soon") \
                    or (t.due - today).days > days:
                continue
            item = Item(org.name, row.model, f"{t.title} ({t.source}): {t.state}", t.due,
                        _left(t.due, now))
            for email in ([t.owner] if t.owner else admins):
                out[email].append(item)
        for c in server_risk.org_clocks(session, reader, today):
            left = hours_left(c["due"], now)
            if c["status"] not in ("open", "overdue") or left is None or left > clock_hours:
                continue
            item = Item(org.name, c["model"], f"{c['title']} ({c['source']})", c["due"],
                        _left(c["due"], now))
            for email in workers:
                out[email].append(item)
    return {email: sorted(items, key=lambda i: (i.due, i.model, i.what))
            for email, items in out.items()}


def message(email: str, items: list[Item], sender: str) -> EmailMessage:
    msg = EmailMessage()
    overdue = sum("passed" in i.left for i in items)
    msg["Subject"] = (f"gpact: {len(items)} deadlines coming up"
                      + (f", {overdue} passed" if overdue else ""))
    msg["From"], msg["To"] = sender, email
    lines = ["Coming up in gpact:", ""]
    lines += [f"- {i.due} ({i.left}) · {i.organisation} · {i.model}: {i.what}" for i in items]
    lines += ["", NOT_LEGAL_ADVICE]
    msg.set_content("\n".join(lines))
    return msg


def send(reminders: dict[str, list[Item]], smtp: Smtp) -> int:
    """Send one message per member; returns how many were sent."""
    if not reminders:
        return 0
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        for email, items in reminders.items():
            client.send_message(message(email, items, smtp.sender))
    return len(reminders)
