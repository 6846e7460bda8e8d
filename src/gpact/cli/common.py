"""Pieces every command shares: output formats, dates, and printing errors without tracebacks."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from enum import StrEnum
from typing import Any

import typer

from gpact.errors import InputError
from gpact.safeio import check_date_text


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"


FORMAT_OPTION = typer.Option(Format.text, "--format", "-f", help="Output format.")


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    """A date option (YYYY-MM-DD, within safeio.DATE_RANGE); today when not given."""
    if value is None:
        return dt.date.today()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise InputError(None, option, f"not a date (YYYY-MM-DD): {value!r}")
    return check_date_text(value.strip(), None, option)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def warn(message: str) -> None:
    typer.echo(f"warning: {message}", err=True)


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and stop with ``code`` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
