"""Reminder e-mails, sent to a local SMTP server the test starts (aiosmtpd): owners get their
obligations, everyone who works on the model gets the running incident clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gpact.cli.main import main
from gpact.services import reminders
from tests.server.conftest import World, profile_text
from tests.server.pg import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _setup(world: World) -> None:
    r = world.client.post("/api/orgs/acme/models", json={"profile": profile_text()},
                          headers=world.auth("editor"))
    assert r.status_code == 201, r.text
    base = f"/api/orgs/acme/models/{r.json()['id']}"
    r = world.client.patch(f"{base}/obligations/technical_documentation",
                           json={"version": 1, "owner": "editor@example.eu"},
                           headers=world.auth("editor"))
    assert r.status_code == 200, r.text
    r = world.client.post(f"{base}/incidents", headers=world.auth("editor"), json={
        "id": "INC-1", "title": "Outage", "category": "critical_infrastructure",
        "aware_on": dt.date.today().isoformat(), "version": 1})
    assert r.status_code == 201, r.text


def test_reminders_go_to_owners_and_the_team(world: World, smtp: tuple[Inbox, int]) -> None:
    _setup(world)
    with world.db.read() as s:
        found = reminders.collect(s, dt.date.today())
    editor = found["editor@example.eu"]
    assert any("Technical documentation (Annex XI)" in i.what for i in editor)
    assert any("Initial report on incident INC-1" in i.what and "hours left" in i.left
               for i in editor)
    assert "viewer@example.eu" not in found  # viewers get no incident mail
    admin = found["admin@example.eu"]  # obligations nobody owns go to the admins
    assert any("Policy to comply with Union copyright law" in i.what for i in admin)
    assert not any("Technical documentation" in i.what for i in admin)
    assert "rival@example.eu" not in found

    inbox, port = smtp
    url = world.db.engine.url.render_as_string(hide_password=False)
    assert main(["reminders", "send", "--db", url, "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(port), "--from", "gpact@acme.eu"]) == 0
    to = {m["To"]: m for m in inbox.messages}
    assert set(to) == set(found)
    raw = to["editor@example.eu"].get_payload(decode=True)
    assert isinstance(raw, bytes)
    body = raw.decode()
    assert "Initial report on incident INC-1" in body
    assert "not legal advice" in body and to["editor@example.eu"]["From"] == "gpact@acme.eu"


def test_smtp_down_is_one_line_and_exit_2(world: World,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _setup(world)
    capsys.readouterr()  # only the command's own output counts (not the setup's log lines)
    url = world.db.engine.url.render_as_string(hide_password=False)
    assert main(["reminders", "send", "--db", url, "--smtp-host", "127.0.0.1",
                 "--smtp-port", str(free_port())]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --smtp-host: cannot send through") and "\n" not in err
    assert main(["reminders", "send", "--db", url, "--dry-run"]) == 0
    assert "editor@example.eu:" in capsys.readouterr().out
