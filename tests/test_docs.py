"""Documentation that fails the build when it falls behind the commands."""

from __future__ import annotations

from pathlib import Path

import typer

from gpact.cli.main import app
from gpact.cli.reference import reference

ROOT = Path(__file__).parent.parent


def test_cli_reference_is_current() -> None:
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == reference(), (
        "docs/cli.md is out of date: run `python -m gpact.cli.reference > docs/cli.md`")


def test_every_command_has_help_and_a_readme_mention() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    commands = getattr(root, "commands", {})
    assert len(commands) >= 5
    for name, cmd in commands.items():
        assert (cmd.help or "").strip(), f"`gpact {name}` has no help text"
        assert f"gpact {name}" in readme, f"`gpact {name}` is not mentioned in README.md"


def test_readme_states_not_legal_advice() -> None:
    assert "not legal advice" in (ROOT / "README.md").read_text(encoding="utf-8")
