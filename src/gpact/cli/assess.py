"""`gpact assess`: placeholder until the assessment engine lands (foundation issue, in progress)."""

from __future__ import annotations

import typer

from gpact.errors import InputError


def assess(paths: list[str] = typer.Argument(..., help="Profile files or folders.")) -> None:
    """Assess model profiles (engine landing in the foundation issue)."""
    raise InputError(None, None, "assessment engine not landed yet")
